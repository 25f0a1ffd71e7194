// Orders and payments: creation with stock reservation and coupons, the
// state machine, timeouts, single-use payment tokens, idempotent checkout,
// refunds with review, and the ledger.
#ifndef TOKKIT_LIB_ORDER_ORDER_SERVICE_H_
#define TOKKIT_LIB_ORDER_ORDER_SERVICE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "lib/account/principal.h"
#include "lib/commerce/repository.h"
#include "lib/core/clock.h"
#include "lib/core/cursor.h"
#include "lib/core/id_generator.h"
#include "lib/core/periodic_task.h"
#include "lib/order/model.h"
#include "lib/order/payment_provider.h"
#include "lib/order/repository.h"
#include "lib/order/stock_gate.h"
#include "lib/store/events/event_bus.h"

namespace tokkit::order {

using account::Principal;

// The user's saved addresses (the account domain).
class AddressBook {
 public:
  virtual ~AddressBook() = default;
  // NOT_FOUND unless the address exists and is the user's.
  virtual absl::StatusOr<ShippingAddress> Find(const Principal& user,
                                               int64_t address_id) = 0;
};

struct OrderOptions {
  absl::Duration payment_timeout = absl::Minutes(15);
  absl::Duration payment_token_ttl = absl::Minutes(10);
  int max_lines = 50;
  int64_t max_quantity = 99;
  // How often the sweeper runs (expiring unpaid orders, resuming refunds and
  // voids the provider has not confirmed); 0 disables the thread (tests
  // sweep by hand). Each replica may sweep: every step is a conditional
  // update or idempotent at the provider.
  absl::Duration expiry_sweep_interval = absl::Seconds(1);
};

struct OrderDeps {
  OrderRepository* orders = nullptr;
  commerce::CartRepository* cart = nullptr;
  AddressBook* addresses = nullptr;
  PaymentProvider* payments = nullptr;
  EventBus* events = nullptr;
  const Clock* clock = nullptr;
  IdGenerator* ids = nullptr;
  // Optional: refuses orders for sold-out SKUs before the database
  // transaction (stock_gate.h).
  StockGate* stock_gate = nullptr;
};

struct OrderLine {
  int64_t sku_id = 0;
  int64_t quantity = 0;
};

struct CreateOrderRequest {
  std::vector<OrderLine> lines;
  int64_t address_id = 0;
  CouponMode coupon_mode = CouponMode::kNone;
  int64_t user_coupon_id = 0;           // kSpecific: a shop coupon
  int64_t platform_user_coupon_id = 0;  // kSpecific: a platform coupon
  std::string idempotency_key;  // required: a retry returns the same order
};

// A multi-merchant checkout of cart lines: one order per shop.
struct CheckoutRequest {
  std::vector<int64_t> sku_ids;  // cart lines to buy; empty: the whole cart
  int64_t address_id = 0;
  CouponMode coupon_mode = CouponMode::kNone;  // none or best (per shop)
  std::string idempotency_key;  // required: a retry returns the checkout
};

inline constexpr int kMaxShopsPerCheckout = 20;

struct PaymentToken {
  std::string token;
  absl::Time expires_at;
};

class OrderService {
 public:
  OrderService(OrderDeps deps, OrderOptions options);
  ~OrderService();

  absl::StatusOr<Order> CreateOrder(const Principal& buyer,
                                    const CreateOrderRequest& request);
  // Orders the cart lines for `sku_ids` (all lines when empty) and removes
  // exactly those lines, in the order's transaction.
  absl::StatusOr<Order> CheckoutCart(const Principal& buyer,
                                     const std::vector<int64_t>& sku_ids,
                                     CreateOrderRequest request);
  // The cart lines of several shops as one order per merchant, created in
  // one transaction (all reserved or none: a shop sold out fails the whole
  // checkout), the lines leaving the cart in it. Paid with one token and one
  // charge (PayCheckout); refunds stay per order, and each merchant's
  // ledger account gets its order's amount. Unpaid, it is cancelled whole.
  absl::StatusOr<Checkout> CreateCheckout(const Principal& buyer,
                                          const CheckoutRequest& request);
  // The buyer's own checkout (NOT_FOUND for anyone else's).
  absl::StatusOr<Checkout> GetCheckout(const Principal& buyer,
                                       int64_t checkout_id);
  // While every order of the checkout awaits payment.
  absl::StatusOr<PaymentToken> CreateCheckoutPaymentToken(
      const Principal& buyer, int64_t checkout_id);
  // One charge for every order, once however often retried; answers each
  // order's payment (an order that closed meanwhile gets its share back).
  absl::StatusOr<std::vector<Payment>> PayCheckout(const Principal& buyer,
                                                   const std::string& token);
  // The buyer, the order's merchant or an admin; NOT_FOUND for anyone else.
  absl::StatusOr<Order> GetOrder(const Principal& caller, int64_t order_id);
  absl::StatusOr<Page<Order>> ListMyOrders(const Principal& buyer,
                                           const std::string& page_token,
                                           int page_size);
  absl::StatusOr<Page<Order>> ListMerchantOrders(const Principal& merchant,
                                                 const std::string& page_token,
                                                 int page_size);
  // Each action returns the order as it is afterwards.
  absl::StatusOr<Order> CancelOrder(const Principal& buyer, int64_t order_id);
  absl::StatusOr<Order> ChangeAddress(const Principal& buyer, int64_t order_id,
                                      int64_t address_id);
  absl::StatusOr<Order> Ship(const Principal& merchant, int64_t order_id);
  absl::StatusOr<Order> ConfirmReceipt(const Principal& buyer,
                                       int64_t order_id);

