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

}  // namespace
}  // namespace tokkit::commerce
