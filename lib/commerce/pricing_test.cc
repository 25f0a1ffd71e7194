#include "lib/commerce/pricing.h"

#include "gtest/gtest.h"

namespace tokkit::commerce {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1767225600);

Coupon AmountOff(int64_t id, int64_t off, int64_t threshold) {
  Coupon c;
  c.id = id;
  c.merchant_id = 1;
  c.kind = CouponKind::kAmountOff;
  c.amount_off_cents = off;
  c.threshold_cents = threshold;
  return c;
}

Coupon PercentOff(int64_t id, int pct, CouponScope scope = CouponScope::kShop,
                  int64_t scope_id = 0) {
  Coupon c;
  c.id = id;
  c.merchant_id = 1;
  c.kind = CouponKind::kPercentOff;
  c.percent_off = pct;
  c.scope = scope;
  c.scope_id = scope_id;
  return c;
}

UserCoupon Owned(int64_t id, absl::Duration left = absl::Hours(1)) {
  UserCoupon u;
  u.id = id;
  u.expires_at = kNow + left;
  return u;
}

// 2 x 1000 (spu 10, category 5) + 1 x 3000 (spu 11, category 6), merchant 1.
const std::vector<PricedLine> kLines = {{10, 5, 1, 1000, 2},
                                        {11, 6, 1, 3000, 1}};

TEST(Pricing, AmountOffNeedsThresholdAndNeverExceedsSubtotal) {
  EXPECT_EQ(CouponDiscount(AmountOff(1, 500, 5000), kLines), 500);
  EXPECT_EQ(CouponDiscount(AmountOff(1, 500, 5001), kLines), 0);
  EXPECT_EQ(CouponDiscount(AmountOff(1, 99999, 0), kLines), 5000);
}

TEST(Pricing, PercentOffFloorsAndRespectsScope) {
  EXPECT_EQ(CouponDiscount(PercentOff(1, 15), kLines), 750);
  EXPECT_EQ(
      CouponDiscount(PercentOff(1, 15, CouponScope::kCategory, 5), kLines),
      300);
  EXPECT_EQ(CouponDiscount(PercentOff(1, 33, CouponScope::kSpu, 11), kLines),
            990);
  EXPECT_EQ(CouponDiscount(PercentOff(1, 50, CouponScope::kSpu, 99), kLines),
            0);
  Coupon other_shop = PercentOff(1, 50);
  other_shop.merchant_id = 2;
  EXPECT_EQ(CouponDiscount(other_shop, kLines), 0);
}

TEST(Pricing, BestCouponPicksLargestUsableDiscount) {
  std::vector<std::pair<UserCoupon, Coupon>> wallet = {
      {Owned(1), AmountOff(100, 500, 0)},
      {Owned(2), PercentOff(101, 20)},                       // 1000: best
      {Owned(3, absl::Hours(-1)), AmountOff(102, 4000, 0)},  // expired
  };
  UserCoupon used = Owned(4);
  used.used_order_id = 77;
  wallet.push_back({used, AmountOff(103, 4500, 0)});  // already used
  std::optional<CouponChoice> best = BestCoupon(wallet, kLines, kNow);
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(best->user_coupon.id, 2);
  EXPECT_EQ(best->discount_cents, 1000);
  // Equal discounts: the one expiring first.
  wallet = {{Owned(5, absl::Hours(9)), AmountOff(1, 700, 0)},
            {Owned(6, absl::Hours(2)), AmountOff(2, 700, 0)}};
  EXPECT_EQ(BestCoupon(wallet, kLines, kNow)->user_coupon.id, 6);
  EXPECT_FALSE(BestCoupon({}, kLines, kNow).has_value());
}

Coupon Platform(int64_t id, CouponKind kind, int64_t value, int64_t threshold) {
  Coupon c;
  c.id = id;
  c.merchant_id = kPlatformCouponMerchant;
  c.kind = kind;
  if (kind == CouponKind::kAmountOff) {
    c.amount_off_cents = value;
  } else {
    c.percent_off = static_cast<int>(value);
  }
  c.threshold_cents = threshold;
  return c;
}

