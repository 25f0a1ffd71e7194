// The shop fixture shared by the order tests: a Platform on a fresh database
// of each backend, with an admin, a merchant, a category and helpers to
// make products, coupons and orders.
#ifndef TOKKIT_LIB_ORDER_TESTING_SHOP_TEST_H_
#define TOKKIT_LIB_ORDER_TESTING_SHOP_TEST_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "gtest/gtest.h"
#include "lib/order/order_service.h"
#include "lib/platform/testing/test_platform.h"

namespace tokkit::order::testing {

using commerce::CouponKind;
using commerce::CouponScope;
using ::tokkit::testing::TestPlatform;

class ShopTest
    : public ::testing::TestWithParam<::tokkit::testing::StorageUnderTest> {
 protected:
  // Tests adjust the platform here (e.g. a payment provider of their own).
  virtual void Customize(PlatformConfig&) {}

  void SetUp() override {
    auto t = TestPlatform::Create(GetParam(), [this](PlatformConfig& c) {
      c.orders.expiry_sweep_interval = absl::ZeroDuration();  // swept by hand
      c.database_pool_size = 8;
      Customize(c);
    });
    ASSERT_TRUE(t.ok()) << t.status();
    tp_ = std::move(*t);
    admin_ = User("boss");
    ASSERT_TRUE(accounts().GrantAdmin("boss").ok());
    admin_.role = account::Role::kAdmin;
    merchant_ = Merchant("shop");
    category_ = commerce().CreateCategory(admin_, "Kitchen")->id;
  }

  account::AccountService& accounts() { return tp_->platform().accounts(); }
  commerce::CommerceService& commerce() { return tp_->platform().commerce(); }
  OrderService& orders() { return tp_->platform().orders(); }

  Principal User(const std::string& name) {
    auto login = tp_->SignUp(name);
    EXPECT_TRUE(login.ok()) << login.status();
    return login->principal;
  }

  // A new user the admin made a merchant.
  Principal Merchant(const std::string& name) {
    Principal p = User(name);
    EXPECT_TRUE(
        accounts().SetRole(admin_, p.user_id, account::Role::kMerchant).ok());
    p.role = account::Role::kMerchant;
    return p;
  }

  int64_t Address(const Principal& p) {
    account::Address a;
    a.recipient = "R";
    a.phone = "+86 138 0000 0000";
    a.line1 = "1 Road";
    a.city = "Hangzhou";
    a.country_code = "CN";
    return accounts().AddAddress(p, a)->id;
  }

  // A product with one SKU.
  commerce::Sku Product(int64_t price, int64_t stock,
                        const std::string& name = "Wok", int64_t shipping = 0) {
    commerce::NewProduct p;
    p.category_id = category_;
    p.name = name;
    p.shipping_cents = shipping;
    p.skus = {{"size=32cm", price, stock}};
    absl::StatusOr<commerce::Product> made =
        commerce().CreateProduct(merchant_, p);
    EXPECT_TRUE(made.ok()) << made.status();
    return made->skus[0];
  }

  int64_t Coupon(CouponKind kind, int64_t value, int64_t threshold,
                 int64_t total = 100, int per_user = 1) {
    commerce::Coupon c;
    c.name = "deal";
    c.kind = kind;
    if (kind == CouponKind::kAmountOff)
      c.amount_off_cents = value;
    else
      c.percent_off = static_cast<int>(value);
    c.threshold_cents = threshold;
    c.total_limit = total;
    c.per_user_limit = per_user;
    c.claim_start = tp_->clock().Now() - absl::Hours(1);
    c.claim_end = tp_->clock().Now() + absl::Hours(24);
    absl::StatusOr<commerce::Coupon> made =
        commerce().CreateCoupon(merchant_, c);
    EXPECT_TRUE(made.ok()) << made.status();
    return made->id;
  }

  absl::StatusOr<Order> Buy(const Principal& who, int64_t sku, int64_t qty,
                            const std::string& key,
                            CouponMode mode = CouponMode::kNone,
                            int64_t user_coupon = 0) {
    CreateOrderRequest r;
    r.lines = {{sku, qty}};
    r.address_id = AddressOf(who);
    r.coupon_mode = mode;
    r.user_coupon_id = user_coupon;
    r.idempotency_key = key;
    return orders().CreateOrder(who, r);
  }

  int64_t AddressOf(const Principal& who) {
    auto it = addresses_.find(who.user_id);
    if (it != addresses_.end()) return it->second;
    return addresses_[who.user_id] = Address(who);
  }

  void ExpectLedgerBalanced() {
    std::vector<LedgerEntry> entries = *orders().Ledger(admin_);
    absl::flat_hash_map<std::string, int64_t> sums;
    for (const LedgerEntry& e : entries) sums[e.account] += e.amount_cents;
    absl::flat_hash_map<std::string, int64_t> balances =
        *orders().Balances(admin_);
    int64_t total = 0;
    for (const auto& [account, balance] : balances) {
      EXPECT_EQ(sums[account], balance) << account;
      total += balance;
    }
    EXPECT_EQ(total, 0);  // double entry
  }

  std::unique_ptr<TestPlatform> tp_;
  Principal admin_, merchant_;
  int64_t category_ = 0;
  absl::flat_hash_map<int64_t, int64_t> addresses_;
};

}  // namespace tokkit::order::testing

#endif  // TOKKIT_LIB_ORDER_TESTING_SHOP_TEST_H_
