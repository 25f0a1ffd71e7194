// The coupon claim rules, pure. The adapter takes one coupon from the pool
// with a conditional update (which also serialises claims of one coupon) and
// asks these what to answer.
#ifndef TOKKIT_LIB_COMMERCE_COUPON_CLAIMS_H_
#define TOKKIT_LIB_COMMERCE_COUPON_CLAIMS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/commerce/model.h"

namespace tokkit::commerce {

// Whether `now` is inside the coupon's claim window [claim_start, claim_end).
bool ClaimWindowOpen(const Coupon& coupon, absl::Time now);

// Why a claim that could not take one from the pool was refused:
// FAILED_PRECONDITION when deactivated or outside the claim window, else
// RESOURCE_EXHAUSTED (all issued).
absl::Status PoolRefusal(const Coupon& coupon, absl::Time now);

// RESOURCE_EXHAUSTED when the user already holds `held` of this coupon and
// that is its per-user limit.
absl::Status CheckPerUserLimit(const Coupon& coupon, int64_t held);

// The wallet entry a claim at `now` creates: usable for `valid_for`.
UserCoupon ClaimedCoupon(const Coupon& coupon, int64_t user_coupon_id,
                         int64_t user_id, absl::Time now);

}  // namespace tokkit::commerce

#endif  // TOKKIT_LIB_COMMERCE_COUPON_CLAIMS_H_
