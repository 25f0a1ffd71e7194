#include "lib/commerce/pricing.h"

namespace tokkit::commerce {

int64_t CouponDiscount(const Coupon& c, const std::vector<PricedLine>& lines) {
  int64_t eligible = 0;
  for (const PricedLine& l : lines) {
    if (l.merchant_id != c.merchant_id) continue;
    if (c.scope == CouponScope::kCategory && l.category_id != c.scope_id)
      continue;
    if (c.scope == CouponScope::kSpu && l.spu_id != c.scope_id) continue;
    eligible += l.unit_price_cents * l.quantity;
  }
  if (eligible <= 0 || eligible < c.threshold_cents) return 0;
  if (c.kind == CouponKind::kAmountOff)
    return std::min(c.amount_off_cents, eligible);
  return eligible * c.percent_off /
         100;  // floor: the shop never over-discounts
}

std::optional<CouponChoice> BestCoupon(
    const std::vector<std::pair<UserCoupon, Coupon>>& wallet,
    const std::vector<PricedLine>& lines, absl::Time now) {
  std::optional<CouponChoice> best;
  for (const auto& [uc, c] : wallet) {
    if (uc.used_order_id != 0 || uc.expires_at <= now) continue;
    const int64_t d = CouponDiscount(c, lines);
    if (d <= 0) continue;
    const bool better = !best || d > best->discount_cents ||
                        (d == best->discount_cents &&
                         (uc.expires_at < best->user_coupon.expires_at ||
                          (uc.expires_at == best->user_coupon.expires_at &&
                           uc.id < best->user_coupon.id)));
    if (better) best = CouponChoice{uc, c, d};
  }
  return best;
}

}  // namespace tokkit::commerce
