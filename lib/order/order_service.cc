#include "lib/order/order_service.h"

#include <map>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "lib/core/crypto.h"
#include "lib/core/log.h"
#include "lib/core/metrics.h"
#include "lib/core/status_macros.h"
#include "lib/core/validation.h"
#include "lib/order/payment_steps.h"

namespace tokkit::order {
namespace {

void CountPayment(const char* result) {
  metrics::GetCounter("tokkit_payments_total",
                      "Payment attempts at the provider, by result.",
                      {{"result", result}})
      .Increment();
}

void CountRefund(const char* result) {
  metrics::GetCounter(
      "tokkit_refunds_total",
      "Refunds and voids at the provider, by result (refunded, failed, "
      "voided, void_failed).",
      {{"result", result}})
      .Increment();
}

void CountClosed(const char* to, int n) {
  if (n == 0) return;
  metrics::GetCounter("tokkit_orders_closed_total",
                      "Unpaid orders closed, by how (expired, cancelled).",
                      {{"to", to}})
      .Increment(n);
}

}  // namespace

OrderService::OrderService(OrderDeps deps, OrderOptions options)
    : deps_(deps), options_(options) {
  sweeper_ = std::make_unique<PeriodicTask>(
      "order.sweeper",
      PeriodicTask::Options{options_.expiry_sweep_interval, 0.2},
      [this] { return Sweep(); });
}

OrderService::~OrderService() { sweeper_->Stop(); }

absl::Status OrderService::Sweep() {
  absl::Status first;
  for (const absl::Status& st :
       {ExpireOverdue().status(), ResumeRefunds().status(),
        ResumeVoids().status()}) {
    if (first.ok()) first = st;
  }
  return first;
}

absl::StatusOr<Event> OrderService::NewEvent(const char* topic,
                                             int64_t order_id) {
  ASSIGN_OR_RETURN(const int64_t id, deps_.ids->Next());
  return Event{id, topic, absl::StrCat(order_id), "", deps_.clock->Now()};
}

absl::StatusOr<Order> OrderService::Create(const Principal& buyer,
                                           const CreateOrderRequest& r,
                                           bool from_cart) {
  RETURN_IF_ERROR(ValidateText("idempotency_key", r.idempotency_key, 1, 64));
  if (r.lines.empty() ||
      static_cast<int>(r.lines.size()) > options_.max_lines) {
    return absl::InvalidArgumentError(
        absl::StrCat("an order has 1 to ", options_.max_lines, " lines"));
  }
  absl::flat_hash_set<int64_t> seen;
  for (const OrderLine& l : r.lines) {
    RETURN_IF_ERROR(ValidatePositiveId("sku_id", l.sku_id));
    if (l.quantity < 1 || l.quantity > options_.max_quantity) {
      return absl::InvalidArgumentError(
          absl::StrCat("quantity must be 1 to ", options_.max_quantity));
    }
    if (!seen.insert(l.sku_id).second) {
      return absl::InvalidArgumentError("each sku may appear once per order");
    }
  }
  if (r.coupon_mode == CouponMode::kSpecific) {
    // The named coupons: a shop coupon, a platform coupon, or one of each.
    if (r.user_coupon_id < 0 || r.platform_user_coupon_id < 0 ||
        (r.user_coupon_id == 0 && r.platform_user_coupon_id == 0)) {
      return absl::InvalidArgumentError(
          "coupon_mode specific needs user_coupon_id (a shop coupon) and/or "
          "platform_user_coupon_id (a platform coupon)");
    }
  }
  // The gate first: a sold-out order is refused before any other read.
  StockGate::Lines gated;
  if (deps_.stock_gate != nullptr) {
    for (const OrderLine& l : r.lines) gated.push_back({l.sku_id, l.quantity});
    absl::Status admitted = deps_.stock_gate->Admit(gated);
    if (absl::IsFailedPrecondition(admitted)) {
      // A retry of an order that went through is answered with it (an
      // indexed read); anything else is refused without a transaction.
      absl::StatusOr<Order> earlier =
          deps_.orders->FindByIdempotencyKey(buyer.user_id, r.idempotency_key);
      if (earlier.ok()) return earlier;
      return absl::FailedPreconditionError("not enough stock: sold out");
    }
    if (!admitted.ok()) {
      gated.clear();  // the gate is down: the database decides alone
      log::Warning("stock_gate_unavailable", {{"error", admitted}});
    }
  }
  absl::StatusOr<std::pair<Order, bool>> created =
      CreateAdmitted(buyer, r, from_cart);
  // What the gate admitted goes back unless this order took the stock.
  if (!gated.empty() && (!created.ok() || !created->second)) {
    deps_.stock_gate->Release(gated);
  }
  if (!created.ok()) return created.status();
  if (created->second && deps_.events != nullptr) deps_.events->Poke();
  return created->first;
}

absl::StatusOr<std::pair<Order, bool>> OrderService::CreateAdmitted(
    const Principal& buyer, const CreateOrderRequest& r, bool from_cart) {
  ASSIGN_OR_RETURN(ShippingAddress address,
                   deps_.addresses->Find(buyer, r.address_id));
  ASSIGN_OR_RETURN(OrderDraft d, NewDraft(buyer, r.idempotency_key, address,
                                          deps_.clock->Now(), r.lines));
  d.coupon_mode = r.coupon_mode;
  d.user_coupon_id = r.user_coupon_id;
  d.platform_user_coupon_id = r.platform_user_coupon_id;
  d.remove_from_cart = from_cart;
  return deps_.orders->Create(std::move(d));
}

absl::StatusOr<OrderDraft> OrderService::NewDraft(
    const Principal& buyer, const std::string& idempotency_key,
    const ShippingAddress& address, absl::Time now,
    const std::vector<OrderLine>& lines) {
  OrderDraft d;
  ASSIGN_OR_RETURN(d.order.id, deps_.ids->Next());
  d.order.user_id = buyer.user_id;
  d.order.idempotency_key = idempotency_key;
  d.order.address = address;
  d.order.created_at = now;
  d.order.expires_at = now + options_.payment_timeout;
  for (const OrderLine& l : lines) {
    OrderItem item;
    item.sku_id = l.sku_id;
    item.quantity = l.quantity;
    d.order.items.push_back(item);
  }
  ASSIGN_OR_RETURN(d.created_event, NewEvent(kTopicOrderCreated, d.order.id));
  return d;
}

absl::StatusOr<std::vector<commerce::CartLine>> OrderService::CartLinesToBuy(
    const Principal& buyer, const std::vector<int64_t>& sku_ids) {
  ASSIGN_OR_RETURN(std::vector<commerce::CartLine> cart,
                   deps_.cart->List(buyer.user_id));
  const absl::flat_hash_set<int64_t> wanted(sku_ids.begin(), sku_ids.end());
  std::vector<commerce::CartLine> out;
  for (commerce::CartLine& l : cart) {
    if (wanted.empty() || wanted.contains(l.sku_id)) {
      out.push_back(std::move(l));
    }
  }
  if (!wanted.empty() && out.size() != wanted.size()) {
    return absl::NotFoundError("some of those items are not in the cart");
  }
  if (out.empty()) {
    return absl::FailedPreconditionError("nothing in the cart to check out");
  }
  return out;
}

absl::StatusOr<Order> OrderService::CreateOrder(
    const Principal& buyer, const CreateOrderRequest& request) {
  return Create(buyer, request, /*from_cart=*/false);
}

absl::StatusOr<Order> OrderService::CheckoutCart(
    const Principal& buyer, const std::vector<int64_t>& sku_ids,
    CreateOrderRequest request) {
  // A retry of a checkout that went through returns its order, although
  // the cart lines it bought are gone.
  RETURN_IF_ERROR(
      ValidateText("idempotency_key", request.idempotency_key, 1, 64));
  absl::StatusOr<Order> earlier = deps_.orders->FindByIdempotencyKey(
      buyer.user_id, request.idempotency_key);
  if (earlier.ok()) return earlier;
  if (earlier.status().code() != absl::StatusCode::kNotFound)
    return earlier.status();
  ASSIGN_OR_RETURN(std::vector<commerce::CartLine> lines,
                   CartLinesToBuy(buyer, sku_ids));
  request.lines.clear();
  for (const commerce::CartLine& l : lines) {
    request.lines.push_back({l.sku_id, l.quantity});
  }
  return Create(buyer, request, /*from_cart=*/true);
}

absl::StatusOr<Checkout> OrderService::CreateCheckout(
    const Principal& buyer, const CheckoutRequest& r) {
  RETURN_IF_ERROR(ValidateText("idempotency_key", r.idempotency_key, 1, 64));
  if (r.coupon_mode == CouponMode::kSpecific) {
    return absl::InvalidArgumentError(
        "a checkout takes coupon_mode none or best (the best coupon of each "
        "shop for its order)");
  }
  // A retry of a checkout that went through returns it, although the cart
  // lines it bought are gone.
  absl::StatusOr<Checkout> earlier =
      deps_.orders->FindCheckoutByKey(buyer.user_id, r.idempotency_key);
  if (earlier.ok()) return earlier;
  if (!absl::IsNotFound(earlier.status())) return earlier.status();
  ASSIGN_OR_RETURN(std::vector<commerce::CartLine> lines,
                   CartLinesToBuy(buyer, r.sku_ids));
  // One order per merchant, by merchant id; lines in cart order.
  std::map<int64_t, std::vector<OrderLine>> by_merchant;
  for (const commerce::CartLine& l : lines) {
    by_merchant[l.sku.merchant_id].push_back({l.sku_id, l.quantity});
  }
  if (by_merchant.size() > kMaxShopsPerCheckout) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a checkout covers at most ", kMaxShopsPerCheckout, " shops"));
  }
  ASSIGN_OR_RETURN(ShippingAddress address,
                   deps_.addresses->Find(buyer, r.address_id));
  CheckoutDraft d;
  ASSIGN_OR_RETURN(d.checkout.id, deps_.ids->Next());
  d.checkout.user_id = buyer.user_id;
  d.checkout.idempotency_key = r.idempotency_key;
  d.checkout.created_at = deps_.clock->Now();
  for (const auto& [merchant_id, shop_lines] : by_merchant) {
    if (static_cast<int>(shop_lines.size()) > options_.max_lines) {
      return absl::InvalidArgumentError(absl::StrCat(
          "an order has 1 to ", options_.max_lines, " lines per shop"));
    }
    // Each order's key is unique per user like every order's, derived from
    // the checkout.
    ASSIGN_OR_RETURN(
        OrderDraft o,
        NewDraft(buyer,
                 absl::StrCat("checkout:", d.checkout.id, ":", merchant_id),
                 address, d.checkout.created_at, shop_lines));
    o.order.checkout_id = d.checkout.id;
    o.coupon_mode = r.coupon_mode;
    o.remove_from_cart = true;
    d.orders.push_back(std::move(o));
  }
  ASSIGN_OR_RETURN(auto created, deps_.orders->CreateCheckout(std::move(d)));
  if (created.second && deps_.events != nullptr) deps_.events->Poke();
  return created.first;
}

