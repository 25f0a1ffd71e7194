// Coupon pricing rules, pure and shared by cart previews and orders.
//
// A coupon applies to the order's items in its scope (the merchant's whole
// shop, one category, or one SPU). Its eligible subtotal must reach the
// threshold. Amount-off takes min(amount, eligible subtotal); percent-off
// takes floor(eligible subtotal * percent / 100). One coupon per order; "best"
// picks the usable coupon with the largest discount (ties: the one expiring
// first, then the lowest id).
//
// Platform coupons (merchant_id kPlatformCouponMerchant, issued by admins)
// apply to the whole order of any shop. An order may use one shop coupon
// and one platform coupon: the shop coupon first, then the platform coupon
// on what is left (items total minus the shop discount), whose threshold
// is checked against that rest. "Best" picks the pair (either may be absent)
// with the largest total discount; ties go to the pair expiring first.
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

inline constexpr int64_t kPlatformCouponMerchant = 0;
inline bool IsPlatformCoupon(const Coupon& c) {
  return c.merchant_id == kPlatformCouponMerchant;
}

// 0 when the coupon does not apply (scope, merchant, threshold). A shop
// coupon's discount; see PlatformCouponDiscount for the platform's.
int64_t CouponDiscount(const Coupon& coupon,
                       const std::vector<PricedLine>& lines);

// A platform coupon's discount on `rest_cents` (the items total minus the
// shop coupon's discount); 0 below its threshold.
int64_t PlatformCouponDiscount(const Coupon& coupon, int64_t rest_cents);

struct CouponChoice {
  UserCoupon user_coupon;
  Coupon coupon;
  int64_t discount_cents = 0;
};

// The best shop coupon of `wallet` (usable at `now`) for these lines, or
// nullopt. Platform coupons are not considered.
std::optional<CouponChoice> BestCoupon(
    const std::vector<std::pair<UserCoupon, Coupon>>& wallet,
    const std::vector<PricedLine>& lines, absl::Time now);

struct CouponPair {
  std::optional<CouponChoice> shop;
  std::optional<CouponChoice> platform;
  int64_t total_discount_cents() const {
    return (shop ? shop->discount_cents : 0) +
           (platform ? platform->discount_cents : 0);
  }
};

// The best shop + platform pair of `wallet` for these lines (both absent
// when nothing applies).
CouponPair BestCouponPair(
    const std::vector<std::pair<UserCoupon, Coupon>>& wallet,
    const std::vector<PricedLine>& lines, absl::Time now);

// The pair the buyer named (wallet ids; 0: none of that kind), priced as
// BestCouponPair would. nullopt when a named coupon is not in the wallet,
// used, expired, of the wrong kind, or gives no discount on these lines.
std::optional<CouponPair> ChosenCouponPair(
    const std::vector<std::pair<UserCoupon, Coupon>>& wallet,
    const std::vector<PricedLine>& lines, absl::Time now,
    int64_t shop_user_coupon_id, int64_t platform_user_coupon_id);

}  // namespace tokkit::commerce

#endif  // TOKKIT_LIB_COMMERCE_PRICING_H_
