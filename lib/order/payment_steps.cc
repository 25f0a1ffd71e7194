#include "lib/order/payment_steps.h"

namespace tokkit::order {

PayStep NextPayStep(PaymentStatus claimed) {
  switch (claimed) {
    case PaymentStatus::kPending:
      return PayStep::kCharge;
    case PaymentStatus::kSucceeded:
      return PayStep::kReturnPayment;
    case PaymentStatus::kRefunded:
    case PaymentStatus::kVoided:
    case PaymentStatus::kVoiding:
      return PayStep::kRefuseClosed;
  }
  return PayStep::kRefuseClosed;
}

ChargedStep AfterCharge(bool order_paid, PaymentStatus payment_now) {
  if (order_paid) return ChargedStep::kDone;
  if (payment_now == PaymentStatus::kSucceeded) {
    return ChargedStep::kReturnPayment;
  }
  return ChargedStep::kReturnTheCharge;
}

RefundReviewStep NextRefundReviewStep(OrderStatus order, bool approve) {
  if (!approve) {
    return order == OrderStatus::kRefunding || order == OrderStatus::kRefunded
               ? RefundReviewStep::kRefuseApproved
               : RefundReviewStep::kReject;
  }
  switch (order) {
    case OrderStatus::kRefundRequested:
      return RefundReviewStep::kClaim;
    case OrderStatus::kRefunding:
      return RefundReviewStep::kFinish;
    case OrderStatus::kRefunded:
      return RefundReviewStep::kAlreadyRefunded;
    default:
      return RefundReviewStep::kRefuseNothingToReview;
  }
}

absl::string_view StepName(RefundReviewStep step) {
  switch (step) {
    case RefundReviewStep::kReject:
      return "reject";
    case RefundReviewStep::kClaim:
      return "claim";
    case RefundReviewStep::kFinish:
      return "finish";
    case RefundReviewStep::kAlreadyRefunded:
      return "already_refunded";
    case RefundReviewStep::kRefuseApproved:
      return "refuse_approved";
    case RefundReviewStep::kRefuseNothingToReview:
      return "refuse_nothing_to_review";
  }
  return "unknown";
}

}  // namespace tokkit::order