absl::StatusOr<Checkout> OrderService::GetCheckout(const Principal& buyer,
                                                   int64_t checkout_id) {
  RETURN_IF_ERROR(ValidatePositiveId("checkout_id", checkout_id));
  ASSIGN_OR_RETURN(Checkout c, deps_.orders->FindCheckout(checkout_id));
  // Someone else's checkout does not exist, as far as this caller can tell.
  if (c.user_id != buyer.user_id) {
    return absl::NotFoundError("checkout not found");
  }
  return c;
}

absl::StatusOr<PaymentToken> OrderService::CreateCheckoutPaymentToken(
    const Principal& buyer, int64_t checkout_id) {
  ASSIGN_OR_RETURN(Checkout c, GetCheckout(buyer, checkout_id));
  absl::Time expires = deps_.clock->Now() + options_.payment_token_ttl;
  for (const Order& o : c.orders) {
    if (o.status != OrderStatus::kPendingPayment) {
      return absl::FailedPreconditionError(
          absl::StrCat("order ", o.id, " of this checkout is ",
                       StatusName(o.status), ", not awaiting payment"));
    }
    expires = std::min(expires, o.expires_at);
  }
  PaymentToken t;
  t.token = RandomToken(32);
  t.expires_at = expires;
  RETURN_IF_ERROR(deps_.orders->AddCheckoutPaymentToken(
      checkout_id, Sha256Hex(t.token), t.expires_at));
  return t;
}

