#include "lib/commerce/coupon_claims.h"

#include "absl/strings/str_cat.h"

namespace tokkit::commerce {

bool ClaimWindowOpen(const Coupon& coupon, absl::Time now) {
  return coupon.claim_start <= now && now < coupon.claim_end;
}

absl::Status PoolRefusal(const Coupon& coupon, absl::Time now) {
  if (!coupon.active) {
    return absl::FailedPreconditionError(
        "this coupon was withdrawn by its shop");
  }
  if (!ClaimWindowOpen(coupon, now)) {
    return absl::FailedPreconditionError("coupon is not claimable now");
  }
  return absl::ResourceExhaustedError("coupon is all claimed");
}

absl::Status CheckPerUserLimit(const Coupon& coupon, int64_t held) {
  if (held >= coupon.per_user_limit) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "at most ", coupon.per_user_limit, " of this coupon per user"));
  }
  return absl::OkStatus();
}

UserCoupon ClaimedCoupon(const Coupon& coupon, int64_t user_coupon_id,
                         int64_t user_id, absl::Time now) {
  return {user_coupon_id, coupon.id, user_id, now, now + coupon.valid_for, 0};
}

}  // namespace tokkit::commerce
