// Storage port of the order domain. Each method is one transaction; every
// status change is conditional on the expected current status.
#ifndef TOKKIT_LIB_ORDER_REPOSITORY_H_
#define TOKKIT_LIB_ORDER_REPOSITORY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "lib/order/model.h"
#include "lib/store/events/event_bus.h"

namespace tokkit::order {

struct OrderDraft {
  // id, user_id, idempotency_key, address, created_at, expires_at; items
  // carry only sku_id and quantity: prices are read in the transaction.
  Order order;
  CouponMode coupon_mode = CouponMode::kNone;
  int64_t user_coupon_id = 0;           // kSpecific: the shop coupon
  int64_t platform_user_coupon_id = 0;  // kSpecific: the platform coupon
  bool remove_from_cart = false;
  Event created_event;  // payload is filled in
};

struct CheckoutDraft {
  // id, user_id, idempotency_key, created_at.
  Checkout checkout;
  std::vector<OrderDraft> orders;  // one per merchant
};

class OrderRepository {
 public:
  virtual ~OrderRepository() = default;

  // Prices from the current SKU versions, stock reserved by conditional
  // decrements, the coupon consumed and the order inserted, all in one
  // transaction: any shortage rolls everything back (FAILED_PRECONDITION).
  // A second call with the same (user, idempotency key) returns the first
  // order and `false`.
  virtual absl::StatusOr<std::pair<Order, bool>> Create(OrderDraft draft) = 0;
  // Every order of the draft as Create makes one, and the checkout row, in
  // one transaction: all reserved or none. A second call with the same
  // (user, idempotency key) returns the first checkout and `false`.
  virtual absl::StatusOr<std::pair<Checkout, bool>> CreateCheckout(
      CheckoutDraft draft) = 0;
  virtual absl::StatusOr<Checkout> FindCheckout(int64_t checkout_id) = 0;
  // NOT_FOUND when the user has no checkout under that key.
  virtual absl::StatusOr<Checkout> FindCheckoutByKey(
      int64_t user_id, const std::string& key) = 0;
  virtual absl::StatusOr<Order> Find(int64_t id) = 0;
  // NOT_FOUND when the user has no order under that key.
  virtual absl::StatusOr<Order> FindByIdempotencyKey(
      int64_t user_id, const std::string& key) = 0;
  // The user's orders they have not hidden, newest first, id < before.
  virtual absl::StatusOr<std::vector<Order>> ListByUser(int64_t user_id,
                                                        int64_t before,
                                                        int limit) = 0;
  // Takes a closed order of the user's out of their list: false when it was
  // not theirs, not closed, or hidden already.
  virtual absl::StatusOr<bool> HideFromBuyer(int64_t user_id,
                                             int64_t order_id) = 0;
  virtual absl::StatusOr<std::vector<Order>> ListByMerchant(int64_t merchant_id,
                                                            int64_t before,
                                                            int limit) = 0;

  // pending_payment -> cancelled | expired, returning stock and coupon. A
  // pending payment becomes `voiding`: a charge may be in flight or may have
  // been made by a Pay that died, and must be returned. False when the order
  // was no longer pending (someone else won).
  virtual absl::StatusOr<bool> CloseUnpaid(int64_t order_id, OrderStatus to,
                                           absl::Time now,
                                           const Event& event) = 0;
  // A transition without side effects (ship, complete). False if the order
  // was not in `from`.
  virtual absl::StatusOr<bool> Transition(int64_t order_id, OrderStatus from,
                                          OrderStatus to, absl::Time now) = 0;
  // Before shipping only; FAILED_PRECONDITION after.
  virtual absl::Status UpdateAddress(int64_t order_id,
                                     const ShippingAddress& address,
                                     absl::Time now) = 0;
  virtual absl::StatusOr<std::vector<int64_t>> DueForExpiry(absl::Time now,
                                                            int limit) = 0;