TEST(Pricing, PlatformCouponsApplyToWhatTheShopCouponLeaves) {
  // Items total 5000. A shop coupon takes 1000 (20%); the platform's 10%
  // then takes 10% of the 4000 left.
  const Coupon shop = PercentOff(1, 20);
  const Coupon ten = Platform(2, CouponKind::kPercentOff, 10, 0);
  EXPECT_EQ(CouponDiscount(ten, kLines), 0);         // not a shop coupon
  EXPECT_EQ(PlatformCouponDiscount(shop, 5000), 0);  // not a platform one
  EXPECT_EQ(PlatformCouponDiscount(ten, 4000), 400);
  std::vector<std::pair<UserCoupon, Coupon>> wallet = {{Owned(1), shop},
                                                       {Owned(2), ten}};
  CouponPair best = BestCouponPair(wallet, kLines, kNow);
  ASSERT_TRUE(best.shop && best.platform);
  EXPECT_EQ(best.shop->discount_cents, 1000);
  EXPECT_EQ(best.platform->discount_cents, 400);
  EXPECT_EQ(best.total_discount_cents(), 1400);
  // BestCoupon alone never picks a platform coupon.
  EXPECT_EQ(BestCoupon({{Owned(2), ten}}, kLines, kNow), std::nullopt);
}

TEST(Pricing, BestPairIsNotGreedy) {
  // The biggest shop coupon (2000 off) leaves 3000, below the platform's
  // 4000 threshold: 2000 in all. The smaller one (600 off) leaves 4400 and
  // keeps the platform's 1500: 2100.
  std::vector<std::pair<UserCoupon, Coupon>> wallet = {
      {Owned(1), AmountOff(10, 2000, 0)},
      {Owned(2), AmountOff(11, 600, 0)},
      {Owned(3), Platform(12, CouponKind::kAmountOff, 1500, 4000)},
  };
  CouponPair best = BestCouponPair(wallet, kLines, kNow);
  ASSERT_TRUE(best.shop && best.platform);
  EXPECT_EQ(best.shop->user_coupon.id, 2);
  EXPECT_EQ(best.platform->user_coupon.id, 3);
  EXPECT_EQ(best.total_discount_cents(), 2100);
  // Nothing usable: an empty pair.
  CouponPair none = BestCouponPair({}, kLines, kNow);
  EXPECT_FALSE(none.shop || none.platform);
  EXPECT_EQ(none.total_discount_cents(), 0);
  // A platform coupon alone.
  CouponPair alone = BestCouponPair({wallet[2]}, kLines, kNow);
  EXPECT_FALSE(alone.shop);
  ASSERT_TRUE(alone.platform);
  EXPECT_EQ(alone.platform->discount_cents, 1500);
  // Equal totals: the pair expiring first.
  wallet = {
      {Owned(4, absl::Hours(9)), Platform(1, CouponKind::kAmountOff, 300, 0)},
      {Owned(5, absl::Hours(2)), Platform(2, CouponKind::kAmountOff, 300, 0)}};
  EXPECT_EQ(BestCouponPair(wallet, kLines, kNow).platform->user_coupon.id, 5);
}

TEST(Pricing, ChosenPairMustBeUsableAndOfTheRightKind) {
  std::vector<std::pair<UserCoupon, Coupon>> wallet = {
      {Owned(1), AmountOff(10, 500, 0)},
      {Owned(2), Platform(11, CouponKind::kAmountOff, 300, 4500)},
      {Owned(3, absl::Hours(-1)), Platform(12, CouponKind::kAmountOff, 1, 0)},
  };
  std::optional<CouponPair> both = ChosenCouponPair(wallet, kLines, kNow, 1, 2);
  ASSERT_TRUE(both.has_value());
  EXPECT_EQ(both->total_discount_cents(), 800);  // 4500 left: threshold met
  EXPECT_EQ(
      ChosenCouponPair(wallet, kLines, kNow, 0, 2)->platform->discount_cents,
      300);
  EXPECT_EQ(ChosenCouponPair(wallet, kLines, kNow, 2, 0), std::nullopt);
  EXPECT_EQ(ChosenCouponPair(wallet, kLines, kNow, 0, 1), std::nullopt);
  EXPECT_EQ(ChosenCouponPair(wallet, kLines, kNow, 0, 3), std::nullopt);
  EXPECT_EQ(ChosenCouponPair(wallet, kLines, kNow, 9, 0), std::nullopt);
  // A shop coupon of 1000 would leave 4000, under the platform threshold.
  wallet[0].second.amount_off_cents = 1000;
  EXPECT_EQ(ChosenCouponPair(wallet, kLines, kNow, 1, 2), std::nullopt);
  std::optional<CouponPair> nothing =
      ChosenCouponPair(wallet, kLines, kNow, 0, 0);
  ASSERT_TRUE(nothing.has_value());
  EXPECT_EQ(nothing->total_discount_cents(), 0);
}

}  // namespace
}  // namespace tokkit::commerce