absl::StatusOr<std::vector<Payment>> OrderService::PayCheckout(
    const Principal& buyer, const std::string& token) {
  if (token.empty() || token.size() > 128) {
    return absl::InvalidArgumentError("payment token is required");
  }
  std::vector<int64_t> ids;
  for (int i = 0; i < kMaxShopsPerCheckout; ++i) {
    ASSIGN_OR_RETURN(const int64_t id, deps_.ids->Next());
    ids.push_back(id);
  }
  ASSIGN_OR_RETURN(
      OrderRepository::CheckoutClaim claim,
      deps_.orders->ClaimCheckoutToken(Sha256Hex(token), buyer.user_id, ids,
                                       deps_.clock->Now()));
  if (claim.payments.empty()) {
    return absl::FailedPreconditionError("this checkout has no orders");
  }
  // One charge under the checkout's key for the sum, fixed at the first
  // claim; the provider dedupes by the key, so retries move money once.
  int64_t amount = 0;
  bool to_charge = false;
  for (const Payment& p : claim.payments) {
    amount += p.amount_cents;
    if (NextPayStep(p.status) == PayStep::kCharge) to_charge = true;
  }
  if (to_charge) {
    ASSIGN_OR_RETURN(const std::string ref,
                     ChargeProvider(claim.payments[0], amount));
    // Each order is completed on its own: one that closed meanwhile has its
    // share returned, the others are paid.
    for (const Payment& p : claim.payments) {
      if (NextPayStep(p.status) != PayStep::kCharge) continue;
      ASSIGN_OR_RETURN(bool paid, RecordCharge(p, ref));
      if (!paid) {
        ASSIGN_OR_RETURN(Payment now, deps_.orders->PaymentOf(p.order_id));
        if (AfterCharge(paid, now.status) == ChargedStep::kReturnTheCharge) {
          (void)ReturnCharge(now);  // else the sweeper keeps trying
        }
      }
    }
    if (deps_.events != nullptr) deps_.events->Poke();
  }
  std::vector<Payment> out;
  for (const Payment& p : claim.payments) {
    ASSIGN_OR_RETURN(Payment now, deps_.orders->PaymentOf(p.order_id));
    out.push_back(std::move(now));
  }
  return out;
}

