// Coupon pricing rules, pure and shared by cart previews and orders.
//
// A coupon applies to the order's items in its scope (the merchant's whole
// shop, one category, or one SPU). Its eligible subtotal must reach the
// threshold. Amount-off takes min(amount, eligible subtotal); percent-off
// takes floor(eligible subtotal * percent / 100). One coupon per order; "best"
// picks the usable coupon with the largest discount (ties: the one expiring
// first, then the lowest id).
#ifndef TOKKIT_LIB_COMMERCE_PRICING_H_
#define TOKKIT_LIB_COMMERCE_PRICING_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "lib/commerce/model.h"

namespace tokkit::commerce {

struct PricedLine {
  int64_t spu_id = 0;
  int64_t category_id = 0;
  int64_t merchant_id = 0;
  int64_t unit_price_cents = 0;
  int64_t quantity = 0;
};

// 0 when the coupon does not apply (scope, merchant, threshold).
int64_t CouponDiscount(const Coupon& coupon,
                       const std::vector<PricedLine>& lines);

struct CouponChoice {
  UserCoupon user_coupon;
  Coupon coupon;
  int64_t discount_cents = 0;
};

// The best of `wallet` (usable at `now`) for these lines, or nullopt.
std::optional<CouponChoice> BestCoupon(
    const std::vector<std::pair<UserCoupon, Coupon>>& wallet,
    const std::vector<PricedLine>& lines, absl::Time now);

}  // namespace tokkit::commerce

#endif  // TOKKIT_LIB_COMMERCE_PRICING_H_
