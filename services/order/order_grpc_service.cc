#include "services/order/order_grpc_service.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "lib/core/status_macros.h"
#include "services/common/handler.h"

namespace tokkit {
namespace {

using account::Principal;

void ToProto(const order::Order& o, orderpb::Order* out) {
  out->set_id(o.id);
  out->set_user_id(o.user_id);
  out->set_merchant_id(o.merchant_id);
  out->set_status(static_cast<orderpb::OrderStatus>(o.status));
  for (const order::OrderItem& i : o.items) {
    orderpb::OrderItem* item = out->add_items();
    item->set_sku_id(i.sku_id);
    item->set_product_id(i.spu_id);
    item->set_name(i.name);
    item->set_attributes(i.attributes);
    item->set_unit_price_cents(i.unit_price_cents);
    item->set_price_version(i.price_version);
    item->set_quantity(i.quantity);
  }
  out->set_items_total_cents(o.items_total_cents);
  out->set_discount_cents(o.discount_cents);
  out->set_shipping_cents(o.shipping_cents);
  out->set_total_cents(o.total_cents);
  out->set_user_coupon_id(o.user_coupon_id);
  orderpb::ShippingAddress* a = out->mutable_address();
  a->set_recipient(o.address.recipient);
  a->set_phone(o.address.phone);
  a->set_line1(o.address.line1);
  a->set_line2(o.address.line2);
  a->set_city(o.address.city);
  a->set_region(o.address.region);
  a->set_postal_code(o.address.postal_code);
  a->set_country_code(o.address.country_code);
  out->set_created_at_ms(absl::ToUnixMillis(o.created_at));
  out->set_expires_at_ms(absl::ToUnixMillis(o.expires_at));
  out->set_checkout_id(o.checkout_id);
  out->set_platform_user_coupon_id(o.platform_user_coupon_id);
  out->set_platform_discount_cents(o.platform_discount_cents);
}

void ToProto(const order::Checkout& c, orderpb::CheckoutGroup* out) {
  out->set_id(c.id);
  for (const order::Order& o : c.orders) ToProto(o, out->add_orders());
  out->set_total_cents(c.total_cents);
  out->set_created_at_ms(absl::ToUnixMillis(c.created_at));
}

void ToProto(const order::Payment& pay, orderpb::Payment* out) {
  out->set_id(pay.id);
  out->set_order_id(pay.order_id);
  out->set_amount_cents(pay.amount_cents);
  out->set_status(static_cast<orderpb::PaymentStatus>(pay.status));
}

order::CouponMode FromProto(orderpb::CouponMode m) {
  switch (m) {
    case orderpb::COUPON_BEST:
      return order::CouponMode::kBest;
    case orderpb::COUPON_SPECIFIC:
      return order::CouponMode::kSpecific;
    default:
      return order::CouponMode::kNone;
  }
}

// Runs an action on an order and answers with the order as the action left
// it (every action returns it), to whoever was allowed to act.
template <typename Fn>
grpc::Status ActOnOrder(grpc::ServerContext* context,
                        const google::protobuf::Message& request,
                        orderpb::Order* resp, Fn action) {
  return WithCaller(context, request, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(order::Order o, action(p));
    ToProto(o, resp);
    return absl::OkStatus();
  });
}

}  // namespace

grpc::Status OrderGrpcService::CreateOrder(
    Ctx* context, const orderpb::CreateOrderRequest* req,
    orderpb::Order* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    order::CreateOrderRequest r;
    for (const orderpb::OrderLine& l : req->lines())
      r.lines.push_back({l.sku_id(), l.quantity()});
    r.address_id = req->address_id();
    r.coupon_mode = FromProto(req->coupon_mode());
    r.user_coupon_id = req->user_coupon_id();
    r.platform_user_coupon_id = req->platform_user_coupon_id();
    r.idempotency_key = req->idempotency_key();
    ASSIGN_OR_RETURN(order::Order o, orders_->CreateOrder(p, r));
    ToProto(o, resp);
    return absl::OkStatus();
  });
}

grpc::Status OrderGrpcService::CheckoutCart(
    Ctx* context, const orderpb::CheckoutCartRequest* req,
    orderpb::Order* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    order::CreateOrderRequest r;
    r.address_id = req->address_id();
    r.coupon_mode = FromProto(req->coupon_mode());
    r.user_coupon_id = req->user_coupon_id();
    r.platform_user_coupon_id = req->platform_user_coupon_id();
    r.idempotency_key = req->idempotency_key();
    std::vector<int64_t> skus(req->sku_ids().begin(), req->sku_ids().end());
    ASSIGN_OR_RETURN(order::Order o,
                     orders_->CheckoutCart(p, skus, std::move(r)));
    ToProto(o, resp);
    return absl::OkStatus();
  });
}

grpc::Status OrderGrpcService::Checkout(Ctx* context,
                                        const orderpb::CheckoutRequest* req,
                                        orderpb::CheckoutGroup* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    order::CheckoutRequest r;
    r.sku_ids.assign(req->sku_ids().begin(), req->sku_ids().end());
    r.address_id = req->address_id();
    r.coupon_mode = FromProto(req->coupon_mode());
    r.idempotency_key = req->idempotency_key();
    ASSIGN_OR_RETURN(order::Checkout c, orders_->CreateCheckout(p, r));
    ToProto(c, resp);
    return absl::OkStatus();
  });
}

grpc::Status OrderGrpcService::GetCheckout(
    Ctx* context, const orderpb::CheckoutIdRequest* req,
    orderpb::CheckoutGroup* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(order::Checkout c,
                     orders_->GetCheckout(p, req->checkout_id()));
    ToProto(c, resp);
    return absl::OkStatus();
  });
}

