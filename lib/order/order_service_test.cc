// Catalogue, coupons, cart, orders, payments, refunds and the ledger through
// the Platform, on every SQL backend.
#include "lib/order/order_service.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "lib/commerce/pricing.h"
#include "lib/order/testing/shop_test.h"
#include "lib/platform/testing/test_platform.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit::order {
namespace {

using commerce::CouponKind;
using commerce::CouponScope;
using ::tokkit::order::testing::ShopTest;
using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;
using ::tokkit::testing::TestPlatform;

TEST_P(ShopTest, CatalogueOwnershipPriceHistoryAndSearch) {
  Principal buyer = User("buyer");
  EXPECT_EQ(commerce().CreateCategory(admin_, "Kitchen").status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(commerce().CreateCategory(merchant_, "Toys").status().code(),
            absl::StatusCode::kPermissionDenied);
  commerce::NewProduct p;
  p.category_id = category_;
  p.name = "100% cotton apron_XL";
  p.skus = {{"red", 1999, 5}, {"blue", 2499, 0}};
  EXPECT_EQ(commerce().CreateProduct(buyer, p).status().code(),
            absl::StatusCode::kPermissionDenied);
  commerce::Product apron = *commerce().CreateProduct(merchant_, p);
  EXPECT_EQ(apron.spu.min_price_cents, 1999);
  Product(5000, 1, "Cast iron pan");

  // Owner-only edits; every price change is a new version with history.
  EXPECT_EQ(commerce().SetPrice(buyer, apron.skus[0].id, 1).status().code(),
            absl::StatusCode::kPermissionDenied);
  commerce::Sku repriced =
      *commerce().SetPrice(merchant_, apron.skus[0].id, 1799);
  EXPECT_EQ(repriced.price_version, 2);
  std::vector<commerce::PricePoint> history =
      *commerce().PriceHistory(apron.skus[0].id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].price_cents, 1999);
  EXPECT_EQ(history[1].price_cents, 1799);

  commerce::SpuFilter f;
  f.keyword = "100%";  // literal, not a wildcard
  EXPECT_EQ(commerce().ListProducts(f, "", 10)->items.size(), 1u);
  f.keyword = "0_X";  // '_' literal too: no match in "apron_XL"
  EXPECT_EQ(commerce().ListProducts(f, "", 10)->items.size(), 0u);
  f.keyword = "";
  f.min_price_cents = 2000;
  EXPECT_EQ(commerce().ListProducts(f, "", 10)->items.size(), 1u);  // the pan
  f.min_price_cents = 0;
  f.max_price_cents = 1800;
  EXPECT_EQ(commerce().ListProducts(f, "", 10)->items[0].id, apron.spu.id);
  f.max_price_cents = 0;
  Page<commerce::Spu> first = *commerce().ListProducts(f, "", 1);
  ASSERT_FALSE(first.next_page_token.empty());
  EXPECT_NE(commerce().ListProducts(f, first.next_page_token, 1)->items[0].id,
            first.items[0].id);
  f.min_price_cents = 10;
  f.max_price_cents = 5;
  EXPECT_EQ(commerce().ListProducts(f, "", 10).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Product search: full text taken literally, relevance then sales, filters
// (a category covers its subcategories), a total, paging; deleted and
// unsellable products never show.
TEST_P(ShopTest, ProductSearchRanksByRelevanceThenSales) {
  Principal buyer = User("buyer"), rival = Merchant("rival");
  const int64_t woks = commerce().CreateCategory(admin_, "Woks", category_)->id;
  auto make = [&](const Principal& who, int64_t category,
                  const std::string& name, const std::string& description,
                  int64_t price, int64_t stock) {
    commerce::NewProduct p;
    p.category_id = category;
    p.name = name;
    p.description = description;
    p.skus = {{"one", price, stock}};
    absl::StatusOr<commerce::Product> made = commerce().CreateProduct(who, p);
    EXPECT_TRUE(made.ok()) << made.status();
    return *made;
  };
  commerce::Product carbon =
      make(merchant_, woks, "Carbon steel wok", "Hand hammered", 5000, 10);
  commerce::Product iron =
      make(merchant_, woks, "Cast iron wok", "Heavy and seasoned", 7000, 10);
  commerce::Product pan = make(merchant_, category_, "Frying pan",
                               "Also works as a small wok", 3000, 10);
  commerce::Product lid =
      make(rival, category_, "Glass wok lid", "Fits 32cm", 1500, 0);
  commerce::Product hidden =
      make(merchant_, category_, "Hidden wok", "Not for sale", 100, 1);
  commerce::Spu off = hidden.spu;
  off.for_sale = false;
  ASSERT_TRUE(commerce().UpdateProduct(merchant_, off).ok());
  commerce::Product gone =
      make(merchant_, category_, "Deleted wok", "Gone", 100, 1);
  ASSERT_TRUE(commerce().DeleteProduct(merchant_, gone.spu.id).ok());
  // The cast iron wok outsells the carbon steel one.
  ASSERT_TRUE(Buy(buyer, iron.skus[0].id, 3, "iron").ok());
  ASSERT_TRUE(Buy(buyer, carbon.skus[0].id, 1, "carbon").ok());

  auto ids = [&](const commerce::ProductQuery& q) {
    absl::StatusOr<commerce::ProductSearchPage> page =
        commerce().SearchProducts(q, "", 20);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<int64_t> out;
    if (!page.ok()) return out;
    for (const commerce::Spu& s : page->items) out.push_back(s.id);
    EXPECT_EQ(page->total, static_cast<int64_t>(out.size()));
    return out;
  };
  using V = std::vector<int64_t>;
  commerce::ProductQuery q;
  q.query = "wok";
  // Name matches first (by sales), then the description-only match.
  V hits = ids(q);
  ASSERT_EQ(hits.size(), 4u);
  EXPECT_EQ(hits[0], iron.spu.id);
  EXPECT_EQ(hits[1], carbon.spu.id);
  EXPECT_EQ(hits[3], pan.spu.id);
  q.query = "WOK  cast";  // every word, any case
  EXPECT_EQ(ids(q), V{iron.spu.id});
  q.query = "wo*";  // literal: no prefix operator
  EXPECT_EQ(ids(q), V{});
  q.query = "wok -cast";  // literal: no exclusion operator
  EXPECT_NE(ids(q), (V{carbon.spu.id, lid.spu.id, pan.spu.id}));
  // Filters, alone and together.
  q.query = "wok";
  q.category_id = category_;  // Kitchen covers Woks
  EXPECT_EQ(ids(q).size(), 4u);
  q.category_id = woks;
  EXPECT_EQ(ids(q), (V{iron.spu.id, carbon.spu.id}));
  q.category_id = 0;
  q.merchant_id = rival.user_id;
  EXPECT_EQ(ids(q), V{lid.spu.id});
  q.merchant_id = 0;
  q.in_stock_only = true;
  EXPECT_EQ(ids(q).size(), 3u);  // not the lid
  q.min_price_cents = 4000;
  q.max_price_cents = 6000;
  EXPECT_EQ(ids(q), V{carbon.spu.id});
  // No words: every live product for sale, best sellers first.
  commerce::ProductQuery all;
  V everything = ids(all);
  ASSERT_EQ(everything.size(), 4u);
  EXPECT_EQ(everything[0], iron.spu.id);
  // Renaming re-indexes.
  commerce::Spu renamed = pan.spu;
  renamed.name = "Frying skillet";
  renamed.description = "Flat";
  ASSERT_TRUE(commerce().UpdateProduct(merchant_, renamed).ok());
  commerce::ProductQuery skillet;
  skillet.query = "skillet";
  EXPECT_EQ(ids(skillet), V{pan.spu.id});
  q = commerce::ProductQuery();
  q.query = "wok";
  EXPECT_EQ(ids(q).size(), 3u);
  // Paging keeps the total.
  commerce::ProductSearchPage first = *commerce().SearchProducts(q, "", 2);
  EXPECT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.total, 3);
  ASSERT_FALSE(first.next_page_token.empty());
  commerce::ProductSearchPage second =
      *commerce().SearchProducts(q, first.next_page_token, 2);
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(second.total, 3);
  EXPECT_TRUE(second.next_page_token.empty());
  // Bad input.
  q.query = std::string(101, 'a');
  EXPECT_EQ(commerce().SearchProducts(q, "", 10).status().code(),
            absl::StatusCode::kInvalidArgument);
  q.query = "wok";
  q.category_id = 999999;
  EXPECT_EQ(commerce().SearchProducts(q, "", 10).status().code(),
            absl::StatusCode::kNotFound);
  q.category_id = 0;
  q.min_price_cents = 10;
  q.max_price_cents = 5;
  EXPECT_EQ(commerce().SearchProducts(q, "", 10).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Categories: one level of subcategories, renamed and moved by admins,
// deleted only when nothing uses them, listed as a tree.
TEST_P(ShopTest, CategoriesFormAOneLevelTree) {
  const int64_t kitchen = category_;
  commerce::Category woks = *commerce().CreateCategory(admin_, "Woks", kitchen);
  EXPECT_EQ(woks.parent_id, kitchen);
  commerce::Category tea = *commerce().CreateCategory(admin_, "Tea");
  // Two levels, unknown parents and non-admins are refused.
  EXPECT_EQ(commerce().CreateCategory(admin_, "Lids", woks.id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(commerce().CreateCategory(admin_, "X", 987654321).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      commerce().UpdateCategory(merchant_, tea.id, "Teas", 0).status().code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(commerce()
                .UpdateCategory(admin_, kitchen, "Kitchen", tea.id)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);  // it has a subcategory
  EXPECT_EQ(
      commerce().UpdateCategory(admin_, tea.id, "Woks", 0).status().code(),
      absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(
      commerce().UpdateCategory(admin_, 987654321, "Y", 0).status().code(),
      absl::StatusCode::kNotFound);

  // Rename, move under another top-level category, unchanged is fine.
  commerce::Category moved =
      *commerce().UpdateCategory(admin_, woks.id, "Woks & pans", tea.id);
  EXPECT_EQ(moved.parent_id, tea.id);
  ASSERT_TRUE(
      commerce().UpdateCategory(admin_, woks.id, "Woks & pans", tea.id).ok());
  std::vector<commerce::CategoryNode> tree = *commerce().CategoryTree();
  ASSERT_EQ(tree.size(), 2u);
  EXPECT_EQ(tree[0].category.name, "Kitchen");
  EXPECT_TRUE(tree[0].children.empty());
  EXPECT_EQ(tree[1].category.name, "Tea");
  ASSERT_EQ(tree[1].children.size(), 1u);
  EXPECT_EQ(tree[1].children[0].name, "Woks & pans");

  // Delete: refused while a product or a subcategory uses it.
  commerce::NewProduct p;
  p.category_id = woks.id;
  p.name = "Carbon steel wok";
  p.skus = {{"32cm", 4999, 3}};
  ASSERT_TRUE(commerce().CreateProduct(merchant_, p).ok());
  absl::Status st = commerce().DeleteCategory(admin_, woks.id);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(st.message(), "product")) << st;
  EXPECT_EQ(commerce().DeleteCategory(admin_, tea.id).code(),
            absl::StatusCode::kFailedPrecondition);  // Woks is under it
  EXPECT_EQ(commerce().DeleteCategory(merchant_, tea.id).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(commerce().UpdateCategory(admin_, woks.id, "Woks", 0).ok());
  ASSERT_TRUE(commerce().DeleteCategory(admin_, tea.id).ok());
  EXPECT_EQ(commerce().DeleteCategory(admin_, tea.id).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(commerce().ListCategories()->size(), 2u);  // Kitchen, Woks
}

// Coupon management: a merchant's list with claimed/used counts, what a
// buyer can claim for a shop, a product or a category, deactivation (no new
// claims, claimed ones still usable) and deleting only unclaimed ones.
TEST_P(ShopTest, MerchantsManageCouponsBuyersBrowseThem) {
  Principal buyer = User("buyer");
  Principal other = Merchant("othershop");
  commerce::Sku wok = Product(10000, 10, "Wok");
  commerce::Sku lid = Product(800, 10, "Lid");
  const int64_t shop_wide = Coupon(CouponKind::kAmountOff, 500, 0);
  auto scoped = [&](CouponScope scope, int64_t scope_id) {
    commerce::Coupon c;
    c.name = "scoped";
    c.kind = CouponKind::kPercentOff;
    c.percent_off = 10;
    c.scope = scope;
    c.scope_id = scope_id;
    c.total_limit = 5;
    c.per_user_limit = 1;
    c.claim_start = tp_->clock().Now() - absl::Hours(1);
    c.claim_end = tp_->clock().Now() + absl::Hours(24);
    return commerce().CreateCoupon(merchant_, c)->id;
  };
  const int64_t for_wok = scoped(CouponScope::kSpu, wok.spu_id);
  const int64_t for_kitchen = scoped(CouponScope::kCategory, category_);
  auto ids = [](const std::vector<commerce::Coupon>& coupons) {
    std::vector<int64_t> out;
    for (const commerce::Coupon& c : coupons) out.push_back(c.id);
    return out;
  };
  auto claimable = [&](commerce::ClaimableQuery q) {
    absl::StatusOr<Page<commerce::Coupon>> page =
        commerce().ListClaimableCoupons(q, "", 20);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? ids(page->items) : std::vector<int64_t>{};
  };
  EXPECT_EQ(claimable({merchant_.user_id, 0, 0}),
            (std::vector<int64_t>{for_kitchen, for_wok, shop_wide}));
  EXPECT_EQ(claimable({0, wok.spu_id, 0}),
            (std::vector<int64_t>{for_kitchen, for_wok, shop_wide}));
  EXPECT_EQ(claimable({0, lid.spu_id, 0}),
            (std::vector<int64_t>{for_kitchen, shop_wide}));
  EXPECT_EQ(claimable({0, 0, category_}), (std::vector<int64_t>{for_kitchen}));
  EXPECT_TRUE(claimable({other.user_id, 0, 0}).empty());
  EXPECT_EQ(commerce()
                .ListClaimableCoupons({merchant_.user_id, wok.spu_id, 0}, "", 5)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(commerce().ListClaimableCoupons({}, "", 5).status().code(),
            absl::StatusCode::kInvalidArgument);

  // Claimed and used counts.
  commerce::UserCoupon mine = *commerce().ClaimCoupon(buyer, shop_wide);
  Order o = *Buy(buyer, wok.id, 1, "c1", CouponMode::kSpecific, mine.id);
  EXPECT_EQ(o.discount_cents, 500);
  ASSERT_TRUE(commerce().ClaimCoupon(buyer, for_kitchen).ok());
  Page<commerce::CouponStats> listed =
      *commerce().ListShopCoupons(merchant_, "", 2);
  ASSERT_EQ(listed.items.size(), 2u);
  EXPECT_EQ(listed.items[0].coupon.id, for_kitchen);
  EXPECT_EQ(listed.items[0].claimed, 1);
  EXPECT_EQ(listed.items[0].used, 0);
  listed = *commerce().ListShopCoupons(merchant_, listed.next_page_token, 2);
  ASSERT_EQ(listed.items.size(), 1u);
  EXPECT_EQ(listed.items[0].coupon.id, shop_wide);
  EXPECT_EQ(listed.items[0].claimed, 1);
  EXPECT_EQ(listed.items[0].used, 1);
  EXPECT_TRUE(commerce().ListShopCoupons(other, "", 10)->items.empty());
  EXPECT_EQ(commerce().ListShopCoupons(buyer, "", 10).status().code(),
            absl::StatusCode::kPermissionDenied);

  // Deactivated: gone from the claimable lists, refused to new claims,
  // still usable by whoever holds one.
  EXPECT_EQ(commerce().DeactivateCoupon(other, for_kitchen).status().code(),
            absl::StatusCode::kNotFound);
  commerce::Coupon off = *commerce().DeactivateCoupon(merchant_, for_kitchen);
  EXPECT_FALSE(off.active);
  ASSERT_TRUE(commerce().DeactivateCoupon(merchant_, for_kitchen).ok());
  EXPECT_EQ(claimable({0, 0, category_}), std::vector<int64_t>{});
  Principal late = User("late");
  absl::StatusOr<commerce::UserCoupon> refused =
      commerce().ClaimCoupon(late, for_kitchen);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  Order held = *Buy(buyer, wok.id, 1, "c2", CouponMode::kBest);
  EXPECT_EQ(held.discount_cents, 1000);  // 10% of the wok, still usable

  // Delete: only what nobody claimed.
  absl::Status st = commerce().DeleteCoupon(merchant_, shop_wide);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(st.message(), "deactivate")) << st;
  EXPECT_EQ(commerce().DeleteCoupon(other, for_wok).code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(commerce().DeleteCoupon(merchant_, for_wok).ok());
  EXPECT_EQ(commerce().DeleteCoupon(merchant_, for_wok).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(claimable({merchant_.user_id, 0, 0}),
            (std::vector<int64_t>{shop_wide}));
}

TEST_P(ShopTest, CouponClaimsAreNeverOverIssued) {
  const int64_t limited =
      Coupon(CouponKind::kAmountOff, 100, 0, /*total=*/10, /*per_user=*/1);
  std::vector<Principal> users;
  for (int i = 0; i < 16; ++i)
    users.push_back(User("user" + std::to_string(i)));
  std::atomic<int> ok{0}, exhausted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      absl::Status st = commerce().ClaimCoupon(users[i], limited).status();
      if (st.ok()) ok++;
      if (st.code() == absl::StatusCode::kResourceExhausted) exhausted++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(exhausted.load(), 6);

  // One user hammering a per-user-limit-2 coupon gets exactly two.
  const int64_t twice = Coupon(CouponKind::kPercentOff, 10, 0, 100, 2);
  threads.clear();
  ok = 0;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (commerce().ClaimCoupon(users[0], twice).ok()) ok++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 2);

  commerce::Coupon later;
  later.name = "later";
  later.kind = CouponKind::kAmountOff;
  later.amount_off_cents = 1;
  later.total_limit = 1;
  later.per_user_limit = 1;
  later.claim_start = tp_->clock().Now() + absl::Hours(1);
  later.claim_end = tp_->clock().Now() + absl::Hours(2);
  const int64_t not_yet = commerce().CreateCoupon(merchant_, later)->id;
  EXPECT_EQ(commerce().ClaimCoupon(users[1], not_yet).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_P(ShopTest, CartCheckoutRemovesExactlyWhatWasBought) {
  Principal buyer = User("buyer");
  commerce::Sku pan = Product(5000, 3, "Pan");
  commerce::Sku lid = Product(800, 10, "Lid");
  EXPECT_EQ(commerce().PutInCart(buyer, pan.id, 4).code(),
            absl::StatusCode::kFailedPrecondition);  // only 3 in stock
  EXPECT_EQ(commerce().PutInCart(buyer, pan.id, 0).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(commerce().PutInCart(buyer, pan.id, 2).ok());
  ASSERT_TRUE(commerce().PutInCart(buyer, lid.id, 1).ok());
  commerce::Cart cart = *commerce().GetCart(buyer);
  ASSERT_EQ(cart.lines.size(), 2u);
  EXPECT_EQ(cart.subtotal_cents, 2 * 5000 + 800);
  ASSERT_TRUE(commerce().SetPrice(merchant_, lid.id, 900).ok());
  EXPECT_EQ(commerce().GetCart(buyer)->subtotal_cents,
            2 * 5000 + 900);  // current prices

  CreateOrderRequest r;
  r.address_id = AddressOf(buyer);
  r.idempotency_key = "cart-1";
  Order o = *orders().CheckoutCart(buyer, {pan.id}, r);
  EXPECT_EQ(o.items.size(), 1u);
  EXPECT_EQ(o.total_cents, 10000);
  cart = *commerce().GetCart(buyer);
  ASSERT_EQ(cart.lines.size(), 1u);
  EXPECT_EQ(cart.lines[0].sku_id, lid.id);
  EXPECT_EQ(orders().CheckoutCart(buyer, {pan.id}, r)->id, o.id);  // idempotent
  r.idempotency_key = "cart-2";
  EXPECT_EQ(orders().CheckoutCart(buyer, {pan.id}, r).status().code(),
            absl::StatusCode::kNotFound);
}

// Merchants delete products and SKUs softly: listings, carts and new orders
// lose them at once, existing orders keep their snapshots, and the owner
// alone restores a product.
TEST_P(ShopTest, ProductsAndSkusAreSoftDeletedAndRestored) {
  Principal buyer = User("buyer"), rival = Merchant("rival");
  commerce::NewProduct p;
  p.category_id = category_;
  p.name = "Apron";
  p.skus = {{"red", 1000, 5}, {"blue", 2000, 5}};
  commerce::Product apron = *commerce().CreateProduct(merchant_, p);
  const int64_t red = apron.skus[0].id, blue = apron.skus[1].id;
  Order before = *Buy(buyer, red, 1, "before");
  ASSERT_TRUE(commerce().PutInCart(buyer, red, 1).ok());
  ASSERT_TRUE(commerce().PutInCart(buyer, blue, 1).ok());

  // SKUs: added, described, taken off sale, deleted; only by the owner.
  commerce::NewSku green{"green", 500, 3, "Limited run", true};
  EXPECT_EQ(commerce().AddSku(rival, apron.spu.id, green).status().code(),
            absl::StatusCode::kPermissionDenied);
  commerce::Sku added = *commerce().AddSku(merchant_, apron.spu.id, green);
  EXPECT_EQ(added.description, "Limited run");
  EXPECT_EQ(added.price_version, 1);
  EXPECT_EQ(commerce().PriceHistory(added.id)->size(), 1u);
  EXPECT_EQ(commerce().GetProduct(apron.spu.id)->spu.min_price_cents, 500);
  green.price_cents = -1;
  EXPECT_EQ(commerce().AddSku(merchant_, apron.spu.id, green).status().code(),
            absl::StatusCode::kInvalidArgument);
  green.price_cents = 500;
  commerce::SkuChanges change{"green/XL", "Now in XL", false};
  EXPECT_EQ(commerce().UpdateSku(rival, added.id, change).status().code(),
            absl::StatusCode::kPermissionDenied);
  commerce::Sku updated = *commerce().UpdateSku(merchant_, added.id, change);
  EXPECT_EQ(updated.attributes, "green/XL");
  EXPECT_FALSE(updated.for_sale);
  EXPECT_EQ(updated.price_cents, 500);  // price keeps its own call
  EXPECT_EQ(commerce().PutInCart(buyer, added.id, 1).code(),
            absl::StatusCode::kFailedPrecondition);  // not for sale
  EXPECT_EQ(Buy(buyer, added.id, 1, "off-sale").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(commerce().UpdateSku(merchant_, added.id, change).ok());  // same

  EXPECT_EQ(commerce().DeleteSku(rival, blue).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(commerce().DeleteSku(merchant_, blue).ok());
  EXPECT_EQ(commerce().DeleteSku(merchant_, blue).code(),
            absl::StatusCode::kNotFound);
  std::vector<commerce::CartLine> lines = commerce().GetCart(buyer)->lines;
  ASSERT_EQ(lines.size(), 1u);  // the blue line left every cart
  EXPECT_EQ(lines[0].sku_id, red);
  EXPECT_EQ(commerce().PutInCart(buyer, blue, 1).code(),
            absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<Order> refused = Buy(buyer, blue, 1, "deleted-sku");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "deleted"))
      << refused.status();
  EXPECT_EQ(commerce().SetPrice(merchant_, blue, 1).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(commerce().AddStock(merchant_, blue, 1).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(commerce().UpdateSku(merchant_, blue, change).status().code(),
            absl::StatusCode::kNotFound);
  commerce::Product now = *commerce().GetProduct(apron.spu.id);
  ASSERT_EQ(now.skus.size(), 2u);  // red and green
  EXPECT_EQ(now.spu.min_price_cents, 500);
  ASSERT_TRUE(commerce().DeleteSku(merchant_, added.id).ok());
  EXPECT_EQ(commerce().GetProduct(apron.spu.id)->spu.min_price_cents, 1000);
  // The last live SKU stays; the product is what gets deleted.
  EXPECT_EQ(commerce().DeleteSku(merchant_, red).code(),
            absl::StatusCode::kFailedPrecondition);

  // The product: gone from reads, listings, carts and new orders.
  EXPECT_EQ(commerce().DeleteProduct(rival, apron.spu.id).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(commerce().DeleteProduct(merchant_, apron.spu.id).ok());
  ASSERT_TRUE(commerce().DeleteProduct(merchant_, apron.spu.id).ok());
  EXPECT_EQ(commerce().GetProduct(apron.spu.id).status().code(),
            absl::StatusCode::kNotFound);
  commerce::SpuFilter all;
  EXPECT_TRUE(commerce().ListProducts(all, "", 10)->items.empty());
  EXPECT_TRUE(commerce().GetCart(buyer)->lines.empty());
  EXPECT_EQ(commerce().PutInCart(buyer, red, 1).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Buy(buyer, red, 1, "deleted-product").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(commerce().AddSku(merchant_, apron.spu.id, green).status().code(),
            absl::StatusCode::kFailedPrecondition);
  commerce::Spu edit = apron.spu;
  EXPECT_EQ(commerce().UpdateProduct(merchant_, edit).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // The order placed before keeps its snapshot.
  Order kept = *orders().GetOrder(buyer, before.id);
  EXPECT_EQ(kept.items[0].name, "Apron");
  EXPECT_EQ(kept.items[0].unit_price_cents, 1000);
  // Only the owner sees it in its bin, and restores it (not the carts).
  EXPECT_TRUE(commerce().ListDeletedProducts(rival, "", 10)->items.empty());
  Page<commerce::Spu> bin = *commerce().ListDeletedProducts(merchant_, "", 10);
  ASSERT_EQ(bin.items.size(), 1u);
  EXPECT_TRUE(bin.items[0].deleted);
  EXPECT_EQ(commerce().RestoreProduct(rival, apron.spu.id).status().code(),
            absl::StatusCode::kPermissionDenied);
  commerce::Product back = *commerce().RestoreProduct(merchant_, apron.spu.id);
  EXPECT_FALSE(back.spu.deleted);
  ASSERT_EQ(back.skus.size(), 1u);  // deleted SKUs stay deleted
  EXPECT_EQ(back.skus[0].id, red);
  EXPECT_EQ(commerce().ListProducts(all, "", 10)->items.size(), 1u);
  EXPECT_TRUE(commerce().GetCart(buyer)->lines.empty());
  EXPECT_TRUE(Buy(buyer, red, 1, "after-restore").ok());
}

// Product images: at most 9, in order, replaced and deleted with their blobs
// removed by the janitor; SKUs show one of them and follow a replacement.
TEST_P(ShopTest, ProductImagesAreOrderedReplacedAndDeleted) {
  const std::string png = std::string("\x89PNG\r\n\x1A\n", 8) + "pixels";
  const std::string jpeg = "\xFF\xD8\xFF\xE0 jpeg body";
  Principal rival = Merchant("rival");
  commerce::Sku sku = Product(1000, 5, "Wok");
  const int64_t wok = sku.spu_id;
  EXPECT_EQ(
      commerce().AddProductImage(merchant_, wok, "GIF89a").status().code(),
      absl::StatusCode::kInvalidArgument);  // by magic bytes
  EXPECT_EQ(commerce().AddProductImage(rival, wok, png).status().code(),
            absl::StatusCode::kPermissionDenied);
  for (int i = 0; i < commerce::kMaxProductImages; ++i) {
    absl::StatusOr<int> index =
        commerce().AddProductImage(merchant_, wok, png + std::to_string(i));
    ASSERT_TRUE(index.ok()) << index.status();
    EXPECT_EQ(*index, i);
  }
  EXPECT_EQ(commerce().AddProductImage(merchant_, wok, png).status().code(),
            absl::StatusCode::kResourceExhausted);
  std::vector<std::string> keys = commerce().GetProduct(wok)->spu.image_keys;
  ASSERT_EQ(keys.size(), 9u);

  // A SKU shows image 2; replacing it moves the SKU to the new image.
  EXPECT_EQ(commerce().SetSkuImage(merchant_, sku.id, 9).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(commerce().SetSkuImage(rival, sku.id, 2).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(commerce().SetSkuImage(merchant_, sku.id, 2)->image_key, keys[2]);
  commerce::Spu replaced =
      *commerce().ReplaceProductImage(merchant_, wok, 2, jpeg);
  ASSERT_EQ(replaced.image_keys.size(), 9u);
  EXPECT_NE(replaced.image_keys[2], keys[2]);
  EXPECT_EQ(*commerce().ReadProductImage(wok, 2), jpeg);
  EXPECT_EQ(commerce().GetProduct(wok)->skus[0].image_key,
            replaced.image_keys[2]);
  EXPECT_EQ(
      commerce().ReplaceProductImage(merchant_, wok, 9, jpeg).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(
      commerce().ReplaceProductImage(merchant_, wok, 0, "text").status().code(),
      absl::StatusCode::kInvalidArgument);

  // Reorder: a permutation of the current indexes.
  EXPECT_EQ(
      commerce().ReorderProductImages(merchant_, wok, {0, 1}).status().code(),
      absl::StatusCode::kInvalidArgument);
  std::vector<int> reversed;
  for (int i = 8; i >= 0; --i) reversed.push_back(i);
  commerce::Spu reordered =
      *commerce().ReorderProductImages(merchant_, wok, reversed);
  EXPECT_EQ(reordered.image_keys[0], replaced.image_keys[8]);
  EXPECT_EQ(reordered.image_keys[6], replaced.image_keys[2]);
  EXPECT_EQ(*commerce().ReadProductImage(wok, 6), jpeg);

  // Deleting the SKU's image leaves the SKU without one.
  commerce::Spu fewer = *commerce().DeleteProductImage(merchant_, wok, 6);
  EXPECT_EQ(fewer.image_keys.size(), 8u);
  EXPECT_EQ(commerce().GetProduct(wok)->skus[0].image_key, "");
  EXPECT_EQ(commerce().DeleteProductImage(merchant_, wok, 8).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(commerce().DeleteProductImage(rival, wok, 0).status().code(),
            absl::StatusCode::kPermissionDenied);

  // The replaced and the deleted image's blobs go with the janitor's sweep;
  // the kept ones stay.
  EXPECT_EQ(*tp_->platform().blob_janitor().Sweep(), 2);
  EXPECT_EQ(tp_->platform().blobs().Read(keys[2]).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      tp_->platform().blobs().Read(replaced.image_keys[2]).status().code(),
      absl::StatusCode::kNotFound);
  for (const std::string& key : fewer.image_keys) {
    EXPECT_TRUE(tp_->platform().blobs().Read(key).ok()) << key;
  }
  EXPECT_TRUE(commerce().AddProductImage(merchant_, wok, png).ok());
}

// Concurrent image edits never lose one another (each is a conditional
// swap of the whole list, retried on a lost race: with 6 editors each loses
// at most 5 times).
TEST_P(ShopTest, ConcurrentImageAddsAreAllKept) {
  const std::string png = std::string("\x89PNG\r\n\x1A\n", 8) + "pixels";
  const int64_t wok = Product(1000, 5, "Wok").spu_id;
  std::vector<std::thread> threads;
  std::atomic<int> added{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      absl::StatusOr<int> index =
          commerce().AddProductImage(merchant_, wok, png + std::to_string(i));
      if (index.ok()) {
        added.fetch_add(1);
      } else {
        ADD_FAILURE() << index.status();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(added.load(), 6);
  EXPECT_EQ(commerce().GetProduct(wok)->spu.image_keys.size(), 6u);
}

TEST_P(ShopTest, OrdersSnapshotPricesAndAreIdempotent) {
  Principal buyer = User("buyer"), other = User("other");
  commerce::Sku wok = Product(3000, 10, "Wok", /*shipping=*/500);
  Order o = *Buy(buyer, wok.id, 2, "key-1");
  EXPECT_EQ(o.status, OrderStatus::kPendingPayment);
  EXPECT_EQ(o.items[0].unit_price_cents, 3000);
  EXPECT_EQ(o.items[0].price_version, 1);
  EXPECT_EQ(o.total_cents, 6500);
  EXPECT_EQ(o.address.city, "Hangzhou");
  ASSERT_TRUE(commerce().SetPrice(merchant_, wok.id, 9999).ok());
  EXPECT_EQ(orders().GetOrder(buyer, o.id)->items[0].unit_price_cents, 3000);
  // A retry with the same key is the same order; stock moved once.
  Order again = *Buy(buyer, wok.id, 2, "key-1");
  EXPECT_EQ(again.id, o.id);
  EXPECT_EQ(commerce().GetProduct(o.items[0].spu_id)->skus[0].stock, 8);
  // Another user's order does not exist for them.
  EXPECT_EQ(orders().GetOrder(other, o.id).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(orders().CancelOrder(other, o.id).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Buy(buyer, wok.id, 100, "key-2").status().code(),
            absl::StatusCode::kInvalidArgument);  // over the per-line limit
  EXPECT_EQ(Buy(buyer, wok.id, 9, "key-3").status().code(),
            absl::StatusCode::kFailedPrecondition);  // only 8 left
  EXPECT_EQ(Buy(buyer, wok.id, 1, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ShopTest, BestCouponIsAppliedOnceAndReturnedOnCancel) {
  Principal buyer = User("buyer");
  commerce::Sku wok = Product(10000, 10);
  const int64_t flat = Coupon(CouponKind::kAmountOff, 1500, 5000);
  const int64_t pct = Coupon(CouponKind::kPercentOff, 20, 0);
  ASSERT_TRUE(commerce().ClaimCoupon(buyer, flat).ok());
  commerce::UserCoupon mine = *commerce().ClaimCoupon(buyer, pct);
  Order o = *Buy(buyer, wok.id, 1, "c1", CouponMode::kBest);
  EXPECT_EQ(o.discount_cents, 2000);  // 20% of 10000 beats 1500 off
  EXPECT_EQ(o.user_coupon_id, mine.id);
  EXPECT_EQ(o.total_cents, 8000);
  // Used once: the same coupon cannot be named again while that order lives.
  EXPECT_EQ(Buy(buyer, wok.id, 1, "c2", CouponMode::kSpecific, mine.id)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(orders().CancelOrder(buyer, o.id).ok());
  EXPECT_EQ(orders().CancelOrder(buyer, o.id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  Order o2 = *Buy(buyer, wok.id, 1, "c3", CouponMode::kSpecific, mine.id);
  EXPECT_EQ(o2.discount_cents, 2000);
  EXPECT_EQ(commerce().GetProduct(o.items[0].spu_id)->skus[0].stock, 9);
}

// Platform coupons: issued by admins, valid in every shop, combined with
// one shop coupon (the shop's first); the platform pays its part, which
// the ledger shows and a refund reverses; a cancel returns both coupons.
TEST_P(ShopTest, PlatformCouponsCombineWithOneShopCoupon) {
  Principal buyer = User("buyer");
  commerce::Sku wok = Product(10000, 10);
  commerce::Coupon terms;
  terms.name = "Singles day";
  terms.kind = CouponKind::kAmountOff;
  terms.amount_off_cents = 1000;
  terms.threshold_cents = 7000;
  terms.total_limit = 100;
  terms.claim_start = tp_->clock().Now() - absl::Hours(1);
  terms.claim_end = tp_->clock().Now() + absl::Hours(24);
  EXPECT_EQ(commerce().CreatePlatformCoupon(merchant_, terms).status().code(),
            absl::StatusCode::kPermissionDenied);
  commerce::Coupon by_category = terms;
  by_category.scope = CouponScope::kCategory;
  by_category.scope_id = category_;
  EXPECT_EQ(
      commerce().CreatePlatformCoupon(admin_, by_category).status().code(),
      absl::StatusCode::kInvalidArgument);
  commerce::Coupon platform = *commerce().CreatePlatformCoupon(admin_, terms);
  EXPECT_EQ(platform.merchant_id, commerce::kPlatformCouponMerchant);
  commerce::ClaimableQuery q;
  q.platform = true;
  ASSERT_EQ(commerce().ListClaimableCoupons(q, "", 10)->items.size(), 1u);
  EXPECT_EQ(commerce().ListPlatformCoupons(admin_, "", 10)->items.size(), 1u);
  EXPECT_EQ(commerce().ListPlatformCoupons(merchant_, "", 10).status().code(),
            absl::StatusCode::kPermissionDenied);
  // A merchant's coupon list does not include it, nor can they stop it.
  EXPECT_TRUE(commerce().ListShopCoupons(merchant_, "", 10)->items.empty());
  EXPECT_EQ(commerce().DeactivateCoupon(merchant_, platform.id).status().code(),
            absl::StatusCode::kNotFound);

  // 20% off from the shop (2000), then 1000 off the 8000 left.
  const int64_t shop = Coupon(CouponKind::kPercentOff, 20, 0);
  commerce::UserCoupon shop_uc = *commerce().ClaimCoupon(buyer, shop);
  commerce::UserCoupon platform_uc =
      *commerce().ClaimCoupon(buyer, platform.id);
  Order o = *Buy(buyer, wok.id, 1, "both", CouponMode::kBest);
  EXPECT_EQ(o.user_coupon_id, shop_uc.id);
  EXPECT_EQ(o.platform_user_coupon_id, platform_uc.id);
  EXPECT_EQ(o.discount_cents, 3000);
  EXPECT_EQ(o.platform_discount_cents, 1000);
  EXPECT_EQ(o.total_cents, 7000);
  // Cancelled: both coupons go back to the wallet.
  ASSERT_TRUE(orders().CancelOrder(buyer, o.id).ok());
  const auto wallet = *commerce().MyCoupons(buyer);  // kept alive
  for (const auto& [uc, c] : wallet) {
    EXPECT_EQ(uc.used_order_id, 0) << c.name;
  }
  // Named: the wrong kind in a slot is refused; the platform one alone.
  EXPECT_EQ(
      Buy(buyer, wok.id, 1, "swapped", CouponMode::kSpecific, platform_uc.id)
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);
  CreateOrderRequest named;
  named.lines = {{wok.id, 1}};
  named.address_id = AddressOf(buyer);
  named.coupon_mode = CouponMode::kSpecific;
  named.platform_user_coupon_id = platform_uc.id;
  named.idempotency_key = "platform-only";
  Order alone = *orders().CreateOrder(buyer, named);
  EXPECT_EQ(alone.user_coupon_id, 0);
  EXPECT_EQ(alone.discount_cents, 1000);
  EXPECT_EQ(alone.platform_discount_cents, 1000);
  named.platform_user_coupon_id = 0;
  named.idempotency_key = "nothing-named";
  EXPECT_EQ(orders().CreateOrder(buyer, named).status().code(),
            absl::StatusCode::kInvalidArgument);

  // Paid: the merchant is owed the full 10000, 1000 of it by the platform.
  ASSERT_TRUE(
      orders()
          .Pay(buyer, orders().CreatePaymentToken(buyer, alone.id)->token)
          .ok());
  absl::flat_hash_map<std::string, int64_t> balances =
      *orders().Balances(admin_);
  EXPECT_EQ(balances[MerchantAccount(merchant_.user_id)], -10000);
  EXPECT_EQ(balances[kProviderClearing], 9000);
  EXPECT_EQ(balances[kPlatformPromotions], 1000);
  ExpectLedgerBalanced();
  // Refunded: every posting reversed.
  ASSERT_TRUE(orders().RequestRefund(buyer, alone.id, "changed mind").ok());
  ASSERT_TRUE(orders().ReviewRefund(merchant_, alone.id, true, true).ok());
  balances = *orders().Balances(admin_);
  EXPECT_EQ(balances[MerchantAccount(merchant_.user_id)], 0);
  EXPECT_EQ(balances[kPlatformPromotions], 0);
  ExpectLedgerBalanced();
  // Admins manage the platform's coupons.
  EXPECT_FALSE(commerce().DeactivateCoupon(admin_, platform.id)->active);
  // Another shop's coupon names nothing on this shop's order.
  Principal rival = Merchant("rival");
  commerce::Coupon theirs = terms;
  commerce::Coupon rival_coupon = *commerce().CreateCoupon(rival, theirs);
  commerce::UserCoupon rival_uc =
      *commerce().ClaimCoupon(buyer, rival_coupon.id);
  EXPECT_EQ(Buy(buyer, wok.id, 1, "rival", CouponMode::kSpecific, rival_uc.id)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

// Racing multi-shop checkouts for a scarce item: the winners get every
// shop's items, the losers none, and no stock is left half reserved.
TEST_P(ShopTest, ConcurrentCheckoutsReserveAllOrNothing) {
  Principal rival = Merchant("rival");
  commerce::Sku scarce = Product(1000, 3, "Scarce");
  commerce::NewProduct plenty;
  plenty.category_id = category_;
  plenty.name = "Plenty";
  plenty.skus = {{"one", 500, 100}};
  commerce::Sku common = commerce().CreateProduct(rival, plenty)->skus[0];
  constexpr int kBuyers = 8;
  std::vector<Principal> buyers;
  for (int i = 0; i < kBuyers; ++i) {
    buyers.push_back(User("buyer" + std::to_string(i)));
    ASSERT_TRUE(commerce().PutInCart(buyers[i], scarce.id, 1).ok());
    ASSERT_TRUE(commerce().PutInCart(buyers[i], common.id, 2).ok());
    AddressOf(buyers[i]);
  }
  std::atomic<int> won{0}, sold_out{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kBuyers; ++i) {
    threads.emplace_back([&, i] {
      CheckoutRequest r;
      r.address_id = AddressOf(buyers[i]);
      r.idempotency_key = "race";
      absl::StatusOr<Checkout> c = orders().CreateCheckout(buyers[i], r);
      if (c.ok()) {
        won.fetch_add(1);
      } else if (absl::IsFailedPrecondition(c.status())) {
        sold_out.fetch_add(1);
      } else {
        ADD_FAILURE() << c.status();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(won.load(), 3);
  EXPECT_EQ(sold_out.load(), kBuyers - 3);
  EXPECT_EQ(commerce().GetProduct(scarce.spu_id)->skus[0].stock, 0);
  EXPECT_EQ(commerce().GetProduct(common.spu_id)->skus[0].stock, 100 - 2 * 3);
}

TEST_P(ShopTest, StrictStateMachine) {
  Principal buyer = User("buyer");
  commerce::Sku wok = Product(1000, 10);
  Order o = *Buy(buyer, wok.id, 1, "s1");
  EXPECT_EQ(orders().Ship(merchant_, o.id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(orders().ConfirmReceipt(buyer, o.id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      orders().RequestRefund(buyer, o.id, "changed my mind").status().code(),
      absl::StatusCode::kFailedPrecondition);
  PaymentToken t = *orders().CreatePaymentToken(buyer, o.id);
  ASSERT_TRUE(orders().Pay(buyer, t.token).ok());
  EXPECT_EQ(orders().CancelOrder(buyer, o.id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(orders().Ship(buyer, o.id).status().code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(orders().Ship(merchant_, o.id).ok());
  EXPECT_EQ(orders().Ship(merchant_, o.id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(orders().RequestRefund(buyer, o.id, "late").status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(orders().ConfirmReceipt(buyer, o.id).ok());
  EXPECT_EQ(orders().GetOrder(buyer, o.id)->status, OrderStatus::kCompleted);
  EXPECT_FALSE(CanTransition(OrderStatus::kCompleted, OrderStatus::kRefunded));
  EXPECT_FALSE(CanTransition(OrderStatus::kExpired, OrderStatus::kPaid));
  EXPECT_TRUE(CanTransition(OrderStatus::kRefundRequested, OrderStatus::kPaid));
}

TEST_P(ShopTest, UnpaidOrdersExpireOnceReleasingStockEvenAcrossRestart) {
  Principal buyer = User("buyer");
  commerce::Sku wok = Product(1000, 5);
  Order o = *Buy(buyer, wok.id, 3, "t1");
  PaymentToken token = *orders().CreatePaymentToken(buyer, o.id);
  tp_->clock().Advance(absl::Minutes(14));
  EXPECT_EQ(*orders().ExpireOverdue(), 0);
  tp_->clock().Advance(absl::Minutes(2));
  {
    // A restarted process: a new Platform on the same database finds the
    // overdue order; no timer lived only in memory.
    auto restarted = Platform::Open(tp_->config());
    ASSERT_TRUE(restarted.ok()) << restarted.status();
    EXPECT_EQ(*(*restarted)->orders().ExpireOverdue(), 1);
    EXPECT_EQ(*(*restarted)->orders().ExpireOverdue(), 0);
  }
  EXPECT_EQ(*orders().ExpireOverdue(), 0);
  EXPECT_EQ(orders().GetOrder(buyer, o.id)->status, OrderStatus::kExpired);
  commerce::Sku after = commerce().GetProduct(o.items[0].spu_id)->skus[0];
  EXPECT_EQ(after.stock, 5);  // released exactly once
  EXPECT_EQ(after.sold, 0);
  EXPECT_EQ(orders().Pay(buyer, token.token).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(tp_->platform().simulated_payments()->charges(), 0);
}

TEST_P(ShopTest, CheckoutChargesOnceWhateverHappens) {
  Principal buyer = User("buyer"), thief = User("thief");
  commerce::Sku wok = Product(2500, 5);
  Order o = *Buy(buyer, wok.id, 2, "p1");
  PaymentToken t = *orders().CreatePaymentToken(buyer, o.id);
  auto* provider = tp_->platform().simulated_payments();

  provider->FailNextCharges(1);
  EXPECT_EQ(orders().Pay(buyer, t.token).status().code(),
            absl::StatusCode::kUnavailable);
  // The token is spent; a fresh one retries the same payment under the same
  // provider key.
  PaymentToken t2 = *orders().CreatePaymentToken(buyer, o.id);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (orders().Pay(buyer, t2.token).ok()) ok++;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 8);  // duplicates see the same successful payment
  EXPECT_EQ(provider->charges(), 1);
  EXPECT_EQ(provider->charged_cents(), 5000);
  Payment again = *orders().Pay(buyer, t2.token);
  EXPECT_EQ(again.status, PaymentStatus::kSucceeded);
  EXPECT_EQ(orders().GetOrder(buyer, o.id)->status, OrderStatus::kPaid);
  EXPECT_EQ(orders().CreatePaymentToken(buyer, o.id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(orders().Pay(thief, t2.token).status().code(),
            absl::StatusCode::kNotFound);
  // Someone else presenting a fresh token does not burn it.
  Order o3 = *Buy(buyer, wok.id, 1, "p3");
  PaymentToken fresh = *orders().CreatePaymentToken(buyer, o3.id);
  EXPECT_EQ(orders().Pay(thief, fresh.token).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(orders().Pay(buyer, fresh.token).ok());
  EXPECT_EQ(orders().Pay(buyer, "not-a-token").status().code(),
            absl::StatusCode::kNotFound);

  Order o2 = *Buy(buyer, wok.id, 1, "p2");
  PaymentToken stale = *orders().CreatePaymentToken(buyer, o2.id);
  tp_->clock().Advance(absl::Minutes(11));  // token TTL is 10 minutes
  EXPECT_EQ(orders().Pay(buyer, stale.token).status().code(),
            absl::StatusCode::kFailedPrecondition);

  absl::flat_hash_map<std::string, int64_t> balances =
      *orders().Balances(admin_);
  EXPECT_EQ(balances[kProviderClearing], 7500);  // o (5000) + o3 (2500)
  EXPECT_EQ(balances[MerchantAccount(merchant_.user_id)], -7500);
  ExpectLedgerBalanced();
}

// A cart of two shops checks out once: one order per merchant in one
// transaction, one token and one charge; refunds stay per order, and each
// merchant's ledger account gets its own order's amount.
TEST_P(ShopTest, MultiShopCheckoutIsAllOrNothingAndPaidOnce) {
  Principal buyer = User("buyer"), stranger = User("stranger");
  Principal rival = Merchant("rival");
  auto* provider = tp_->platform().simulated_payments();
  commerce::Sku wok = Product(4000, 5, "Wok", /*shipping=*/500);
  commerce::NewProduct teapot;
  teapot.category_id = category_;
  teapot.name = "Teapot";
  teapot.skus = {{"blue", 2500, 1}};
  commerce::Sku pot = commerce().CreateProduct(rival, teapot)->skus[0];
  CheckoutRequest r;
  r.address_id = AddressOf(buyer);
  r.idempotency_key = "basket-1";
  EXPECT_EQ(orders().CreateCheckout(buyer, r).status().code(),
            absl::StatusCode::kFailedPrecondition);  // an empty cart
  ASSERT_TRUE(commerce().PutInCart(buyer, wok.id, 2).ok());
  ASSERT_TRUE(commerce().PutInCart(buyer, pot.id, 1).ok());

  // One shop sold out (another buyer took the last teapot): nothing is
  // reserved anywhere and the cart stays as it was.
  Principal quick = User("quick");
  ASSERT_TRUE(Buy(quick, pot.id, 1, "quick").ok());
  absl::StatusOr<Checkout> refused = orders().CreateCheckout(buyer, r);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(commerce().GetProduct(wok.spu_id)->skus[0].stock, 5);
  EXPECT_EQ(commerce().GetCart(buyer)->lines.size(), 2u);
  ASSERT_TRUE(commerce().AddStock(rival, pot.id, 3).ok());

  r.idempotency_key = "basket-2";
  Checkout c = *orders().CreateCheckout(buyer, r);
  ASSERT_EQ(c.orders.size(), 2u);
  int64_t sum = 0;
  for (const Order& o : c.orders) {
    EXPECT_EQ(o.checkout_id, c.id);
    EXPECT_EQ(o.status, OrderStatus::kPendingPayment);
    sum += o.total_cents;
  }
  EXPECT_EQ(c.total_cents, 2 * 4000 + 500 + 2500);
  EXPECT_EQ(sum, c.total_cents);
  const Order& mine =
      c.orders[0].merchant_id == merchant_.user_id ? c.orders[0] : c.orders[1];
  const Order& theirs = &mine == &c.orders[0] ? c.orders[1] : c.orders[0];
  EXPECT_EQ(theirs.merchant_id, rival.user_id);
  EXPECT_TRUE(commerce().GetCart(buyer)->lines.empty());
  EXPECT_EQ(orders().CreateCheckout(buyer, r)->id, c.id);  // idempotent
  EXPECT_EQ(orders().GetCheckout(stranger, c.id).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(orders().GetCheckout(buyer, c.id)->orders.size(), 2u);
  // Its orders are paid with the checkout only.
  EXPECT_EQ(orders().CreatePaymentToken(buyer, mine.id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(orders().CreateCheckoutPaymentToken(stranger, c.id).status().code(),
            absl::StatusCode::kNotFound);

  // One token, one charge (retried: still one), both orders paid.
  const std::string token =
      orders().CreateCheckoutPaymentToken(buyer, c.id)->token;
  EXPECT_EQ(orders().PayCheckout(stranger, token).status().code(),
            absl::StatusCode::kNotFound);
  provider->FailNextCharges(1);
  EXPECT_FALSE(orders().PayCheckout(buyer, token).ok());
  std::vector<Payment> paid = *orders().PayCheckout(buyer, token);
  ASSERT_EQ(paid.size(), 2u);
  EXPECT_EQ(paid[0].charge_key, paid[1].charge_key);
  std::vector<Payment> again = *orders().PayCheckout(buyer, token);
  ASSERT_EQ(again.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(again[i].id, paid[i].id);
    EXPECT_EQ(again[i].status, PaymentStatus::kSucceeded);
  }
  EXPECT_EQ(provider->charges(), 1);
  EXPECT_EQ(provider->charged_cents(), c.total_cents);
  const Checkout paid_checkout = *orders().GetCheckout(buyer, c.id);
  for (const Order& o : paid_checkout.orders) {
    EXPECT_EQ(o.status, OrderStatus::kPaid);
  }
  absl::flat_hash_map<std::string, int64_t> balances =
      *orders().Balances(admin_);
  EXPECT_EQ(balances[MerchantAccount(merchant_.user_id)], -mine.total_cents);
  EXPECT_EQ(balances[MerchantAccount(rival.user_id)], -theirs.total_cents);

  // A refund returns one order's share of the charge; the other stays paid.
  ASSERT_TRUE(orders().RequestRefund(buyer, theirs.id, "chipped").ok());
  ASSERT_TRUE(orders().ReviewRefund(rival, theirs.id, true, true).ok());
  EXPECT_EQ(orders().GetOrder(buyer, theirs.id)->status,
            OrderStatus::kRefunded);
  EXPECT_EQ(orders().GetOrder(buyer, mine.id)->status, OrderStatus::kPaid);
  EXPECT_EQ(provider->charged_cents(), mine.total_cents);
  EXPECT_EQ((*orders().Balances(admin_))[MerchantAccount(rival.user_id)], 0);
  ExpectLedgerBalanced();

  // Unpaid, a checkout is cancelled whole, its stock returned.
  ASSERT_TRUE(commerce().PutInCart(buyer, wok.id, 1).ok());
  ASSERT_TRUE(commerce().PutInCart(buyer, pot.id, 1).ok());
  r.idempotency_key = "basket-3";
  Checkout unpaid = *orders().CreateCheckout(buyer, r);
  ASSERT_EQ(unpaid.orders.size(), 2u);
  ASSERT_TRUE(orders().CancelOrder(buyer, unpaid.orders[0].id).ok());
  const Checkout cancelled = *orders().GetCheckout(buyer, unpaid.id);
  for (const Order& o : cancelled.orders) {
    EXPECT_EQ(o.status, OrderStatus::kCancelled);
  }
  EXPECT_EQ(commerce().GetProduct(wok.spu_id)->skus[0].stock, 3);
  EXPECT_EQ(
      orders().CreateCheckoutPaymentToken(buyer, unpaid.id).status().code(),
      absl::StatusCode::kFailedPrecondition);
  r.coupon_mode = CouponMode::kSpecific;
  EXPECT_EQ(orders().CreateCheckout(buyer, r).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ShopTest, RefundsAreReviewedAndReverseTheLedger) {
  Principal buyer = User("buyer"), stranger = User("stranger");
  commerce::Sku wok = Product(4000, 5);
  Order o = *Buy(buyer, wok.id, 1, "r1");
  ASSERT_TRUE(orders()
                  .Pay(buyer, orders().CreatePaymentToken(buyer, o.id)->token)
                  .ok());
  ASSERT_TRUE(orders().RequestRefund(buyer, o.id, "wrong size").ok());
  EXPECT_EQ(orders().ReviewRefund(stranger, o.id, true, true).status().code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(
      orders().ReviewRefund(merchant_, o.id, false, false).ok());  // rejected
  EXPECT_EQ(orders().GetOrder(buyer, o.id)->status, OrderStatus::kPaid);
  ASSERT_TRUE(orders().RequestRefund(buyer, o.id, "really wrong size").ok());
  ASSERT_TRUE(orders().ReviewRefund(admin_, o.id, true, /*restock=*/true).ok());
  EXPECT_EQ(orders().GetOrder(buyer, o.id)->status, OrderStatus::kRefunded);
  // Approving again is idempotent (a retry after a lost answer); rejecting
  // after approval is refused; nothing moves twice.
  absl::StatusOr<Order> again =
      orders().ReviewRefund(merchant_, o.id, true, true);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->status, OrderStatus::kRefunded);
  EXPECT_EQ(
      orders().ReviewRefund(merchant_, o.id, false, false).status().code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(tp_->platform().simulated_payments()->refunds(), 1);
  EXPECT_EQ(commerce().GetProduct(o.items[0].spu_id)->skus[0].stock,
            5);  // restocked once
  EXPECT_EQ(tp_->platform().simulated_payments()->charged_cents(), 0);
  absl::flat_hash_map<std::string, int64_t> balances =
      *orders().Balances(admin_);
  EXPECT_EQ(balances[MerchantAccount(merchant_.user_id)], 0);
  EXPECT_EQ(balances[kProviderClearing], 0);
  ExpectLedgerBalanced();
  EXPECT_EQ(orders().Ledger(buyer).status().code(),
            absl::StatusCode::kPermissionDenied);
}

// A buyer hides a closed order from their list; the merchant, GetOrder and
// the ledger still have it. Open orders and other people's are refused.
TEST_P(ShopTest, BuyersHideClosedOrdersOnly) {
  Principal buyer = User("buyer"), stranger = User("stranger");
  commerce::Sku wok = Product(1000, 10);
  Order open = *Buy(buyer, wok.id, 1, "h1");
  Order paid = *Buy(buyer, wok.id, 1, "h2");
  ASSERT_TRUE(
      orders()
          .Pay(buyer, orders().CreatePaymentToken(buyer, paid.id)->token)
          .ok());
  Order cancelled = *Buy(buyer, wok.id, 1, "h3");
  ASSERT_TRUE(orders().CancelOrder(buyer, cancelled.id).ok());

  absl::Status st = orders().HideOrder(buyer, open.id);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(st.message(), "pending_payment")) << st;
  EXPECT_EQ(orders().HideOrder(buyer, paid.id).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(orders().HideOrder(stranger, cancelled.id).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(orders().HideOrder(buyer, 0).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(orders().HideOrder(buyer, cancelled.id).ok());
  ASSERT_TRUE(orders().HideOrder(buyer, cancelled.id).ok());  // idempotent

  std::vector<int64_t> listed;
  const Page<Order> mine = *orders().ListMyOrders(buyer, "", 10);
  for (const Order& o : mine.items) listed.push_back(o.id);
  EXPECT_EQ(listed, (std::vector<int64_t>{paid.id, open.id}));
  // Paging skips it too: one per page, two pages, then the end.
  Page<Order> first = *orders().ListMyOrders(buyer, "", 1);
  Page<Order> second = *orders().ListMyOrders(buyer, first.next_page_token, 1);
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(second.items[0].id, open.id);
  EXPECT_EQ(orders().GetOrder(buyer, cancelled.id)->id, cancelled.id);
  int merchant_sees = 0;
  const Page<Order> theirs = *orders().ListMerchantOrders(merchant_, "", 10);
  for (const Order& o : theirs.items) merchant_sees += o.id == cancelled.id;
  EXPECT_EQ(merchant_sees, 1);
}

// GetLedger: merchants see their own account, admins anyone's or all, paged
// newest order first; the entries add up to the balances.
TEST_P(ShopTest, LedgerIsPagedAndScopedByRole) {
  Principal buyer = User("buyer");
  Principal other = Merchant("othershop");
  commerce::Sku wok = Product(1500, 10);
  std::vector<int64_t> paid;
  for (int i = 0; i < 3; ++i) {
    Order o = *Buy(buyer, wok.id, 1, "l" + std::to_string(i));
    ASSERT_TRUE(orders()
                    .Pay(buyer, orders().CreatePaymentToken(buyer, o.id)->token)
                    .ok());
    paid.push_back(o.id);
  }
  ASSERT_TRUE(orders().RequestRefund(buyer, paid[0], "broken").ok());
  ASSERT_TRUE(orders().ReviewRefund(merchant_, paid[0], true, false).ok());

  // The merchant, two entries per page: payment(2), payment(1), refund(0),
  // payment(0) for their account, newest order first.
  std::vector<LedgerEntry> mine;
  std::string token;
  int pages = 0;
  do {
    absl::StatusOr<LedgerPage> page =
        orders().GetLedger(merchant_, 0, token, 2);
    ASSERT_TRUE(page.ok()) << page.status();
    mine.insert(mine.end(), page->entries.begin(), page->entries.end());
    ASSERT_EQ(page->balances.size(), 1u);
    EXPECT_EQ(page->balances[MerchantAccount(merchant_.user_id)], -3000);
    token = page->next_page_token;
    ++pages;
  } while (!token.empty() && pages < 10);
  ASSERT_EQ(mine.size(), 4u);
  EXPECT_EQ(mine[0].order_id, paid[2]);
  EXPECT_EQ(mine[1].order_id, paid[1]);
  EXPECT_EQ(mine[2].order_id, paid[0]);
  EXPECT_EQ(mine[2].kind, "refund");
  EXPECT_EQ(mine[3].kind, "payment");
  int64_t sum = 0;
  for (const LedgerEntry& e : mine) {
    EXPECT_EQ(e.account, MerchantAccount(merchant_.user_id));
    sum += e.amount_cents;
  }
  EXPECT_EQ(sum, -3000);

  // The other merchant has nothing and sees nothing of this one's.
  LedgerPage empty = *orders().GetLedger(other, 0, "", 10);
  EXPECT_TRUE(empty.entries.empty());
  EXPECT_EQ(empty.balances[MerchantAccount(other.user_id)], 0);
  EXPECT_EQ(
      orders().GetLedger(other, merchant_.user_id, "", 10).status().code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(orders().GetLedger(buyer, 0, "", 10).status().code(),
            absl::StatusCode::kPermissionDenied);
  // A token of one ledger is refused on another.
  LedgerPage first = *orders().GetLedger(merchant_, 0, "", 1);
  EXPECT_EQ(
      orders().GetLedger(admin_, 0, first.next_page_token, 1).status().code(),
      absl::StatusCode::kInvalidArgument);

  // An admin: one merchant, or every account (both sides of each posting).
  EXPECT_EQ(
      orders().GetLedger(admin_, merchant_.user_id, "", 100)->entries.size(),
      4u);
  LedgerPage all = *orders().GetLedger(admin_, 0, "", 100);
  EXPECT_EQ(all.entries.size(), 8u);
  EXPECT_EQ(all.balances[kProviderClearing], 3000);
  ExpectLedgerBalanced();
}

TEST_P(ShopTest, ConcurrentOrdersNeverOversell) {
  constexpr int kStock = 1000, kThreads = 16, kPerThread = 200;
  commerce::Sku hot = Product(100, kStock, "Flash sale");
  std::vector<Principal> buyers;
  for (int i = 0; i < kThreads; ++i) {
    buyers.push_back(User("buyer" + std::to_string(i)));
    AddressOf(buyers.back());
  }
  std::atomic<int> sold{0}, sold_out{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::Status st =
            Buy(buyers[t], hot.id, 1, absl::StrCat("k", i)).status();
        if (st.ok()) {
          sold++;
        } else if (st.code() == absl::StatusCode::kFailedPrecondition) {
          sold_out++;
        } else {
          errors++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(sold.load(), kStock);
  EXPECT_EQ(sold_out.load(), kThreads * kPerThread - kStock);
  commerce::Sku after =
      commerce()
          .GetProduct(
              orders().ListMyOrders(buyers[0], "", 1)->items[0].items[0].spu_id)
          ->skus[0];
  EXPECT_EQ(after.stock, 0);
  EXPECT_EQ(after.sold, kStock);
  EXPECT_EQ(after.stock + after.sold, kStock);
}

TEST_P(ShopTest, AddressChangesBeforeShippingOnlyAndByTheBuyer) {
  Principal buyer = User("buyer"), other = User("other");
  commerce::Sku wok = Product(1000, 5);
  Order o = *Buy(buyer, wok.id, 1, "a1");
  account::Address office;
  office.recipient = "Mei at work";
  office.phone = "+86 139 0000 0000";
  office.line1 = "1 Tech Park";
  office.city = "Shenzhen";
  office.country_code = "CN";
  const int64_t office_id = accounts().AddAddress(buyer, office)->id;
  EXPECT_EQ(orders().ChangeAddress(other, o.id, office_id).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      orders().ChangeAddress(buyer, o.id, AddressOf(other)).status().code(),
      absl::StatusCode::kNotFound);  // someone else's address
  EXPECT_EQ(orders().ChangeAddress(buyer, o.id, office_id)->address.city,
            "Shenzhen");
  ASSERT_TRUE(orders()
                  .Pay(buyer, orders().CreatePaymentToken(buyer, o.id)->token)
                  .ok());
  ASSERT_TRUE(orders().Ship(merchant_, o.id).ok());
  EXPECT_EQ(
      orders().ChangeAddress(buyer, o.id, AddressOf(buyer)).status().code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST_P(ShopTest, OrderEventsGoThroughTheOutbox) {
  absl::Mutex mu;
  std::vector<std::string> topics;
  std::vector<std::unique_ptr<Subscription>> subs;
  for (const char* t : {kTopicOrderCreated, kTopicOrderPaid, kTopicOrderExpired,
                        kTopicOrderRefunded}) {
    subs.push_back(
        tp_->platform().events().Subscribe("test", t, [&](const Event& e) {
          absl::MutexLock lock(&mu);
          topics.push_back(e.topic);
          return absl::OkStatus();
        }));
  }
  Principal buyer = User("buyer");
  commerce::Sku wok = Product(1000, 5);
  Order paid = *Buy(buyer, wok.id, 1, "e1");
  ASSERT_TRUE(
      orders()
          .Pay(buyer, orders().CreatePaymentToken(buyer, paid.id)->token)
          .ok());
  ASSERT_TRUE(orders().RequestRefund(buyer, paid.id, "no longer needed").ok());
  ASSERT_TRUE(orders().ReviewRefund(merchant_, paid.id, true, true).ok());
  ASSERT_TRUE(Buy(buyer, wok.id, 1, "e2").ok());
  tp_->clock().Advance(absl::Minutes(16));
  ASSERT_EQ(*orders().ExpireOverdue(), 1);
  for (int i = 0; i < 300; ++i) {
    {
      absl::MutexLock lock(&mu);
      if (topics.size() >= 5) break;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  absl::MutexLock lock(&mu);
  std::sort(topics.begin(), topics.end());
  EXPECT_EQ(topics,
            (std::vector<std::string>{kTopicOrderCreated, kTopicOrderCreated,
                                      kTopicOrderExpired, kTopicOrderPaid,
                                      kTopicOrderRefunded}));
}

INSTANTIATE_TEST_SUITE_P(Backends, ShopTest, ::testing::ValuesIn(SqlStorages()),
                         StorageTestName);

}  // namespace
}  // namespace tokkit::order
