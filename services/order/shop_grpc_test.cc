// Browse -> cart -> order -> pay -> refund over loopback gRPC, through the
// auth interceptor, on every backend.
#include <grpcpp/grpcpp.h>

#include "gtest/gtest.h"
#include "lib/platform/testing/test_platform.h"
#include "lib/store/sql/testing/test_database.h"
#include "services/commerce/commerce_grpc_service.h"
#include "services/common/testing/grpc_test_server.h"
#include "services/order/order_grpc_service.h"

namespace tokkit {
namespace {

using ::tokkit::testing::BearerContext;
using ::tokkit::testing::GrpcTestServer;
using ::tokkit::testing::TestBackends;
using ::tokkit::testing::TestPlatform;
namespace cpb = ::tokkit::commerce::v1;
namespace opb = ::tokkit::order::v1;

class ShopGrpcTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto t = TestPlatform::Create(GetParam(), [](PlatformConfig& c) {
      c.orders.expiry_sweep_interval = absl::ZeroDuration();
    });
    ASSERT_TRUE(t.ok()) << t.status();
    tp_ = std::move(*t);
    commerce_ =
        std::make_unique<CommerceGrpcService>(&tp_->platform().commerce());
    orders_ = std::make_unique<OrderGrpcService>(&tp_->platform().orders());
    auto server = GrpcTestServer::Start(tp_->platform(),
                                        {commerce_.get(), orders_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    auto channel = server_->channel();
    shop_ = cpb::CommerceService::NewStub(channel);
    order_ = opb::OrderService::NewStub(channel);
  }

  std::string Token(const std::string& name) {
    return tp_->SignUp(name)->tokens.access_token;
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token = "") {
    return BearerContext(token);
  }

  std::unique_ptr<TestPlatform> tp_;
  std::unique_ptr<CommerceGrpcService> commerce_;
  std::unique_ptr<OrderGrpcService> orders_;
  std::unique_ptr<GrpcTestServer> server_;
  std::unique_ptr<cpb::CommerceService::Stub> shop_;
  std::unique_ptr<opb::OrderService::Stub> order_;
};

TEST_P(ShopGrpcTest, BrowseCartOrderPayRefund) {
  auto& accounts = tp_->platform().accounts();
  const std::string admin = Token("boss");
  ASSERT_TRUE(accounts.GrantAdmin("boss").ok());
  const std::string merchant = Token("teashop");
  const int64_t merchant_id = accounts.Authenticate(merchant)->user_id;
  ASSERT_TRUE(accounts
                  .SetRole(*accounts.Authenticate(admin), merchant_id,
                           account::Role::kMerchant)
                  .ok());
  const std::string buyer = Token("buyer");
  account::Address home;
  home.recipient = "Mei";
  home.phone = "+86 138 0000 0000";
  home.line1 = "88 West Lake Rd";
  home.city = "Hangzhou";
  home.country_code = "CN";
  const int64_t address =
      accounts.AddAddress(*accounts.Authenticate(buyer), home)->id;

  // Catalogue.
  cpb::CreateCategoryRequest cat;
  cat.set_name("Tea");
  cpb::Category category;
  EXPECT_EQ(
      shop_->CreateCategory(Ctx(merchant).get(), cat, &category).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(shop_->CreateCategory(Ctx(admin).get(), cat, &category).ok());
  cpb::CreateProductRequest np;
  np.set_category_id(category.id());
  np.set_name("Longjing green tea");
  np.set_for_sale(true);
  np.set_shipping_cents(600);
  cpb::NewSku* sku = np.add_skus();
  sku->set_attributes("weight=250g");
  sku->set_price_cents(12800);
  sku->set_stock(20);
  cpb::Product product;
  EXPECT_EQ(shop_->CreateProduct(Ctx(buyer).get(), np, &product).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(shop_->CreateProduct(Ctx(merchant).get(), np, &product).ok());
  const int64_t sku_id = product.skus(0).id();

  cpb::ListProductsRequest browse;
  browse.set_keyword("green");
  cpb::ListProductsResponse found;
  ASSERT_TRUE(
      shop_->ListProducts(Ctx().get(), browse, &found).ok());  // anonymous
  ASSERT_EQ(found.products_size(), 1);

  cpb::Coupon coupon;
  coupon.set_name("10% off tea");
  coupon.set_kind(cpb::COUPON_KIND_PERCENT_OFF);
  coupon.set_percent_off(10);
  coupon.set_total_limit(100);
  coupon.set_per_user_limit(1);
  coupon.set_claim_start_ms(
      absl::ToUnixMillis(tp_->clock().Now() - absl::Hours(1)));
  coupon.set_claim_end_ms(
      absl::ToUnixMillis(tp_->clock().Now() + absl::Hours(1)));
  coupon.set_valid_for_ms(86400000);
  cpb::Coupon made;
  ASSERT_TRUE(shop_->CreateCoupon(Ctx(merchant).get(), coupon, &made).ok());
  cpb::CouponRequest claim;
  claim.set_coupon_id(made.id());
  cpb::UserCoupon mine;
  ASSERT_TRUE(shop_->ClaimCoupon(Ctx(buyer).get(), claim, &mine).ok());

  // Cart and checkout.
  cpb::PutInCartRequest put;
  put.set_sku_id(sku_id);
  put.set_quantity(2);
  cpb::Cart cart;
  ASSERT_TRUE(shop_->PutInCart(Ctx(buyer).get(), put, &cart).ok());
  EXPECT_EQ(cart.subtotal_cents(), 25600);
  put.set_quantity(100);
  EXPECT_EQ(shop_->PutInCart(Ctx(buyer).get(), put, &cart).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  opb::CheckoutCartRequest checkout;
  checkout.set_address_id(address);
  checkout.set_coupon_mode(opb::COUPON_BEST);
  checkout.set_idempotency_key("checkout-1");
  opb::Order order;
  ASSERT_TRUE(order_->CheckoutCart(Ctx(buyer).get(), checkout, &order).ok());
  EXPECT_EQ(order.status(), opb::PENDING_PAYMENT);
  EXPECT_EQ(order.items_total_cents(), 25600);
  EXPECT_EQ(order.discount_cents(), 2560);
  EXPECT_EQ(order.total_cents(), 25600 - 2560 + 600);
  EXPECT_EQ(order.address().city(), "Hangzhou");
  opb::Order retried;
  ASSERT_TRUE(order_->CheckoutCart(Ctx(buyer).get(), checkout, &retried).ok());
  EXPECT_EQ(retried.id(), order.id());
  ASSERT_TRUE(shop_->GetCart(Ctx(buyer).get(), cpb::Empty(), &cart).ok());
  EXPECT_EQ(cart.lines_size(), 0);

  opb::OrderRequest which;
  which.set_order_id(order.id());
  opb::Order seen;
  EXPECT_EQ(order_->GetOrder(Ctx(merchant).get(), which, &seen).error_code(),
            grpc::StatusCode::NOT_FOUND);  // the buyer's alone

  // Pay, twice: one charge.
  opb::PaymentToken token;
  ASSERT_TRUE(order_->CreatePaymentToken(Ctx(buyer).get(), which, &token).ok());
  opb::PayRequest pay;
  pay.set_token(token.token());
  opb::Payment payment, again;
  ASSERT_TRUE(order_->Pay(Ctx(buyer).get(), pay, &payment).ok());
  ASSERT_TRUE(order_->Pay(Ctx(buyer).get(), pay, &again).ok());
  EXPECT_EQ(payment.status(), opb::PAYMENT_SUCCEEDED);
  EXPECT_EQ(again.id(), payment.id());
  EXPECT_EQ(tp_->platform().simulated_payments()->charges(), 1);

  // Refund, reviewed by the merchant.
  opb::RequestRefundRequest refund;
  refund.set_order_id(order.id());
  refund.set_reason("ordered twice by mistake");
  opb::Order refunding;
  ASSERT_TRUE(order_->RequestRefund(Ctx(buyer).get(), refund, &refunding).ok());
  EXPECT_EQ(refunding.status(), opb::REFUND_REQUESTED);
  opb::ReviewRefundRequest review;
  review.set_order_id(order.id());
  review.set_approve(true);
  review.set_restock(true);
  opb::Order reviewed;
  EXPECT_EQ(
      order_->ReviewRefund(Ctx(buyer).get(), review, &reviewed).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      order_->ReviewRefund(Ctx(merchant).get(), review, &reviewed).ok());
  ASSERT_TRUE(order_->GetOrder(Ctx(buyer).get(), which, &seen).ok());
  EXPECT_EQ(seen.status(), opb::REFUNDED);
  cpb::ProductRequest pr;
  pr.set_product_id(product.id());
  cpb::Product after;
  ASSERT_TRUE(shop_->GetProduct(Ctx().get(), pr, &after).ok());
  EXPECT_EQ(after.skus(0).stock(), 20);
  EXPECT_EQ(tp_->platform().simulated_payments()->charged_cents(), 0);

  // Illegal transitions are refused with a clear status.
  EXPECT_EQ(order_->ShipOrder(Ctx(merchant).get(), which, &seen).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(order_->Pay(Ctx().get(), pay, &again).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

INSTANTIATE_TEST_SUITE_P(Backends, ShopGrpcTest,
                         ::testing::ValuesIn(TestBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tokkit