absl::StatusOr<Order> OrderService::Owned(const Principal& buyer,
                                          int64_t order_id) {
  RETURN_IF_ERROR(ValidatePositiveId("order_id", order_id));
  ASSIGN_OR_RETURN(Order o, deps_.orders->Find(order_id));
  // Someone else's order does not exist, as far as this caller can tell.
  if (o.user_id != buyer.user_id) return absl::NotFoundError("order not found");
  return o;
}

absl::StatusOr<Order> OrderService::GetOrder(const Principal& caller,
                                             int64_t order_id) {
  RETURN_IF_ERROR(ValidatePositiveId("order_id", order_id));
  ASSIGN_OR_RETURN(Order o, deps_.orders->Find(order_id));
  if (o.user_id != caller.user_id && o.merchant_id != caller.user_id &&
      !caller.is_admin()) {
    return absl::NotFoundError("order not found");
  }
  return o;
}

absl::StatusOr<Page<Order>> OrderService::ListMyOrders(
    const Principal& buyer, const std::string& page_token, int page_size) {
  ASSIGN_OR_RETURN(int limit, PageSize(page_size));
  ASSIGN_OR_RETURN(int64_t before, DecodeIdCursor(page_token));
  Page<Order> page;
  ASSIGN_OR_RETURN(page.items,
                   deps_.orders->ListByUser(buyer.user_id, before, limit));
  page.next_page_token =
      NextIdCursor(page.items, limit, [](const auto& x) { return x.id; });
  return page;
}

absl::StatusOr<Page<Order>> OrderService::ListMerchantOrders(
    const Principal& merchant, const std::string& page_token, int page_size) {
  if (merchant.role != account::Role::kMerchant && !merchant.is_admin()) {
    return absl::PermissionDeniedError("this needs the merchant role");
  }
  ASSIGN_OR_RETURN(int limit, PageSize(page_size));
  ASSIGN_OR_RETURN(int64_t before, DecodeIdCursor(page_token));
  Page<Order> page;
  ASSIGN_OR_RETURN(page.items, deps_.orders->ListByMerchant(merchant.user_id,
                                                            before, limit));
  page.next_page_token =
      NextIdCursor(page.items, limit, [](const auto& x) { return x.id; });
  return page;
}

