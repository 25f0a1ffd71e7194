#include "lib/order/model.h"

#include <algorithm>

namespace tokkit::order {

bool CanTransition(OrderStatus from, OrderStatus to) {
  using S = OrderStatus;
  switch (from) {
    case S::kPendingPayment:
      return to == S::kPaid || to == S::kCancelled || to == S::kExpired;
    case S::kPaid:
      return to == S::kShipped || to == S::kRefundRequested;
    case S::kShipped:
      return to == S::kCompleted;
    case S::kRefundRequested:
      return to == S::kRefunding || to == S::kPaid;
    case S::kRefunding:
      return to == S::kRefunded;
    case S::kCompleted:
    case S::kCancelled:
    case S::kExpired:
    case S::kRefunded:
      return false;
  }
  return false;
}

bool IsClosed(OrderStatus s) {
  switch (s) {
    case OrderStatus::kCompleted:
    case OrderStatus::kCancelled:
    case OrderStatus::kExpired:
    case OrderStatus::kRefunded:
      return true;
    default:
      return false;
  }
}

absl::string_view StatusName(OrderStatus s) {
  switch (s) {
    case OrderStatus::kPendingPayment:
      return "pending_payment";
    case OrderStatus::kPaid:
      return "paid";
    case OrderStatus::kShipped:
      return "shipped";
    case OrderStatus::kCompleted:
      return "completed";
    case OrderStatus::kCancelled:
      return "cancelled";
    case OrderStatus::kExpired:
      return "expired";
    case OrderStatus::kRefundRequested:
      return "refund_requested";
    case OrderStatus::kRefunded:
      return "refunded";
    case OrderStatus::kRefunding:
      return "refunding";
  }
  return "unknown";
}

absl::Time NextAttemptAt(absl::Time now, int failed_attempts) {
  const int shift = failed_attempts < 1 ? 0 : std::min(failed_attempts - 1, 10);
  return now + std::min(absl::Seconds(int64_t{1} << shift), absl::Minutes(10));
}

}  // namespace tokkit::order
