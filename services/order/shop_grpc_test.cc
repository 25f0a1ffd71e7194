// Browse -> cart -> order -> pay -> refund over loopback gRPC, through the
// auth interceptor, on every backend.
#include <grpcpp/grpcpp.h>
#include <soci/soci.h>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "lib/core/log.h"
#include "lib/platform/testing/test_platform.h"
#include "lib/store/sql/testing/test_database.h"
#include "services/commerce/commerce_grpc_service.h"
#include "services/common/testing/grpc_test_server.h"
#include "services/order/order_grpc_service.h"

namespace tokkit {
namespace {

using ::tokkit::testing::BearerContext;
using ::tokkit::testing::GrpcTestServer;
using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;
using ::tokkit::testing::TestPlatform;
namespace cpb = ::tokkit::commerce::v1;
namespace opb = ::tokkit::order::v1;

class ShopGrpcTest
    : public ::testing::TestWithParam<::tokkit::testing::StorageUnderTest> {
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
  // A subcategory, renamed, listed as a tree, then deleted.
  cpb::CreateCategoryRequest sub;
  sub.set_name("Green");
  sub.set_parent_id(category.id());
  cpb::Category green;
  ASSERT_TRUE(shop_->CreateCategory(Ctx(admin).get(), sub, &green).ok());
  EXPECT_EQ(green.parent_id(), category.id());
  cpb::UpdateCategoryRequest rename;
  rename.set_category_id(green.id());
  rename.set_name("Green tea");
  rename.set_parent_id(category.id());
  ASSERT_TRUE(shop_->UpdateCategory(Ctx(admin).get(), rename, &green).ok());
  EXPECT_EQ(green.name(), "Green tea");
  cpb::ListCategoriesResponse cats;
  ASSERT_TRUE(
      shop_->ListCategories(Ctx().get(), cpb::ListCategoriesRequest(), &cats)
          .ok());
  EXPECT_EQ(cats.categories_size(), 2);
  ASSERT_EQ(cats.tree_size(), 1);
  ASSERT_EQ(cats.tree(0).children_size(), 1);
  EXPECT_EQ(cats.tree(0).children(0).name(), "Green tea");
  cpb::CategoryRequest del;
  del.set_category_id(category.id());
  cpb::Empty none;
  EXPECT_EQ(shop_->DeleteCategory(Ctx(admin).get(), del, &none).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  del.set_category_id(green.id());
  EXPECT_EQ(shop_->DeleteCategory(Ctx(merchant).get(), del, &none).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(shop_->DeleteCategory(Ctx(admin).get(), del, &none).ok());
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
  const std::string stranger = Token("stranger");
  EXPECT_EQ(order_->GetOrder(Ctx(stranger).get(), which, &seen).error_code(),
            grpc::StatusCode::NOT_FOUND);  // the buyer's and the merchant's
  ASSERT_TRUE(order_->GetOrder(Ctx(merchant).get(), which, &seen).ok());
  EXPECT_EQ(seen.id(), order.id());

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

  // The ledger: the merchant's own (paid, then refunded: back to 0), an
  // admin's view of everything, nobody else's.
  opb::GetLedgerRequest ledger;
  opb::GetLedgerResponse books;
  ASSERT_TRUE(order_->GetLedger(Ctx(merchant).get(), ledger, &books).ok());
  ASSERT_EQ(books.entries_size(), 2);
  EXPECT_EQ(books.entries(0).order_id(), order.id());
  EXPECT_EQ(books.entries(0).kind(), "refund");
  EXPECT_EQ(books.entries(0).amount_cents(), order.total_cents());
  EXPECT_EQ(books.entries(1).kind(), "payment");
  ASSERT_EQ(books.balances_size(), 1);
  EXPECT_EQ(books.balances(0).account(),
            "merchant:" + std::to_string(merchant_id));
  EXPECT_EQ(books.balances(0).balance_cents(), 0);
  EXPECT_EQ(order_->GetLedger(Ctx(buyer).get(), ledger, &books).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(order_->GetLedger(Ctx(admin).get(), ledger, &books).ok());
  EXPECT_EQ(books.entries_size(), 4);
  EXPECT_EQ(books.balances_size(), 2);
  ledger.set_merchant_id(-1);
  EXPECT_EQ(order_->GetLedger(Ctx(admin).get(), ledger, &books).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // The refunded (closed) order leaves the buyer's list, not the merchant's.
  opb::Empty done;
  ASSERT_TRUE(order_->HideOrder(Ctx(buyer).get(), which, &done).ok());
  opb::ListOrdersResponse listed;
  ASSERT_TRUE(
      order_->ListMyOrders(Ctx(buyer).get(), opb::ListOrdersRequest(), &listed)
          .ok());
  EXPECT_EQ(listed.orders_size(), 0);
  ASSERT_TRUE(order_
                  ->ListMerchantOrders(Ctx(merchant).get(),
                                       opb::ListOrdersRequest(), &listed)
                  .ok());
  EXPECT_EQ(listed.orders_size(), 1);
  EXPECT_EQ(order_->HideOrder(Ctx(merchant).get(), which, &done).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// A shop made through the library: an admin, two merchants with a product
// each in two categories, and a buyer with an address.
struct Shop {
  std::string admin, merchant, other_merchant, buyer;
  int64_t merchant_id = 0, other_merchant_id = 0, address = 0;
  int64_t tea = 0, cups = 0;  // category ids
  commerce::Product green_tea, teacup;
};

Shop MakeShop(TestPlatform& tp) {
  Shop s;
  auto& accounts = tp.platform().accounts();
  auto& commerce = tp.platform().commerce();
  s.admin = tp.SignUp("boss")->tokens.access_token;
  EXPECT_TRUE(accounts.GrantAdmin("boss").ok());
  const account::Principal admin = *accounts.Authenticate(s.admin);
  auto merchant = [&](const std::string& name, int64_t* id) {
    const std::string token = tp.SignUp(name)->tokens.access_token;
    *id = accounts.Authenticate(token)->user_id;
    EXPECT_TRUE(accounts.SetRole(admin, *id, account::Role::kMerchant).ok());
    return token;
  };
  s.merchant = merchant("teashop", &s.merchant_id);
  s.other_merchant = merchant("potter", &s.other_merchant_id);
  s.buyer = tp.SignUp("buyer")->tokens.access_token;
  account::Address home;
  home.recipient = "Mei";
  home.phone = "+86 138 0000 0000";
  home.line1 = "88 West Lake Rd";
  home.city = "Hangzhou";
  home.country_code = "CN";
  s.address = accounts.AddAddress(*accounts.Authenticate(s.buyer), home)->id;
  s.tea = commerce.CreateCategory(admin, "Tea")->id;
  s.cups = commerce.CreateCategory(admin, "Cups")->id;
  commerce::NewProduct tea;
  tea.category_id = s.tea;
  tea.name = "Longjing green tea";
  tea.for_sale = true;
  tea.skus = {{"250g", 12800, 20}};
  s.green_tea =
      *commerce.CreateProduct(*accounts.Authenticate(s.merchant), tea);
  commerce::NewProduct cup;
  cup.category_id = s.cups;
  cup.name = "Celadon teacup";
  cup.for_sale = true;
  cup.skus = {{"white", 3500, 50}};
  s.teacup =
      *commerce.CreateProduct(*accounts.Authenticate(s.other_merchant), cup);
  return s;
}

// Regression: ListProducts with category_id or merchant_id failed on
// PostgreSQL (a parameter typed int4 against 64-bit ids).
TEST_P(ShopGrpcTest, EveryProductFilterWorksWithRealIds) {
  Shop s = MakeShop(*tp_);
  ASSERT_GT(s.tea, int64_t{1} << 32);  // ids really are 64-bit
  ASSERT_GT(s.merchant_id, int64_t{1} << 32);
  auto names = [&](const cpb::ListProductsRequest& req) {
    cpb::ListProductsResponse resp;
    grpc::Status st = shop_->ListProducts(Ctx().get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::vector<std::string> out;
    for (const auto& p : resp.products()) out.push_back(p.name());
    return out;
  };
  using V = std::vector<std::string>;
  cpb::ListProductsRequest all;
  EXPECT_EQ(names(all), (V{"Celadon teacup", "Longjing green tea"}));
  cpb::ListProductsRequest by_category;
  by_category.set_category_id(s.tea);
  EXPECT_EQ(names(by_category), V{"Longjing green tea"});
  cpb::ListProductsRequest by_merchant;
  by_merchant.set_merchant_id(s.other_merchant_id);
  EXPECT_EQ(names(by_merchant), V{"Celadon teacup"});
  cpb::ListProductsRequest by_both = by_category;
  by_both.set_merchant_id(s.other_merchant_id);
  EXPECT_EQ(names(by_both), V{});
  cpb::ListProductsRequest by_keyword;
  by_keyword.set_keyword("celadon");
  EXPECT_EQ(names(by_keyword), V{"Celadon teacup"});
  cpb::ListProductsRequest by_price;
  by_price.set_min_price_cents(4000);
  EXPECT_EQ(names(by_price), V{"Longjing green tea"});
  by_price.set_min_price_cents(0);
  by_price.set_max_price_cents(4000);
  EXPECT_EQ(names(by_price), V{"Celadon teacup"});
  cpb::ListProductsRequest everything = by_category;
  everything.set_merchant_id(s.merchant_id);
  everything.set_keyword("tea");
  everything.set_min_price_cents(100);
  everything.set_max_price_cents(20000);
  EXPECT_EQ(names(everything), V{"Longjing green tea"});
  // Paging with a filter keeps to the filter.
  cpb::ListProductsRequest paged;
  paged.set_page_size(1);
  paged.set_merchant_id(s.merchant_id);
  cpb::ListProductsResponse page;
  ASSERT_TRUE(shop_->ListProducts(Ctx().get(), paged, &page).ok());
  ASSERT_EQ(page.products_size(), 1);
  paged.set_page_token(page.next_page_token());
  EXPECT_EQ(names(paged), V{});
}

// SKU management and soft deletion over gRPC: NewSku.for_sale unset means
// for sale; another merchant is refused; a deleted product leaves listings
// and is restored by its owner.
TEST_P(ShopGrpcTest, MerchantsManageSkusAndDeleteProducts) {
  Shop s = MakeShop(*tp_);
  const int64_t product = s.green_tea.spu.id;
  cpb::AddSkuRequest add;
  add.set_product_id(product);
  add.mutable_sku()->set_attributes("500g");
  add.mutable_sku()->set_description("Family size");
  add.mutable_sku()->set_price_cents(22000);
  add.mutable_sku()->set_stock(5);
  cpb::Sku sku;
  EXPECT_EQ(shop_->AddSku(Ctx(s.other_merchant).get(), add, &sku).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(shop_->AddSku(Ctx(s.merchant).get(), add, &sku).ok());
  EXPECT_TRUE(sku.for_sale());
  EXPECT_EQ(sku.description(), "Family size");
  cpb::UpdateSkuRequest update;
  update.set_sku_id(sku.id());
  update.set_attributes("500g tin");
  update.set_for_sale(false);
  cpb::Sku updated;
  ASSERT_TRUE(shop_->UpdateSku(Ctx(s.merchant).get(), update, &updated).ok());
  EXPECT_EQ(updated.attributes(), "500g tin");
  EXPECT_FALSE(updated.for_sale());
  EXPECT_EQ(updated.description(), "");
  cpb::SkuRequest which;
  which.set_sku_id(sku.id());
  cpb::Empty empty;
  ASSERT_TRUE(shop_->DeleteSku(Ctx(s.merchant).get(), which, &empty).ok());
  which.set_sku_id(s.green_tea.skus[0].id);
  EXPECT_EQ(shop_->DeleteSku(Ctx(s.merchant).get(), which, &empty).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // the last one

  cpb::ProductRequest req;
  req.set_product_id(product);
  EXPECT_EQ(shop_->DeleteProduct(Ctx(s.other_merchant).get(), req, &empty)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(shop_->DeleteProduct(Ctx(s.merchant).get(), req, &empty).ok());
  cpb::Product got;
  EXPECT_EQ(shop_->GetProduct(Ctx().get(), req, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  cpb::ListProductsResponse listed;
  ASSERT_TRUE(
      shop_->ListProducts(Ctx().get(), cpb::ListProductsRequest(), &listed)
          .ok());
  ASSERT_EQ(listed.products_size(), 1);
  EXPECT_EQ(listed.products(0).name(), "Celadon teacup");
  cpb::ListProductsResponse bin;
  ASSERT_TRUE(shop_
                  ->ListDeletedProducts(Ctx(s.merchant).get(),
                                        cpb::ListDeletedProductsRequest(), &bin)
                  .ok());
  ASSERT_EQ(bin.products_size(), 1);
  EXPECT_TRUE(bin.products(0).deleted());
  EXPECT_EQ(shop_
                ->ListDeletedProducts(Ctx(s.buyer).get(),
                                      cpb::ListDeletedProductsRequest(), &bin)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(shop_->RestoreProduct(Ctx(s.merchant).get(), req, &got).ok());
  EXPECT_FALSE(got.deleted());
  ASSERT_EQ(got.skus_size(), 1);
  EXPECT_EQ(got.skus(0).attributes(), "250g");
}

// Image management over gRPC: the answers carry the product as it is now,
// and a SKU's image_url follows the image it shows.
TEST_P(ShopGrpcTest, MerchantsManageProductImages) {
  Shop s = MakeShop(*tp_);
  const int64_t product = s.green_tea.spu.id;
  const std::string png = std::string("\x89PNG\r\n\x1A\n", 8) + "leaf";
  for (int i = 0; i < 3; ++i) {
    cpb::AddProductImageRequest add;
    add.set_product_id(product);
    add.set_image(png + std::to_string(i));
    cpb::AddProductImageResponse added;
    ASSERT_TRUE(
        shop_->AddProductImage(Ctx(s.merchant).get(), add, &added).ok());
    EXPECT_EQ(added.image_index(), i);
  }
  cpb::SetSkuImageRequest show;
  show.set_sku_id(s.green_tea.skus[0].id);
  show.set_image_index(1);
  cpb::Product got;
  ASSERT_TRUE(shop_->SetSkuImage(Ctx(s.merchant).get(), show, &got).ok());
  EXPECT_EQ(got.skus(0).image_url(), got.image_urls(1));
  cpb::ReorderProductImagesRequest reorder;
  reorder.set_product_id(product);
  for (int i : {1, 2, 0}) reorder.add_order(i);
  ASSERT_TRUE(
      shop_->ReorderProductImages(Ctx(s.merchant).get(), reorder, &got).ok());
  EXPECT_EQ(got.skus(0).image_url(), got.image_urls(0));  // it moved first
  reorder.add_order(0);
  EXPECT_EQ(shop_->ReorderProductImages(Ctx(s.merchant).get(), reorder, &got)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  cpb::ReplaceProductImageRequest replace;
  replace.set_product_id(product);
  replace.set_index(0);
  replace.set_image("not an image");
  EXPECT_EQ(shop_->ReplaceProductImage(Ctx(s.merchant).get(), replace, &got)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  replace.set_image(png + "new");
  EXPECT_EQ(
      shop_->ReplaceProductImage(Ctx(s.other_merchant).get(), replace, &got)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      shop_->ReplaceProductImage(Ctx(s.merchant).get(), replace, &got).ok());
  EXPECT_EQ(got.skus(0).image_url(), got.image_urls(0));
  cpb::ProductImageRequest remove;
  remove.set_product_id(product);
  remove.set_index(0);
  ASSERT_TRUE(
      shop_->DeleteProductImage(Ctx(s.merchant).get(), remove, &got).ok());
  EXPECT_EQ(got.image_count(), 2);
  EXPECT_EQ(got.skus(0).image_url(), "");
  remove.set_index(5);
  EXPECT_EQ(shop_->DeleteProductImage(Ctx(s.merchant).get(), remove, &got)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  show.clear_image_index();
  ASSERT_TRUE(shop_->SetSkuImage(Ctx(s.merchant).get(), show, &got).ok());
  EXPECT_EQ(got.skus(0).image_url(), "");
}

// Product search over gRPC: public, with a total, filters and paging.
TEST_P(ShopGrpcTest, SearchProductsIsPublicAndCounts) {
  Shop s = MakeShop(*tp_);
  cpb::SearchProductsRequest req;
  req.set_query("TEA");
  cpb::SearchProductsResponse resp;
  ASSERT_TRUE(shop_->SearchProducts(Ctx().get(), req, &resp).ok());
  ASSERT_EQ(resp.products_size(), 1);
  EXPECT_EQ(resp.products(0).name(), "Longjing green tea");
  EXPECT_EQ(resp.total(), 1);
  req.set_query("");
  req.set_page_size(1);
  ASSERT_TRUE(shop_->SearchProducts(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.products_size(), 1);
  EXPECT_EQ(resp.total(), 2);
  EXPECT_FALSE(resp.next_page_token().empty());
  req.set_category_id(s.cups);
  ASSERT_TRUE(shop_->SearchProducts(Ctx().get(), req, &resp).ok());
  ASSERT_EQ(resp.products_size(), 1);
  EXPECT_EQ(resp.products(0).name(), "Celadon teacup");
  req.set_page_token("not a token");
  EXPECT_EQ(shop_->SearchProducts(Ctx().get(), req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// A two-shop cart checks out and pays once over gRPC.
TEST_P(ShopGrpcTest, MultiShopCheckoutPaysOnce) {
  Shop s = MakeShop(*tp_);
  opb::CheckoutRequest req;
  req.set_address_id(s.address);
  req.set_idempotency_key("two-shops");
  opb::CheckoutGroup checkout;
  EXPECT_EQ(order_->Checkout(Ctx(s.buyer).get(), req, &checkout).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // empty cart
  for (const commerce::Product* p : {&s.green_tea, &s.teacup}) {
    cpb::PutInCartRequest put;
    put.set_sku_id(p->skus[0].id);
    put.set_quantity(1);
    cpb::Cart cart;
    ASSERT_TRUE(shop_->PutInCart(Ctx(s.buyer).get(), put, &cart).ok());
  }
  ASSERT_TRUE(order_->Checkout(Ctx(s.buyer).get(), req, &checkout).ok());
  ASSERT_EQ(checkout.orders_size(), 2);
  EXPECT_NE(checkout.orders(0).merchant_id(), checkout.orders(1).merchant_id());
  EXPECT_EQ(checkout.orders(0).checkout_id(), checkout.id());
  EXPECT_EQ(checkout.total_cents(), checkout.orders(0).total_cents() +
                                        checkout.orders(1).total_cents());
  opb::CheckoutIdRequest which;
  which.set_checkout_id(checkout.id());
  opb::PaymentToken token;
  EXPECT_EQ(
      order_->CreateCheckoutPaymentToken(Ctx(s.merchant).get(), which, &token)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(
      order_->CreateCheckoutPaymentToken(Ctx(s.buyer).get(), which, &token)
          .ok());
  opb::PayRequest pay;
  pay.set_token(token.token());
  opb::PayCheckoutResponse paid;
  ASSERT_TRUE(order_->PayCheckout(Ctx(s.buyer).get(), pay, &paid).ok());
  ASSERT_EQ(paid.payments_size(), 2);
  for (const opb::Payment& p : paid.payments()) {
    EXPECT_EQ(p.status(), opb::PAYMENT_SUCCEEDED);
  }
  EXPECT_EQ(tp_->platform().simulated_payments()->charges(), 1);
  ASSERT_TRUE(order_->GetCheckout(Ctx(s.buyer).get(), which, &checkout).ok());
  for (const opb::Order& o : checkout.orders()) {
    EXPECT_EQ(o.status(), opb::PAID);
  }
  EXPECT_EQ(
      order_->GetCheckout(Ctx(s.merchant).get(), which, &checkout).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

// Platform coupons over gRPC: admins issue them, buyers find and claim
// them, orders carry the platform's part of the discount.
TEST_P(ShopGrpcTest, PlatformCouponsReachOrders) {
  Shop s = MakeShop(*tp_);
  cpb::Coupon terms;
  terms.set_name("Site-wide");
  terms.set_kind(cpb::COUPON_KIND_AMOUNT_OFF);
  terms.set_amount_off_cents(800);
  terms.set_total_limit(10);
  terms.set_per_user_limit(1);
  const int64_t now = absl::ToUnixMillis(tp_->clock().Now());
  terms.set_claim_start_ms(now - 1000);
  terms.set_claim_end_ms(now + 3600 * 1000);
  terms.set_valid_for_ms(3600 * 1000);
  cpb::Coupon made;
  EXPECT_EQ(shop_->CreatePlatformCoupon(Ctx(s.merchant).get(), terms, &made)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      shop_->CreatePlatformCoupon(Ctx(s.admin).get(), terms, &made).ok());
  EXPECT_EQ(made.merchant_id(), 0);
  cpb::ListClaimableCouponsRequest list;
  list.set_platform(true);
  cpb::ListClaimableCouponsResponse claimable;
  ASSERT_TRUE(shop_->ListClaimableCoupons(Ctx().get(), list, &claimable).ok());
  ASSERT_EQ(claimable.coupons_size(), 1);
  cpb::CouponRequest claim;
  claim.set_coupon_id(made.id());
  cpb::UserCoupon mine;
  ASSERT_TRUE(shop_->ClaimCoupon(Ctx(s.buyer).get(), claim, &mine).ok());
  opb::CreateOrderRequest order;
  opb::OrderLine* line = order.add_lines();
  line->set_sku_id(s.teacup.skus[0].id);
  line->set_quantity(1);
  order.set_address_id(s.address);
  order.set_coupon_mode(opb::COUPON_BEST);
  order.set_idempotency_key("platform");
  opb::Order placed;
  ASSERT_TRUE(order_->CreateOrder(Ctx(s.buyer).get(), order, &placed).ok());
  EXPECT_EQ(placed.platform_user_coupon_id(), mine.id());
  EXPECT_EQ(placed.platform_discount_cents(), 800);
  EXPECT_EQ(placed.discount_cents(), 800);
}

// Regression: a huge stock delta overflowed (SQLite) or leaked a driver
// error (PostgreSQL).
TEST_P(ShopGrpcTest, StockIsBounded) {
  Shop s = MakeShop(*tp_);
  cpb::AddStockRequest add;
  add.set_sku_id(s.green_tea.skus[0].id);
  add.set_delta(9223372036854775798);
  cpb::Sku sku;
  grpc::Status st = shop_->AddStock(Ctx(s.merchant).get(), add, &sku);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(st.error_message(), "1000000000"))
      << st.error_message();
  add.set_delta(commerce::kMaxStock);  // 20 + max is over the bound too
  st = shop_->AddStock(Ctx(s.merchant).get(), add, &sku);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  add.set_delta(-21);
  EXPECT_EQ(shop_->AddStock(Ctx(s.merchant).get(), add, &sku).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  add.set_delta(commerce::kMaxStock - 20);
  ASSERT_TRUE(shop_->AddStock(Ctx(s.merchant).get(), add, &sku).ok());
  EXPECT_EQ(sku.stock(), commerce::kMaxStock);
  cpb::CreateProductRequest np;
  np.set_category_id(s.tea);
  np.set_name("Too much tea");
  cpb::NewSku* big = np.add_skus();
  big->set_price_cents(100);
  big->set_stock(commerce::kMaxStock + 1);
  cpb::Product product;
  EXPECT_EQ(
      shop_->CreateProduct(Ctx(s.merchant).get(), np, &product).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

// Regression: unknown enum values were stored or read as a default.
TEST_P(ShopGrpcTest, UnknownEnumValuesAreRefused) {
  Shop s = MakeShop(*tp_);
  cpb::Coupon coupon;
  coupon.set_name("mystery");
  coupon.set_kind(cpb::COUPON_KIND_AMOUNT_OFF);
  coupon.set_amount_off_cents(100);
  coupon.set_scope(static_cast<cpb::CouponScope>(9));
  coupon.set_total_limit(10);
  coupon.set_per_user_limit(1);
  coupon.set_claim_start_ms(absl::ToUnixMillis(tp_->clock().Now()));
  coupon.set_claim_end_ms(
      absl::ToUnixMillis(tp_->clock().Now() + absl::Hours(1)));
  coupon.set_valid_for_ms(3600000);
  cpb::Coupon made;
  grpc::Status st = shop_->CreateCoupon(Ctx(s.merchant).get(), coupon, &made);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(st.error_message(), "scope has no value 9"))
      << st.error_message();
  int coupons = -1;
  ASSERT_TRUE(tp_->platform()
                  .database()
                  .Run([&](soci::session& sql) {
                    sql << "SELECT COUNT(*) FROM coupons", soci::into(coupons);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(coupons, 0);  // nothing stored

  opb::CreateOrderRequest create;
  opb::OrderLine* line = create.add_lines();
  line->set_sku_id(s.green_tea.skus[0].id);
  line->set_quantity(1);
  create.set_address_id(s.address);
  create.set_coupon_mode(static_cast<opb::CouponMode>(9));
  create.set_idempotency_key("enum-9");
  opb::Order order;
  EXPECT_EQ(
      order_->CreateOrder(Ctx(s.buyer).get(), create, &order).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  create.set_coupon_mode(opb::COUPON_NONE);
  EXPECT_TRUE(order_->CreateOrder(Ctx(s.buyer).get(), create, &order).ok());
}

// Regression: ShipOrder and ReviewRefund answered the merchant with an empty
// order.
TEST_P(ShopGrpcTest, ActionsAnswerWithTheUpdatedOrder) {
  Shop s = MakeShop(*tp_);
  auto buy = [&](const std::string& key) {
    opb::CreateOrderRequest create;
    opb::OrderLine* line = create.add_lines();
    line->set_sku_id(s.green_tea.skus[0].id);
    line->set_quantity(1);
    create.set_address_id(s.address);
    create.set_idempotency_key(key);
    opb::Order order;
    EXPECT_TRUE(order_->CreateOrder(Ctx(s.buyer).get(), create, &order).ok());
    opb::OrderRequest which;
    which.set_order_id(order.id());
    opb::PaymentToken token;
    EXPECT_TRUE(
        order_->CreatePaymentToken(Ctx(s.buyer).get(), which, &token).ok());
    opb::PayRequest pay;
    pay.set_token(token.token());
    opb::Payment payment;
    EXPECT_TRUE(order_->Pay(Ctx(s.buyer).get(), pay, &payment).ok());
    return order.id();
  };
  const int64_t shipped_id = buy("ship-me");
  opb::OrderRequest ship;
  ship.set_order_id(shipped_id);
  opb::Order shipped;
  ASSERT_TRUE(order_->ShipOrder(Ctx(s.merchant).get(), ship, &shipped).ok());
  EXPECT_EQ(shipped.id(), shipped_id);
  EXPECT_EQ(shipped.status(), opb::SHIPPED);
  EXPECT_EQ(shipped.items_size(), 1);
  EXPECT_EQ(shipped.address().city(), "Hangzhou");

  const int64_t refund_id = buy("refund-me");
  opb::RequestRefundRequest request;
  request.set_order_id(refund_id);
  request.set_reason("arrived broken");
  opb::Order requested;
  ASSERT_TRUE(
      order_->RequestRefund(Ctx(s.buyer).get(), request, &requested).ok());
  EXPECT_EQ(requested.status(), opb::REFUND_REQUESTED);
  opb::ReviewRefundRequest review;
  review.set_order_id(refund_id);
  review.set_approve(true);
  opb::Order reviewed;
  ASSERT_TRUE(
      order_->ReviewRefund(Ctx(s.merchant).get(), review, &reviewed).ok());
  EXPECT_EQ(reviewed.id(), refund_id);
  EXPECT_EQ(reviewed.status(), opb::REFUNDED);
  // Another merchant may not act on it, and learns nothing.
  opb::Order other;
  EXPECT_EQ(
      order_->ShipOrder(Ctx(s.other_merchant).get(), ship, &other).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(other.id(), 0);
}

// Regression: driver messages with SQL reached clients.
TEST_P(ShopGrpcTest, InternalErrorsReachTheLogNotTheClient) {
  Shop s = MakeShop(*tp_);
  ASSERT_TRUE(tp_->platform()
                  .database()
                  .Run([](soci::session& sql) {
                    sql << "DROP TABLE cart_items";
                    return absl::OkStatus();
                  })
                  .ok());
  log::ScopedCapture capture;
  auto ctx = Ctx(s.buyer);
  ctx->AddMetadata("x-request-id", "drop-table-1");
  cpb::Cart cart;
  grpc::Status st = shop_->GetCart(ctx.get(), cpb::Empty(), &cart);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(st.error_message(), "internal error (request id drop-table-1)");
  // The detail, with the request id, is in the server's log.
  bool logged = false;
  for (const std::string& line : capture.lines()) {
    logged |= absl::StrContains(line, "request_id=drop-table-1") &&
              absl::StrContains(line, "cart_items");
  }
  EXPECT_TRUE(logged);
}

INSTANTIATE_TEST_SUITE_P(Backends, ShopGrpcTest,
                         ::testing::ValuesIn(SqlStorages()), StorageTestName);

}  // namespace
}  // namespace tokkit