absl::StatusOr<Order> OrderService::CancelOrder(const Principal& buyer,
                                                int64_t order_id) {
  ASSIGN_OR_RETURN(Order o, Owned(buyer, order_id));
  if (!CanTransition(o.status, OrderStatus::kCancelled)) {
    return absl::FailedPreconditionError(
        absl::StrCat("a ", StatusName(o.status), " order cannot be cancelled"));
  }
  if (o.checkout_id != 0) {
    // One charge pays the whole checkout, so an unpaid checkout is
    // cancelled whole: the others first, this one last (it answers).
    ASSIGN_OR_RETURN(Checkout c, deps_.orders->FindCheckout(o.checkout_id));
    for (const Order& other : c.orders) {
      if (other.id == order_id ||
          other.status != OrderStatus::kPendingPayment) {
        continue;
      }
      ASSIGN_OR_RETURN(Event event, NewEvent(kTopicOrderExpired, other.id));
      ASSIGN_OR_RETURN(bool closed, deps_.orders->CloseUnpaid(
                                        other.id, OrderStatus::kCancelled,
                                        deps_.clock->Now(), event));
      if (closed) CountClosed("cancelled", 1);
    }
  }
  ASSIGN_OR_RETURN(Event event, NewEvent(kTopicOrderExpired, order_id));
  ASSIGN_OR_RETURN(bool closed,
                   deps_.orders->CloseUnpaid(order_id, OrderStatus::kCancelled,
                                             deps_.clock->Now(), event));
  if (!closed)
    return absl::FailedPreconditionError("the order changed meanwhile");
  CountClosed("cancelled", 1);
  return deps_.orders->Find(order_id);
}

absl::StatusOr<Order> OrderService::ChangeAddress(const Principal& buyer,
                                                  int64_t order_id,
                                                  int64_t address_id) {
  RETURN_IF_ERROR(Owned(buyer, order_id).status());
  ASSIGN_OR_RETURN(ShippingAddress a, deps_.addresses->Find(buyer, address_id));
  RETURN_IF_ERROR(deps_.orders->UpdateAddress(order_id, a, deps_.clock->Now()));
  return deps_.orders->Find(order_id);
}

absl::StatusOr<Order> OrderService::Ship(const Principal& merchant,
                                         int64_t order_id) {
  RETURN_IF_ERROR(ValidatePositiveId("order_id", order_id));
  ASSIGN_OR_RETURN(Order o, deps_.orders->Find(order_id));
  if (o.merchant_id != merchant.user_id) {
    return absl::PermissionDeniedError("only the order's merchant ships it");
  }
  ASSIGN_OR_RETURN(bool ok, deps_.orders->Transition(
                                order_id, OrderStatus::kPaid,
                                OrderStatus::kShipped, deps_.clock->Now()));
  if (!ok) {
    return absl::FailedPreconditionError(
        absl::StrCat("a ", StatusName(o.status), " order cannot be shipped"));
  }
  return deps_.orders->Find(order_id);
}

absl::StatusOr<Order> OrderService::ConfirmReceipt(const Principal& buyer,
                                                   int64_t order_id) {
  ASSIGN_OR_RETURN(Order o, Owned(buyer, order_id));
  ASSIGN_OR_RETURN(bool ok, deps_.orders->Transition(
                                order_id, OrderStatus::kShipped,
                                OrderStatus::kCompleted, deps_.clock->Now()));
  if (!ok) {
    return absl::FailedPreconditionError(
        absl::StrCat("a ", StatusName(o.status), " order cannot be completed"));
  }
  return deps_.orders->Find(order_id);
}

absl::StatusOr<PaymentToken> OrderService::CreatePaymentToken(
    const Principal& buyer, int64_t order_id) {
  ASSIGN_OR_RETURN(Order o, Owned(buyer, order_id));
  if (o.status != OrderStatus::kPendingPayment) {
    return absl::FailedPreconditionError(absl::StrCat(
        "order is ", StatusName(o.status), ", not awaiting payment"));
  }
  if (o.checkout_id != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("this order is paid with its checkout ", o.checkout_id,
                     ": ask for the checkout's payment token"));
  }
  PaymentToken t;
  t.token = RandomToken(32);
  t.expires_at =
      std::min(deps_.clock->Now() + options_.payment_token_ttl, o.expires_at);
  RETURN_IF_ERROR(deps_.orders->AddPaymentToken(order_id, Sha256Hex(t.token),
                                                t.expires_at));
  return t;
}

