#include "lib/commerce/coupon_claims.h"

#include "gtest/gtest.h"

namespace tokkit::commerce {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1767225600);

Coupon Weekly() {
  Coupon c;
  c.id = 5;
  c.per_user_limit = 2;
  c.claim_start = kStart;
  c.claim_end = kStart + absl::Hours(24);
  c.valid_for = absl::Hours(24 * 7);
  return c;
}

TEST(CouponClaimsTest, TheWindowIncludesItsStartAndExcludesItsEnd) {
  const Coupon c = Weekly();
  EXPECT_FALSE(ClaimWindowOpen(c, kStart - absl::Milliseconds(1)));
  EXPECT_TRUE(ClaimWindowOpen(c, kStart));
  EXPECT_TRUE(ClaimWindowOpen(c, c.claim_end - absl::Milliseconds(1)));
  EXPECT_FALSE(ClaimWindowOpen(c, c.claim_end));
}

TEST(CouponClaimsTest, AnEmptyPoolIsExplainedByTheWindowFirst) {
  const Coupon c = Weekly();
  EXPECT_EQ(PoolRefusal(c, kStart - absl::Seconds(1)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(PoolRefusal(c, c.claim_end).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(PoolRefusal(c, kStart).code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(CouponClaimsTest, PerUserLimit) {
  const Coupon c = Weekly();
  EXPECT_TRUE(CheckPerUserLimit(c, 0).ok());
  EXPECT_TRUE(CheckPerUserLimit(c, 1).ok());
  absl::Status full = CheckPerUserLimit(c, 2);
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(full.message(), "at most 2 of this coupon per user");
}

TEST(CouponClaimsTest, AClaimedCouponIsUsableForItsValidity) {
  const UserCoupon u = ClaimedCoupon(Weekly(), 77, 9, kStart + absl::Hours(1));
  EXPECT_EQ(u.id, 77);
  EXPECT_EQ(u.coupon_id, 5);
  EXPECT_EQ(u.user_id, 9);
  EXPECT_EQ(u.claimed_at, kStart + absl::Hours(1));
  EXPECT_EQ(u.expires_at, kStart + absl::Hours(1 + 24 * 7));
  EXPECT_EQ(u.used_order_id, 0);
}

}  // namespace
}  // namespace tokkit::commerce
