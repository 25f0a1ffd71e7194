#include "lib/commerce/pricing.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace tokkit::commerce {

namespace {

int64_t DiscountOn(const Coupon& c, int64_t eligible) {
  if (eligible <= 0 || eligible < c.threshold_cents) return 0;
  if (c.kind == CouponKind::kAmountOff)
    return std::min(c.amount_off_cents, eligible);
  return eligible * c.percent_off /
         100;  // floor: the shop never over-discounts
}

bool Usable(const UserCoupon& uc, absl::Time now) {
  return uc.used_order_id == 0 && uc.expires_at > now;
}

int64_t ItemsTotal(const std::vector<PricedLine>& lines) {
  int64_t total = 0;
  for (const PricedLine& l : lines) total += l.unit_price_cents * l.quantity;
  return total;
}

// The pair expiring first, by its earliest coupon (an absent one never
// expires); then the one holding the lowest wallet id.
bool ExpiresFirst(const CouponPair& a, const CouponPair& b) {
  auto key = [](const CouponPair& p) {
    absl::Time first = absl::InfiniteFuture();
    int64_t lowest = INT64_MAX;
    for (const std::optional<CouponChoice>* c : {&p.shop, &p.platform}) {
      if (*c) {
        first = std::min(first, (*c)->user_coupon.expires_at);
        lowest = std::min(lowest, (*c)->user_coupon.id);
      }
    }
    return std::make_pair(first, lowest);
  };
  return key(a) < key(b);
}

}  // namespace

int64_t PlatformCouponDiscount(const Coupon& c, int64_t rest_cents) {
  if (!IsPlatformCoupon(c)) return 0;
  return DiscountOn(c, rest_cents);
}

int64_t CouponDiscount(const Coupon& c, const std::vector<PricedLine>& lines) {
  if (IsPlatformCoupon(c)) return 0;
  int64_t eligible = 0;
  for (const PricedLine& l : lines) {
    if (l.merchant_id != c.merchant_id) continue;
    if (c.scope == CouponScope::kCategory && l.category_id != c.scope_id)
      continue;
    if (c.scope == CouponScope::kSpu && l.spu_id != c.scope_id) continue;
    eligible += l.unit_price_cents * l.quantity;
  }
  return DiscountOn(c, eligible);
}

std::optional<CouponChoice> BestCoupon(
    const std::vector<std::pair<UserCoupon, Coupon>>& wallet,
    const std::vector<PricedLine>& lines, absl::Time now) {
  std::optional<CouponChoice> best;
  for (const auto& [uc, c] : wallet) {
    if (!Usable(uc, now) || IsPlatformCoupon(c)) continue;
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

CouponPair BestCouponPair(
    const std::vector<std::pair<UserCoupon, Coupon>>& wallet,
    const std::vector<PricedLine>& lines, absl::Time now) {
  const int64_t items = ItemsTotal(lines);
  // Every usable shop coupon (and none) against every usable platform
  // coupon (and none): a bigger shop discount can push the rest below a
  // platform threshold, so no greedy choice is always best.
  std::vector<std::optional<CouponChoice>> shops = {std::nullopt};
  std::vector<std::pair<UserCoupon, Coupon>> platforms;
  for (const auto& [uc, c] : wallet) {
    if (!Usable(uc, now)) continue;
    if (IsPlatformCoupon(c)) {
      platforms.emplace_back(uc, c);
    } else if (const int64_t d = CouponDiscount(c, lines); d > 0) {
      shops.push_back(CouponChoice{uc, c, d});
    }
  }
  CouponPair best;
  for (const std::optional<CouponChoice>& shop : shops) {
    CouponPair pair;
    pair.shop = shop;
    const int64_t rest = items - (shop ? shop->discount_cents : 0);
    CouponPair with_platform = pair;
    for (const auto& [uc, c] : platforms) {
      const int64_t d = PlatformCouponDiscount(c, rest);
      if (d <= 0) continue;
      CouponPair candidate = pair;
      candidate.platform = CouponChoice{uc, c, d};
      if (candidate.total_discount_cents() >
              with_platform.total_discount_cents() ||
          (candidate.total_discount_cents() ==
               with_platform.total_discount_cents() &&
           ExpiresFirst(candidate, with_platform))) {
        with_platform = candidate;
      }
    }
    const int64_t total = with_platform.total_discount_cents();
    if (total > best.total_discount_cents() ||
        (total > 0 && total == best.total_discount_cents() &&
         ExpiresFirst(with_platform, best))) {
      best = with_platform;
    }
  }
  return best;
}

std::optional<CouponPair> ChosenCouponPair(
    const std::vector<std::pair<UserCoupon, Coupon>>& wallet,
    const std::vector<PricedLine>& lines, absl::Time now,
    int64_t shop_user_coupon_id, int64_t platform_user_coupon_id) {
  CouponPair pair;
  const std::pair<UserCoupon, Coupon>* shop = nullptr;
  const std::pair<UserCoupon, Coupon>* platform = nullptr;
  for (const auto& entry : wallet) {
    if (entry.first.id == shop_user_coupon_id) shop = &entry;
    if (entry.first.id == platform_user_coupon_id) platform = &entry;
  }
  if (shop_user_coupon_id != 0) {
    if (shop == nullptr || !Usable(shop->first, now) ||
        IsPlatformCoupon(shop->second)) {
      return std::nullopt;
    }
    const int64_t d = CouponDiscount(shop->second, lines);
    if (d <= 0) return std::nullopt;
    pair.shop = CouponChoice{shop->first, shop->second, d};
  }
  if (platform_user_coupon_id != 0) {
    if (platform == nullptr || !Usable(platform->first, now) ||
        !IsPlatformCoupon(platform->second)) {
      return std::nullopt;
    }
    const int64_t rest =
        ItemsTotal(lines) - (pair.shop ? pair.shop->discount_cents : 0);
    const int64_t d = PlatformCouponDiscount(platform->second, rest);
    if (d <= 0) return std::nullopt;
    pair.platform = CouponChoice{platform->first, platform->second, d};
  }
  return pair;
}

}  // namespace tokkit::commerce
