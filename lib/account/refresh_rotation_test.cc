#include "lib/account/refresh_rotation.h"

#include "gtest/gtest.h"

namespace tokkit::account {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1767225600);

TEST(RefreshRotationTest, ARevokedSessionRefusesWithoutClaiming) {
  EXPECT_EQ(BeforeClaim(true), RotateOutcome::kRevoked);
  EXPECT_EQ(BeforeClaim(false), std::nullopt);
}

TEST(RefreshRotationTest, ASecondUseIsAReuseEvenWhenExpired) {
  EXPECT_EQ(AfterClaim(false, kNow + absl::Hours(1), kNow),
            RotateOutcome::kReused);
  EXPECT_EQ(AfterClaim(false, kNow - absl::Hours(1), kNow),
            RotateOutcome::kReused);
}

TEST(RefreshRotationTest, ExpiryIsExclusive) {
  EXPECT_EQ(AfterClaim(true, kNow, kNow), RotateOutcome::kExpired);
  EXPECT_EQ(AfterClaim(true, kNow - absl::Seconds(1), kNow),
            RotateOutcome::kExpired);
  EXPECT_EQ(AfterClaim(true, kNow + absl::Milliseconds(1), kNow),
            RotateOutcome::kRotated);
}

}  // namespace
}  // namespace tokkit::account