absl::StatusOr<Payment> OrderService::Pay(const Principal& buyer,
                                          const std::string& token) {
  if (token.empty() || token.size() > 128) {
    return absl::InvalidArgumentError("payment token is required");
  }
  ASSIGN_OR_RETURN(const int64_t payment_id, deps_.ids->Next());
  ASSIGN_OR_RETURN(
      OrderRepository::TokenClaim claim,
      deps_.orders->ClaimPaymentToken(Sha256Hex(token), buyer.user_id,
                                      payment_id, deps_.clock->Now()));
  ASSIGN_OR_RETURN(Order o, deps_.orders->Find(claim.payment.order_id));
  if (o.user_id != buyer.user_id)
    return absl::NotFoundError("unknown payment token");
  switch (NextPayStep(claim.payment.status)) {
    case PayStep::kReturnPayment:
      return claim.payment;
    case PayStep::kRefuseClosed:
      return absl::FailedPreconditionError(
          "this payment was voided: the order closed before it was paid");
    case PayStep::kCharge:
      break;
  }
  // Outside any transaction; the provider dedupes by our payment id, so a
  // retried or concurrent duplicate moves money once.
  ASSIGN_OR_RETURN(const std::string ref,
                   ChargeProvider(claim.payment, claim.payment.amount_cents));
  ASSIGN_OR_RETURN(bool paid, RecordCharge(claim.payment, ref));
  if (!paid) {
    // The order expired or was cancelled while we charged. The payment is
    // now `voiding` in the database, so if returning the money fails here
    // the sweeper keeps trying; the client is told which happened.
    ASSIGN_OR_RETURN(Payment p, deps_.orders->PaymentOf(o.id));
    if (AfterCharge(paid, p.status) == ChargedStep::kReturnPayment) return p;
    if (ReturnCharge(p).ok()) {
      return absl::FailedPreconditionError(
          "the order closed before payment completed; the charge was "
          "refunded");
    }
    return absl::FailedPreconditionError(
        "the order closed before payment completed; the charge will be "
        "refunded automatically");
  }
  if (deps_.events != nullptr) deps_.events->Poke();
  return deps_.orders->PaymentOf(o.id);
}

absl::StatusOr<std::string> OrderService::ChargeProvider(const Payment& p,
                                                         int64_t amount_cents) {
  absl::StatusOr<std::string> charged =
      deps_.payments->Charge(p.charge_key, amount_cents);
  if (!charged.ok()) {
    CountPayment("charge_failed");
    log::Warning("payment_charge_failed", {{"payment_id", p.id},
                                           {"charge_key", p.charge_key},
                                           {"error", charged.status()}});
  }
  return charged;
}

absl::StatusOr<bool> OrderService::RecordCharge(const Payment& p,
                                                const std::string& ref) {
  ASSIGN_OR_RETURN(Event paid_event, NewEvent(kTopicOrderPaid, p.order_id));
  ASSIGN_OR_RETURN(bool paid, deps_.orders->CompletePayment(
                                  p.id, ref, deps_.clock->Now(), paid_event));
  CountPayment(paid ? "succeeded" : "order_closed");
  return paid;
}

absl::Status OrderService::ReturnCharge(const Payment& p) {
  absl::Status st =
      deps_.payments->Refund(VoidKey(p.id), p.charge_key, p.amount_cents);
  CountRefund(st.ok() ? "voided" : "void_failed");
  if (!st.ok()) {
    const absl::Time now = deps_.clock->Now();
    log::Warning("payment_void_failed", {{"payment_id", p.id},
                                         {"order_id", p.order_id},
                                         {"attempts", p.attempts + 1},
                                         {"error", st}});
    RETURN_IF_ERROR(deps_.orders->RecordVoidFailure(
        p.id, st.ToString(), NextAttemptAt(now, p.attempts + 1)));
    return st;
  }
  return deps_.orders->CompleteVoid(p.id);
}

absl::StatusOr<Order> OrderService::RequestRefund(const Principal& buyer,
                                                  int64_t order_id,
                                                  const std::string& reason) {
  RETURN_IF_ERROR(ValidateText("reason", reason, 1, 500, true));
  RETURN_IF_ERROR(Owned(buyer, order_id).status());
  RETURN_IF_ERROR(
      deps_.orders->RequestRefund(order_id, reason, deps_.clock->Now()));
  return deps_.orders->Find(order_id);
}