  // FAILED_PRECONDITION for an order of a checkout (paid with it).
  absl::StatusOr<PaymentToken> CreatePaymentToken(const Principal& buyer,
                                                  int64_t order_id);
  // Charges once per order however often it is called or retried.
  absl::StatusOr<Payment> Pay(const Principal& buyer, const std::string& token);

  absl::StatusOr<Order> RequestRefund(const Principal& buyer, int64_t order_id,
                                      const std::string& reason);
  // By the order's merchant or an admin. `restock` returns the items to
  // stock (goods not shipped or returned unused); otherwise stock stays sold.
  // Approval claims the refund (refunding) before the provider is asked, so
  // approve and reject racing have one winner; if the provider cannot be
  // reached the order stays `refunding` and the sweeper finishes it. Approving
  // again resumes (or returns the refunded order): idempotent.
  absl::StatusOr<Order> ReviewRefund(const Principal& reviewer,
                                     int64_t order_id, bool approve,
                                     bool restock);

  // One sweep, as the background task runs it: expires overdue orders, then
  // resumes due refunds and voids. Returns the first error after trying all.
  absl::Status Sweep();
  // Expires unpaid orders past their deadline; returns how many.
  absl::StatusOr<int> ExpireOverdue(int limit = 200);
  // Retries refunds stuck in `refunding`; returns how many finished.
  absl::StatusOr<int> ResumeRefunds(int limit = 100);
  // Returns charges of voided payments; returns how many finished.
  absl::StatusOr<int> ResumeVoids(int limit = 100);

  // Takes a closed order (completed, cancelled, expired, refunded) out of
  // the buyer's list; the merchant, admins and the ledger still see it, and
  // GetOrder by id still answers. FAILED_PRECONDITION while it is open.
  // Idempotent.
  absl::Status HideOrder(const Principal& buyer, int64_t order_id);

  // The ledger as the caller may see it: a merchant their own account
  // (merchant_id 0 or their own id), an admin any merchant's, or with
  // merchant_id 0 every account including the provider's clearing account.
  // Balances are the platform's books: a merchant account is credited
  // (negative) when a buyer pays and debited back by a refund, so minus its
  // balance is what the platform owes that merchant.
  absl::StatusOr<LedgerPage> GetLedger(const Principal& caller,
                                       int64_t merchant_id,
                                       const std::string& page_token,
                                       int page_size);

  absl::StatusOr<std::vector<LedgerEntry>> Ledger(const Principal& admin);
  absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> Balances(
      const Principal& admin);

 private:
  absl::StatusOr<Order> Owned(const Principal& buyer, int64_t order_id);
  absl::StatusOr<Event> NewEvent(const char* topic, int64_t order_id);
  absl::StatusOr<Order> Create(const Principal& buyer,
                               const CreateOrderRequest& request,
                               bool from_cart);
  // Create past the stock gate: (the order, whether this call made it).
  absl::StatusOr<std::pair<Order, bool>> CreateAdmitted(
      const Principal& buyer, const CreateOrderRequest& request,
      bool from_cart);
  // A new order's draft: ids, times, items from `lines`, created event.
  absl::StatusOr<OrderDraft> NewDraft(const Principal& buyer,
                                      const std::string& idempotency_key,
                                      const ShippingAddress& address,
                                      absl::Time now,
                                      const std::vector<OrderLine>& lines);
  // The buyer's cart lines for `sku_ids` (all when empty): NOT_FOUND if
  // one is not in the cart, FAILED_PRECONDITION for an empty cart.
  absl::StatusOr<std::vector<commerce::CartLine>> CartLinesToBuy(
      const Principal& buyer, const std::vector<int64_t>& sku_ids);
  // Charges `amount_cents` under the payment's provider key (counting and
  // logging a failure).
  absl::StatusOr<std::string> ChargeProvider(const Payment& p,
                                             int64_t amount_cents);
  // Records a charge made for `p`: whether its order became paid (false:
  // it closed meanwhile and the payment is now voiding).
  absl::StatusOr<bool> RecordCharge(const Payment& p, const std::string& ref);
  // The provider step of an approved refund and its finalization.
  absl::Status FinishRefund(int64_t order_id);
  // Asks the provider to return (or cancel) a voided payment's charge.
  absl::Status ReturnCharge(const Payment& payment);

  OrderDeps deps_;
  OrderOptions options_;
  std::unique_ptr<PeriodicTask> sweeper_;  // last: stops first
};

}  // namespace tokkit::order

#endif  // TOKKIT_LIB_ORDER_ORDER_SERVICE_H_
