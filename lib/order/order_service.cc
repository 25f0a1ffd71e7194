#include "lib/order/order_service.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "lib/core/crypto.h"
#include "lib/core/status_macros.h"
#include "lib/core/validation.h"

namespace tokkit::order {

OrderService::OrderService(OrderDeps deps, OrderOptions options)
    : deps_(deps), options_(options) {
  if (options_.expiry_sweep_interval <= absl::ZeroDuration()) return;
  sweeper_ = std::thread([this] {
    while (true) {
      {
        absl::MutexLock lock(&stop_mu_);
        auto stop = [this]() ABSL_SHARED_LOCKS_REQUIRED(stop_mu_) {
          return stopping_;
        };
        if (stop_mu_.AwaitWithTimeout(absl::Condition(&stop),
                                      options_.expiry_sweep_interval)) {
          return;
        }
      }
      (void)ExpireOverdue();  // retried next tick on failure
    }
  });
}

OrderService::~OrderService() {
  {
    absl::MutexLock lock(&stop_mu_);
    stopping_ = true;
  }
  if (sweeper_.joinable()) sweeper_.join();
}

Event OrderService::NewEvent(const char* topic, int64_t order_id) {
  return {deps_.ids->Next(), topic, absl::StrCat(order_id), "",
          deps_.clock->Now()};
}

absl::StatusOr<Order> OrderService::Create(const Principal& buyer,
                                           CreateOrderRequest r,
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
    RETURN_IF_ERROR(ValidatePositiveId("user_coupon_id", r.user_coupon_id));
  }
  OrderDraft d;
  ASSIGN_OR_RETURN(d.order.address, deps_.addresses->Find(buyer, r.address_id));
  d.order.id = deps_.ids->Next();
  d.order.user_id = buyer.user_id;
  d.order.idempotency_key = r.idempotency_key;
  d.order.created_at = deps_.clock->Now();
  d.order.expires_at = d.order.created_at + options_.payment_timeout;
  for (const OrderLine& l : r.lines) {
    OrderItem item;
    item.sku_id = l.sku_id;
    item.quantity = l.quantity;
    d.order.items.push_back(item);
  }
  d.coupon_mode = r.coupon_mode;
  d.user_coupon_id = r.user_coupon_id;
  d.remove_from_cart = from_cart;
  d.created_event = NewEvent(kTopicOrderCreated, d.order.id);
  ASSIGN_OR_RETURN(auto created, deps_.orders->Create(std::move(d)));
  if (created.second && deps_.events != nullptr) deps_.events->Poke();
  return created.first;
}

absl::StatusOr<Order> OrderService::CreateOrder(const Principal& buyer,
                                                CreateOrderRequest request) {
  return Create(buyer, std::move(request), /*from_cart=*/false);
}