grpc::Status OrderGrpcService::CreateCheckoutPaymentToken(
    Ctx* context, const orderpb::CheckoutIdRequest* req,
    orderpb::PaymentToken* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(order::PaymentToken t, orders_->CreateCheckoutPaymentToken(
                                                p, req->checkout_id()));
    resp->set_token(t.token);
    resp->set_expires_at_ms(absl::ToUnixMillis(t.expires_at));
    return absl::OkStatus();
  });
}

grpc::Status OrderGrpcService::PayCheckout(Ctx* context,
                                           const orderpb::PayRequest* req,
                                           orderpb::PayCheckoutResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<order::Payment> paid,
                     orders_->PayCheckout(p, req->token()));
    for (const order::Payment& pay : paid) ToProto(pay, resp->add_payments());
    return absl::OkStatus();
  });
}

grpc::Status OrderGrpcService::GetOrder(Ctx* context,
                                        const orderpb::OrderRequest* req,
                                        orderpb::Order* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(order::Order o, orders_->GetOrder(p, req->order_id()));
    ToProto(o, resp);
    return absl::OkStatus();
  });
}

grpc::Status OrderGrpcService::ListMyOrders(
    Ctx* context, const orderpb::ListOrdersRequest* req,
    orderpb::ListOrdersResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(
        Page<order::Order> page,
        orders_->ListMyOrders(p, req->page_token(), req->page_size()));
    for (const order::Order& o : page.items) ToProto(o, resp->add_orders());
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status OrderGrpcService::ListMerchantOrders(
    Ctx* context, const orderpb::ListOrdersRequest* req,
    orderpb::ListOrdersResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(
        Page<order::Order> page,
        orders_->ListMerchantOrders(p, req->page_token(), req->page_size()));
    for (const order::Order& o : page.items) ToProto(o, resp->add_orders());
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status OrderGrpcService::HideOrder(Ctx* context,
                                         const orderpb::OrderRequest* req,
                                         orderpb::Empty*) {
  return WithCaller(context, *req, [&](const Principal& p) {
    return orders_->HideOrder(p, req->order_id());
  });
}

grpc::Status OrderGrpcService::GetLedger(Ctx* context,
                                         const orderpb::GetLedgerRequest* req,
                                         orderpb::GetLedgerResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(order::LedgerPage page,
                     orders_->GetLedger(p, req->merchant_id(),
                                        req->page_token(), req->page_size()));
    for (const order::LedgerEntry& e : page.entries) {
      orderpb::LedgerEntry* out = resp->add_entries();
      out->set_account(e.account);
      out->set_order_id(e.order_id);
      out->set_amount_cents(e.amount_cents);
      out->set_kind(e.kind);
      out->set_created_at_ms(absl::ToUnixMillis(e.created_at));
    }
    std::vector<std::pair<std::string, int64_t>> balances(page.balances.begin(),
                                                          page.balances.end());
    std::sort(balances.begin(), balances.end());  // a stable answer
    for (const auto& [account, cents] : balances) {
      orderpb::AccountBalance* b = resp->add_balances();
      b->set_account(account);
      b->set_balance_cents(cents);
    }
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status OrderGrpcService::CancelOrder(Ctx* context,
                                           const orderpb::OrderRequest* req,
                                           orderpb::Order* resp) {
  return ActOnOrder(context, *req, resp, [&](const Principal& p) {
    return orders_->CancelOrder(p, req->order_id());
  });
}

grpc::Status OrderGrpcService::ChangeAddress(
    Ctx* context, const orderpb::ChangeAddressRequest* req,
    orderpb::Order* resp) {
  return ActOnOrder(context, *req, resp, [&](const Principal& p) {
    return orders_->ChangeAddress(p, req->order_id(), req->address_id());
  });
}

grpc::Status OrderGrpcService::ShipOrder(Ctx* context,
                                         const orderpb::OrderRequest* req,
                                         orderpb::Order* resp) {
  return ActOnOrder(context, *req, resp, [&](const Principal& p) {
    return orders_->Ship(p, req->order_id());
  });
}

grpc::Status OrderGrpcService::ConfirmReceipt(Ctx* context,
                                              const orderpb::OrderRequest* req,
                                              orderpb::Order* resp) {
  return ActOnOrder(context, *req, resp, [&](const Principal& p) {
    return orders_->ConfirmReceipt(p, req->order_id());
  });
}

grpc::Status OrderGrpcService::CreatePaymentToken(
    Ctx* context, const orderpb::OrderRequest* req,
    orderpb::PaymentToken* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(order::PaymentToken t,
                     orders_->CreatePaymentToken(p, req->order_id()));
    resp->set_token(t.token);
    resp->set_expires_at_ms(absl::ToUnixMillis(t.expires_at));
    return absl::OkStatus();
  });
}

grpc::Status OrderGrpcService::Pay(Ctx* context, const orderpb::PayRequest* req,
                                   orderpb::Payment* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(order::Payment pay, orders_->Pay(p, req->token()));
    ToProto(pay, resp);
    return absl::OkStatus();
  });
}

grpc::Status OrderGrpcService::RequestRefund(
    Ctx* context, const orderpb::RequestRefundRequest* req,
    orderpb::Order* resp) {
  return ActOnOrder(context, *req, resp, [&](const Principal& p) {
    return orders_->RequestRefund(p, req->order_id(), req->reason());
  });
}

grpc::Status OrderGrpcService::ReviewRefund(
    Ctx* context, const orderpb::ReviewRefundRequest* req,
    orderpb::Order* resp) {
  return ActOnOrder(context, *req, resp, [&](const Principal& p) {
    return orders_->ReviewRefund(p, req->order_id(), req->approve(),
                                 req->restock());
  });
}

}  // namespace tokkit
