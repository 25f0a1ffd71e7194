// Orders, payments, refunds and the ledger. Money is integer cents.
#ifndef TOKKIT_LIB_ORDER_MODEL_H_
#define TOKKIT_LIB_ORDER_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tokkit::order {

inline constexpr char kTopicOrderCreated[] = "order.created";
inline constexpr char kTopicOrderPaid[] = "order.paid";
inline constexpr char kTopicOrderExpired[] = "order.expired";
inline constexpr char kTopicOrderRefunded[] = "order.refunded";

// The state machine:
//   pending_payment -> paid -> shipped -> completed
//   pending_payment -> cancelled | expired
//   paid -> refund_requested -> refunding -> refunded
//   refund_requested -> paid            (refund rejected)
// `refunding` means approved, with the money on its way back: the refund is
// claimed in the database first, then sent to the provider (idempotent by the
// refund's id), then finalized; a crash or provider outage between the steps
// is resumed by a retry of the approval or by the sweeper.
// Every change is a conditional update from the expected state, so racing
// transitions (pay vs expire, cancel vs pay) have exactly one winner.
enum class OrderStatus {
  kPendingPayment = 1,
  kPaid = 2,
  kShipped = 3,
  kCompleted = 4,
  kCancelled = 5,
  kExpired = 6,
  kRefundRequested = 7,
  kRefunded = 8,
  kRefunding = 9,
};

bool CanTransition(OrderStatus from, OrderStatus to);
// Nothing can happen to the order any more (no transition leaves it).
bool IsClosed(OrderStatus s);
absl::string_view StatusName(OrderStatus s);

// Which coupon an order uses: none, the best usable one in the wallet, or
// the one named.
enum class CouponMode { kNone, kBest, kSpecific };

struct OrderItem {
  int64_t sku_id = 0;
  int64_t spu_id = 0;
  std::string name;
  std::string attributes;
  int64_t unit_price_cents = 0;  // snapshot at order time
  int64_t price_version = 0;     // the SKU price version it came from
  int64_t quantity = 0;
};

struct ShippingAddress {
  std::string recipient;
  std::string phone;
  std::string line1;
  std::string line2;
  std::string city;
  std::string region;
  std::string postal_code;
  std::string country_code;
};

struct Order {
  int64_t id = 0;
  int64_t user_id = 0;
  int64_t merchant_id = 0;
  OrderStatus status = OrderStatus::kPendingPayment;
  std::string idempotency_key;
  std::vector<OrderItem> items;
  int64_t items_total_cents = 0;
  int64_t discount_cents = 0;
  int64_t shipping_cents = 0;
  int64_t total_cents = 0;     // items - discount + shipping
  int64_t user_coupon_id = 0;  // the shop coupon
  // The platform coupon, and its part of discount_cents: the platform pays
  // it, so the merchant is credited the total plus this.
  int64_t platform_user_coupon_id = 0;
  int64_t platform_discount_cents = 0;
  ShippingAddress address;
  absl::Time created_at;
  absl::Time expires_at;  // for pending_payment
  absl::Time updated_at;
  // The multi-merchant checkout it was created by (0: ordered alone). Such
  // an order is paid, and cancelled unpaid, with its checkout as a whole.
  int64_t checkout_id = 0;
};

// One checkout of a cart holding several shops' items: one order per
// merchant, created together, paid with one charge.
struct Checkout {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string idempotency_key;
  int64_t total_cents = 0;  // of its orders
  absl::Time created_at;
  std::vector<Order> orders;  // by merchant id
};

// pending -> succeeded -> refunded
// pending -> voiding -> voided: the order closed (expired, cancelled) while a
// charge may have been made; `voiding` means the charge, if any, is owed back
// and the sweeper keeps asking the provider to return it until it has.
enum class PaymentStatus {
  kPending = 1,
  kSucceeded = 2,
  kRefunded = 3,
  kVoided = 4,
  kVoiding = 5,
};

struct Payment {
  int64_t id = 0;
  int64_t order_id = 0;
  int64_t amount_cents = 0;
  PaymentStatus status = PaymentStatus::kPending;
  std::string provider_ref;
  absl::Time created_at;
  int attempts = 0;  // failed attempts to return a voided charge
  std::string last_error;
  // The provider key the money was charged under: ChargeKey(id) for an
  // order paid alone, CheckoutChargeKey for the orders of a checkout (one
  // charge; each order's refund or void returns its own amount of it).
  std::string charge_key;
};

// The provider sees our ids as idempotency keys, so a retried call never
// moves money twice.
inline std::string ChargeKey(int64_t payment_id) {
  return "pay_" + std::to_string(payment_id);
}
inline std::string CheckoutChargeKey(int64_t checkout_id) {
  return "checkout_" + std::to_string(checkout_id);
}
inline std::string VoidKey(int64_t payment_id) {
  return "void_" + std::to_string(payment_id);
}
inline std::string RefundKey(int64_t refund_id) {
  return "refund_" + std::to_string(refund_id);
}

// requested -> refunding -> approved (money returned), or requested ->
// rejected.
enum class RefundStatus {
  kRequested = 1,
  kApproved = 2,
  kRejected = 3,
  kRefunding = 4,
};

struct Refund {
  int64_t order_id = 0;
  int64_t refund_id = 0;  // set when approved; the provider's refund key
  std::string reason;
  RefundStatus status = RefundStatus::kRequested;
  bool restock = false;
  int64_t reviewer_id = 0;
  absl::Time requested_at;
  int attempts = 0;  // failed attempts at the provider
  std::string last_error;
};

// When a failed provider call is tried again: doubling from 1 s, at most
// 10 minutes apart.
absl::Time NextAttemptAt(absl::Time now, int failed_attempts);

// One posting of the double-entry ledger; lib/order/ledger.h says which
// postings each money movement writes (they sum to zero).
struct LedgerEntry {
  int64_t id = 0;
  std::string account;
  int64_t order_id = 0;
  int64_t amount_cents = 0;
  std::string kind;  // "payment" or "refund"
  absl::Time created_at;
};

// A ledger entry's position in the (order_id, kind, account) order.
struct LedgerKey {
  int64_t order_id = 0;
  std::string kind;
  std::string account;
};

// One page of the ledger, newest order first, with the balances of the
// accounts it covers.
struct LedgerPage {
  std::vector<LedgerEntry> entries;
  absl::flat_hash_map<std::string, int64_t> balances;
  std::string next_page_token;
};

inline std::string MerchantAccount(int64_t merchant_id) {
  return "merchant:" + std::to_string(merchant_id);
}
inline constexpr char kProviderClearing[] = "provider:clearing";
// What platform coupons cost the platform (its promotions budget).
inline constexpr char kPlatformPromotions[] = "platform:promotions";

}  // namespace tokkit::order

#endif  // TOKKIT_LIB_ORDER_MODEL_H_