absl::StatusOr<Order> OrderService::CheckoutCart(const Principal& buyer,
                                                 std::vector<int64_t> sku_ids,
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
  ASSIGN_OR_RETURN(std::vector<commerce::CartLine> cart,
                   deps_.cart->List(buyer.user_id));
  const absl::flat_hash_set<int64_t> wanted(sku_ids.begin(), sku_ids.end());
  request.lines.clear();
  for (const commerce::CartLine& l : cart) {
    if (wanted.empty() || wanted.contains(l.sku_id)) {
      request.lines.push_back({l.sku_id, l.quantity});
    }
  }
  if (!wanted.empty() && request.lines.size() != wanted.size()) {
    return absl::NotFoundError("some of those items are not in the cart");
  }
  if (request.lines.empty()) {
    return absl::FailedPreconditionError("nothing in the cart to check out");
  }
  return Create(buyer, std::move(request), /*from_cart=*/true);
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
  if (caller.is_admin()) {
    RETURN_IF_ERROR(ValidatePositiveId("order_id", order_id));
    return deps_.orders->Find(order_id);
  }
  return Owned(caller, order_id);
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

absl::Status OrderService::CancelOrder(const Principal& buyer,
                                       int64_t order_id) {
  ASSIGN_OR_RETURN(Order o, Owned(buyer, order_id));
  if (!CanTransition(o.status, OrderStatus::kCancelled)) {
    return absl::FailedPreconditionError(
        absl::StrCat("a ", StatusName(o.status), " order cannot be cancelled"));
  }
  ASSIGN_OR_RETURN(bool closed,
                   deps_.orders->CloseUnpaid(
                       order_id, OrderStatus::kCancelled, deps_.clock->Now(),
                       NewEvent(kTopicOrderExpired, order_id)));
  if (!closed)
    return absl::FailedPreconditionError("the order changed meanwhile");
  return absl::OkStatus();
}

absl::StatusOr<Order> OrderService::ChangeAddress(const Principal& buyer,
                                                  int64_t order_id,
                                                  int64_t address_id) {
  RETURN_IF_ERROR(Owned(buyer, order_id).status());
  ASSIGN_OR_RETURN(ShippingAddress a, deps_.addresses->Find(buyer, address_id));
  RETURN_IF_ERROR(deps_.orders->UpdateAddress(order_id, a, deps_.clock->Now()));
  return deps_.orders->Find(order_id);
}

absl::Status OrderService::Ship(const Principal& merchant, int64_t order_id) {
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
  return absl::OkStatus();
}

absl::Status OrderService::ConfirmReceipt(const Principal& buyer,
                                          int64_t order_id) {
  ASSIGN_OR_RETURN(Order o, Owned(buyer, order_id));
  ASSIGN_OR_RETURN(bool ok, deps_.orders->Transition(
                                order_id, OrderStatus::kShipped,
                                OrderStatus::kCompleted, deps_.clock->Now()));
  if (!ok) {
    return absl::FailedPreconditionError(
        absl::StrCat("a ", StatusName(o.status), " order cannot be completed"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PaymentToken> OrderService::CreatePaymentToken(
    const Principal& buyer, int64_t order_id) {
  ASSIGN_OR_RETURN(Order o, Owned(buyer, order_id));
  if (o.status != OrderStatus::kPendingPayment) {
    return absl::FailedPreconditionError(absl::StrCat(
        "order is ", StatusName(o.status), ", not awaiting payment"));
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
  ASSIGN_OR_RETURN(
      OrderRepository::TokenClaim claim,
      deps_.orders->ClaimPaymentToken(Sha256Hex(token), buyer.user_id,
                                      deps_.ids->Next(), deps_.clock->Now()));
  ASSIGN_OR_RETURN(Order o, deps_.orders->Find(claim.payment.order_id));
  if (o.user_id != buyer.user_id)
    return absl::NotFoundError("unknown payment token");
  if (claim.payment.status == PaymentStatus::kSucceeded) return claim.payment;
  if (claim.payment.status != PaymentStatus::kPending) {
    return absl::FailedPreconditionError("this payment was voided");
  }
  // Outside any transaction; the provider dedupes by our payment id, so a
  // retried or concurrent duplicate moves money once.
  ASSIGN_OR_RETURN(std::string ref, deps_.payments->Charge(
                                        absl::StrCat("pay_", claim.payment.id),
                                        claim.payment.amount_cents));
  ASSIGN_OR_RETURN(bool paid, deps_.orders->CompletePayment(
                                  claim.payment.id, ref, deps_.clock->Now(),
                                  NewEvent(kTopicOrderPaid, o.id)));
  if (!paid) {
    // The order expired or was cancelled while we charged: give it back.
    (void)deps_.payments->Refund(ref, claim.payment.amount_cents);
    return absl::FailedPreconditionError(
        "the order closed before payment completed; the charge was refunded");
  }
  if (deps_.events != nullptr) deps_.events->Poke();
  return deps_.orders->PaymentOf(o.id);
}

absl::Status OrderService::RequestRefund(const Principal& buyer,
                                         int64_t order_id,
                                         const std::string& reason) {
  RETURN_IF_ERROR(ValidateText("reason", reason, 1, 500, true));
  RETURN_IF_ERROR(Owned(buyer, order_id).status());
  return deps_.orders->RequestRefund(order_id, reason, deps_.clock->Now());
}

absl::Status OrderService::ReviewRefund(const Principal& reviewer,
                                        int64_t order_id, bool approve,
                                        bool restock) {
  RETURN_IF_ERROR(ValidatePositiveId("order_id", order_id));
  ASSIGN_OR_RETURN(Order o, deps_.orders->Find(order_id));
  if (o.merchant_id != reviewer.user_id && !reviewer.is_admin()) {
    return absl::PermissionDeniedError(
        "only the order's merchant or an admin reviews refunds");
  }
  if (!approve)
    return deps_.orders->RejectRefund(order_id, reviewer.user_id,
                                      deps_.clock->Now());
  ASSIGN_OR_RETURN(Payment p, deps_.orders->PaymentOf(order_id));
  if (o.status != OrderStatus::kRefundRequested) {
    return absl::FailedPreconditionError("no refund is awaiting review");
  }
  // Money first (idempotent at the provider), then our books in one
  // transaction.
  RETURN_IF_ERROR(deps_.payments->Refund(p.provider_ref, p.amount_cents));
  RETURN_IF_ERROR(deps_.orders->ApproveRefund(
      order_id, reviewer.user_id, restock, deps_.clock->Now(),
      NewEvent(kTopicOrderRefunded, order_id)));
  if (deps_.events != nullptr) deps_.events->Poke();
  return absl::OkStatus();
}

absl::StatusOr<int> OrderService::ExpireOverdue(int limit) {
  ASSIGN_OR_RETURN(std::vector<int64_t> due,
                   deps_.orders->DueForExpiry(deps_.clock->Now(), limit));
  int expired = 0;
  for (int64_t id : due) {
    ASSIGN_OR_RETURN(
        bool closed,
        deps_.orders->CloseUnpaid(id, OrderStatus::kExpired, deps_.clock->Now(),
                                  NewEvent(kTopicOrderExpired, id)));
    expired += closed;
  }
  if (expired > 0 && deps_.events != nullptr) deps_.events->Poke();
  return expired;
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
