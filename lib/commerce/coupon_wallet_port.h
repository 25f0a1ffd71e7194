// A buyer's coupons as an order's transaction sees them.
#ifndef TOKKIT_LIB_COMMERCE_COUPON_WALLET_PORT_H_
#define TOKKIT_LIB_COMMERCE_COUPON_WALLET_PORT_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/commerce/model.h"
#include "lib/store/tx.h"

namespace tokkit::commerce {

class CouponWalletPort {
 public:
  virtual ~CouponWalletPort() = default;
  // Every coupon the user claimed, with its terms, oldest first.
  virtual absl::StatusOr<std::vector<std::pair<UserCoupon, Coupon>>> Load(
      Tx& tx, int64_t user_id) = 0;
  // Marks the coupon used by `order_id` if it is the user's, unused and
  // unexpired at `now`; false (and no change) otherwise.
  virtual absl::StatusOr<bool> Use(Tx& tx, int64_t user_coupon_id,
                                   int64_t user_id, int64_t order_id,
                                   absl::Time now) = 0;
  // Gives the coupon back if `order_id` used it (its order closed unpaid).
  virtual absl::Status Return(Tx& tx, int64_t user_coupon_id,
                              int64_t order_id) = 0;
};

}  // namespace tokkit::commerce

#endif  // TOKKIT_LIB_COMMERCE_COUPON_WALLET_PORT_H_
