// gRPC adapter of the order domain (orders, payments, refunds).
#ifndef TOKKIT_SERVICES_ORDER_ORDER_GRPC_SERVICE_H_
#define TOKKIT_SERVICES_ORDER_ORDER_GRPC_SERVICE_H_

#include "lib/order/order_service.h"
#include "proto/tokkit/order/v1/order.grpc.pb.h"

namespace tokkit {

namespace orderpb = ::tokkit::order::v1;

class OrderGrpcService final : public orderpb::OrderService::Service {
 public:
  explicit OrderGrpcService(order::OrderService* orders) : orders_(orders) {}

  using Ctx = grpc::ServerContext;
  grpc::Status CreateOrder(Ctx* context,
                           const orderpb::CreateOrderRequest* request,
                           orderpb::Order* response) override;
  grpc::Status CheckoutCart(Ctx* context,
                            const orderpb::CheckoutCartRequest* request,
                            orderpb::Order* response) override;
  grpc::Status Checkout(Ctx* context, const orderpb::CheckoutRequest* request,
                        orderpb::CheckoutGroup* response) override;
  grpc::Status GetCheckout(Ctx* context,
                           const orderpb::CheckoutIdRequest* request,
                           orderpb::CheckoutGroup* response) override;
  grpc::Status CreateCheckoutPaymentToken(
      Ctx* context, const orderpb::CheckoutIdRequest* request,
      orderpb::PaymentToken* response) override;
  grpc::Status PayCheckout(Ctx* context, const orderpb::PayRequest* request,
                           orderpb::PayCheckoutResponse* response) override;
  grpc::Status GetOrder(Ctx* context, const orderpb::OrderRequest* request,
                        orderpb::Order* response) override;
  grpc::Status ListMyOrders(Ctx* context,
                            const orderpb::ListOrdersRequest* request,
                            orderpb::ListOrdersResponse* response) override;
  grpc::Status ListMerchantOrders(
      Ctx* context, const orderpb::ListOrdersRequest* request,
      orderpb::ListOrdersResponse* response) override;
  grpc::Status HideOrder(Ctx* context, const orderpb::OrderRequest* request,
                         orderpb::Empty* response) override;
  grpc::Status GetLedger(Ctx* context, const orderpb::GetLedgerRequest* request,
                         orderpb::GetLedgerResponse* response) override;
  grpc::Status CancelOrder(Ctx* context, const orderpb::OrderRequest* request,
                           orderpb::Order* response) override;
  grpc::Status ChangeAddress(Ctx* context,
                             const orderpb::ChangeAddressRequest* request,
                             orderpb::Order* response) override;
  grpc::Status ShipOrder(Ctx* context, const orderpb::OrderRequest* request,
                         orderpb::Order* response) override;
  grpc::Status ConfirmReceipt(Ctx* context,
                              const orderpb::OrderRequest* request,
                              orderpb::Order* response) override;
  grpc::Status CreatePaymentToken(Ctx* context,
                                  const orderpb::OrderRequest* request,
                                  orderpb::PaymentToken* response) override;
  grpc::Status Pay(Ctx* context, const orderpb::PayRequest* request,
                   orderpb::Payment* response) override;
  grpc::Status RequestRefund(Ctx* context,
                             const orderpb::RequestRefundRequest* request,
                             orderpb::Order* response) override;
  grpc::Status ReviewRefund(Ctx* context,
                            const orderpb::ReviewRefundRequest* request,
                            orderpb::Order* response) override;

 private:
  order::OrderService* const orders_;
};

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_ORDER_ORDER_GRPC_SERVICE_H_