absl::StatusOr<Order> OrderService::ReviewRefund(const Principal& reviewer,
                                                 int64_t order_id, bool approve,
                                                 bool restock) {
  RETURN_IF_ERROR(ValidatePositiveId("order_id", order_id));
  ASSIGN_OR_RETURN(Order o, deps_.orders->Find(order_id));
  if (o.merchant_id != reviewer.user_id && !reviewer.is_admin()) {
    return absl::PermissionDeniedError(
        "only the order's merchant or an admin reviews refunds");
  }
  // lib/order/payment_steps.h decides. A claim is tried once; the step is
  // then decided again on the state it left (ours, or a racing review's).
  RefundReviewStep step = NextRefundReviewStep(o.status, approve);
  if (step == RefundReviewStep::kClaim) {
    // Claim first: of an approval and a rejection racing, one wins.
    ASSIGN_OR_RETURN(const int64_t refund_id, deps_.ids->Next());
    ASSIGN_OR_RETURN(bool claimed, deps_.orders->BeginRefund(
                                       order_id, refund_id, reviewer.user_id,
                                       restock, deps_.clock->Now()));
    if (claimed) {
      o.status = OrderStatus::kRefunding;
    } else {
      ASSIGN_OR_RETURN(o, deps_.orders->Find(order_id));
    }
    step = NextRefundReviewStep(o.status, approve);
  }
  switch (step) {
    case RefundReviewStep::kRefuseApproved:
      return absl::FailedPreconditionError("the refund was already approved");
    case RefundReviewStep::kReject:
      RETURN_IF_ERROR(deps_.orders->RejectRefund(order_id, reviewer.user_id,
                                                 deps_.clock->Now()));
      return deps_.orders->Find(order_id);
    case RefundReviewStep::kAlreadyRefunded:
      return o;
    case RefundReviewStep::kRefuseNothingToReview:
      return absl::FailedPreconditionError(
          absl::StrCat("no refund is awaiting review (the order is ",
                       StatusName(o.status), ")"));
    case RefundReviewStep::kFinish:
      // The approval stands even if the provider is unreachable now: the
      // order stays `refunding` and the sweeper finishes it.
      (void)FinishRefund(order_id);  // failures are logged and recorded
      return deps_.orders->Find(order_id);
    case RefundReviewStep::kClaim:
      break;  // still requested after a lost claim: nothing was taken
  }
  return absl::AbortedError("the refund review raced another; try again");
}

absl::Status OrderService::FinishRefund(int64_t order_id) {
  ASSIGN_OR_RETURN(Refund refund, deps_.orders->FindRefund(order_id));
  ASSIGN_OR_RETURN(Payment payment, deps_.orders->PaymentOf(order_id));
  if (refund.status != RefundStatus::kRefunding) return absl::OkStatus();
  absl::Status st = deps_.payments->Refund(
      RefundKey(refund.refund_id), payment.charge_key, payment.amount_cents);
  CountRefund(st.ok() ? "refunded" : "failed");
  if (!st.ok()) {
    log::Warning("refund_failed", {{"order_id", order_id},
                                   {"refund_id", refund.refund_id},
                                   {"attempts", refund.attempts + 1},
                                   {"error", st}});
    RETURN_IF_ERROR(deps_.orders->RecordRefundFailure(
        order_id, st.ToString(),
        NextAttemptAt(deps_.clock->Now(), refund.attempts + 1)));
    return st;
  }
  ASSIGN_OR_RETURN(Event event, NewEvent(kTopicOrderRefunded, order_id));
  ASSIGN_OR_RETURN(bool done, deps_.orders->CompleteRefund(
                                  order_id, deps_.clock->Now(), event));
  if (done && deps_.events != nullptr) deps_.events->Poke();
  return absl::OkStatus();
}

absl::StatusOr<int> OrderService::ResumeRefunds(int limit) {
  ASSIGN_OR_RETURN(std::vector<int64_t> due,
                   deps_.orders->RefundsDue(deps_.clock->Now(), limit));
  int finished = 0;
  absl::Status first;
  for (int64_t id : due) {
    absl::Status st = FinishRefund(id);
    if (st.ok()) ++finished;
    if (first.ok()) first = st;
  }
  RETURN_IF_ERROR(first);
  return finished;
}