  // ---- payments
  virtual absl::Status AddPaymentToken(int64_t order_id,
                                       const std::string& token_hash,
                                       absl::Time expires_at) = 0;
  virtual absl::Status AddCheckoutPaymentToken(int64_t checkout_id,
                                               const std::string& token_hash,
                                               absl::Time expires_at) = 0;
  struct CheckoutClaim {
    std::vector<Payment> payments;  // one per order, all under one key
    bool duplicate = false;
  };
  // Uses a checkout's single-use token once. The first claim makes one
  // payment per order under CheckoutChargeKey, while every order awaits
  // payment (FAILED_PRECONDITION otherwise, the token left unused); a
  // repeat returns them. `new_payment_ids` holds an id per order.
  virtual absl::StatusOr<CheckoutClaim> ClaimCheckoutToken(
      const std::string& token_hash, int64_t user_id,
      const std::vector<int64_t>& new_payment_ids, absl::Time now) = 0;
  struct TokenClaim {
    Payment payment;         // new, or the order's existing payment
    bool duplicate = false;  // the token had been used: nothing new to charge
  };
  // Uses the single-use token once; a repeat returns the payment it made.
  // NOT_FOUND, leaving the token unused, unless the order is `user_id`\'s.
  virtual absl::StatusOr<TokenClaim> ClaimPaymentToken(
      const std::string& token_hash, int64_t user_id, int64_t new_payment_id,
      absl::Time now) = 0;
  // Marks the charge done and the order paid, writes the ledger. False when
  // the order stopped being payable meanwhile: the payment becomes `voiding`
  // (its charge is owed back; see VoidsDue).
  virtual absl::StatusOr<bool> CompletePayment(int64_t payment_id,
                                               const std::string& provider_ref,
                                               absl::Time now,
                                               const Event& event) = 0;
  virtual absl::StatusOr<Payment> PaymentOf(int64_t order_id) = 0;
  // `voiding` payments whose next attempt is due, oldest first.
  virtual absl::StatusOr<std::vector<Payment>> VoidsDue(absl::Time now,
                                                        int limit) = 0;
  // voiding -> voided, once the provider returned (or cancelled) the charge.
  virtual absl::Status CompleteVoid(int64_t payment_id) = 0;
  // Counts a failed attempt and schedules the next.
  virtual absl::Status RecordVoidFailure(int64_t payment_id,
                                         const std::string& error,
                                         absl::Time next_attempt) = 0;

  // ---- refunds
  virtual absl::Status RequestRefund(int64_t order_id,
                                     const std::string& reason,
                                     absl::Time now) = 0;
  virtual absl::StatusOr<Refund> FindRefund(int64_t order_id) = 0;
  // refund_requested -> refunding: records the decision (reviewer, restock)
  // and the refund id the provider will see, before any money moves. False
  // when the order was not awaiting review (someone else decided).
  virtual absl::StatusOr<bool> BeginRefund(int64_t order_id, int64_t refund_id,
                                           int64_t reviewer_id, bool restock,
                                           absl::Time now) = 0;
  // refunding -> refunded, after the provider returned the money: refunds
  // the payment row, reverses the ledger, restocks if decided, writes the
  // event, in one transaction. False when it was already finished.
  virtual absl::StatusOr<bool> CompleteRefund(int64_t order_id, absl::Time now,
                                              const Event& event) = 0;
  // Counts a failed provider attempt and schedules the next.
  virtual absl::Status RecordRefundFailure(int64_t order_id,
                                           const std::string& error,
                                           absl::Time next_attempt) = 0;
  // Orders in `refunding` whose next attempt is due.
  virtual absl::StatusOr<std::vector<int64_t>> RefundsDue(absl::Time now,
                                                          int limit) = 0;
  // refund_requested -> paid. FAILED_PRECONDITION if not awaiting review.
  virtual absl::Status RejectRefund(int64_t order_id, int64_t reviewer_id,
                                    absl::Time now) = 0;

  // ---- ledger
  virtual absl::StatusOr<std::vector<LedgerEntry>> LedgerEntries() = 0;
  virtual absl::StatusOr<absl::flat_hash_map<std::string, int64_t>>
  Balances() = 0;
  // Entries of `account` ("": of every account) in descending (order_id,
  // kind, account) order, after `after` (order_id 0: from the newest).
  virtual absl::StatusOr<std::vector<LedgerEntry>> LedgerEntriesAfter(
      const std::string& account, const LedgerKey& after, int limit) = 0;
  // The balance of `account` (0 when it has no entries).
  virtual absl::StatusOr<int64_t> Balance(const std::string& account) = 0;
};

}  // namespace tokkit::order

#endif  // TOKKIT_LIB_ORDER_REPOSITORY_H_