absl::StatusOr<int> OrderService::ResumeVoids(int limit) {
  ASSIGN_OR_RETURN(std::vector<Payment> due,
                   deps_.orders->VoidsDue(deps_.clock->Now(), limit));
  int finished = 0;
  absl::Status first;
  for (const Payment& p : due) {
    absl::Status st = ReturnCharge(p);
    if (st.ok()) ++finished;
    if (first.ok()) first = st;
  }
  RETURN_IF_ERROR(first);
  return finished;
}

absl::StatusOr<int> OrderService::ExpireOverdue(int limit) {
  ASSIGN_OR_RETURN(std::vector<int64_t> due,
                   deps_.orders->DueForExpiry(deps_.clock->Now(), limit));
  int expired = 0;
  for (int64_t id : due) {
    ASSIGN_OR_RETURN(Event event, NewEvent(kTopicOrderExpired, id));
    ASSIGN_OR_RETURN(bool closed,
                     deps_.orders->CloseUnpaid(id, OrderStatus::kExpired,
                                               deps_.clock->Now(), event));
    expired += closed;
  }
  CountClosed("expired", expired);
  if (expired > 0) log::Info("orders_expired", {{"count", expired}});
  if (expired > 0 && deps_.events != nullptr) deps_.events->Poke();
  return expired;
}

absl::Status OrderService::HideOrder(const Principal& buyer, int64_t order_id) {
  ASSIGN_OR_RETURN(Order o, Owned(buyer, order_id));
  if (!IsClosed(o.status)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "only a closed order (completed, cancelled, expired or refunded) can "
        "be hidden; this one is ",
        StatusName(o.status)));
  }
  // False only when it was hidden already: closed orders never reopen.
  return deps_.orders->HideFromBuyer(buyer.user_id, order_id).status();
}

absl::StatusOr<LedgerPage> OrderService::GetLedger(
    const Principal& caller, int64_t merchant_id, const std::string& page_token,
    int page_size) {
  if (merchant_id < 0) {
    return absl::InvalidArgumentError("merchant_id must not be negative");
  }
  std::string account;  // "": every account
  if (caller.is_admin()) {
    if (merchant_id > 0) account = MerchantAccount(merchant_id);
  } else if (caller.role == account::Role::kMerchant) {
    if (merchant_id != 0 && merchant_id != caller.user_id) {
      return absl::PermissionDeniedError(
          "a merchant sees only their own ledger");
    }
    account = MerchantAccount(caller.user_id);
  } else {
    return absl::PermissionDeniedError(
        "the ledger is for merchants (their own) and admins");
  }
  ASSIGN_OR_RETURN(int limit, PageSize(page_size, 50, 500));
  ASSIGN_OR_RETURN(Cursor cursor, Cursor::Decode(page_token));
  LedgerKey after;
  if (!cursor.empty()) {
    ASSIGN_OR_RETURN(after.order_id, cursor.IntAt(0));
    ASSIGN_OR_RETURN(after.kind, cursor.StringAt(1));
    ASSIGN_OR_RETURN(after.account, cursor.StringAt(2));
    ASSIGN_OR_RETURN(std::string token_account, cursor.StringAt(3));
    if (after.order_id <= 0 || token_account != account) {
      return absl::InvalidArgumentError("page token is for another ledger");
    }
  }
  LedgerPage page;
  ASSIGN_OR_RETURN(page.entries,
                   deps_.orders->LedgerEntriesAfter(account, after, limit));
  if (static_cast<int>(page.entries.size()) == limit) {
    const LedgerEntry& last = page.entries.back();
    page.next_page_token = Cursor()
                               .Add(last.order_id)
                               .Add(last.kind)
                               .Add(last.account)
                               .Add(account)
                               .Encode();
  }
  if (account.empty()) {
    ASSIGN_OR_RETURN(page.balances, deps_.orders->Balances());
  } else {
    ASSIGN_OR_RETURN(page.balances[account], deps_.orders->Balance(account));
  }
  return page;
}

absl::StatusOr<std::vector<LedgerEntry>> OrderService::Ledger(
    const Principal& admin) {
  if (!admin.is_admin()) return absl::PermissionDeniedError("admins only");
  return deps_.orders->LedgerEntries();
}

absl::StatusOr<absl::flat_hash_map<std::string, int64_t>>
OrderService::Balances(const Principal& admin) {
  if (!admin.is_admin()) return absl::PermissionDeniedError("admins only");
  return deps_.orders->Balances();
}

}  // namespace tokkit::order
