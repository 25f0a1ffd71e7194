#include "lib/order/pricing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/commerce/pricing.h"

namespace tokkit::order {

absl::StatusOr<OrderQuote> PriceOrder(
    const std::vector<OrderItem>& lines,
    const std::vector<std::optional<commerce::SkuForOrder>>& skus,
    CouponMode coupon_mode, int64_t user_coupon_id,
    int64_t platform_user_coupon_id, const CouponWallet& wallet,
    absl::Time now) {
  if (lines.size() != skus.size()) {
    return absl::InvalidArgumentError("one SKU snapshot per order line");
  }
  OrderQuote q;
  std::vector<commerce::PricedLine> priced;
  priced.reserve(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    OrderItem item = lines[i];
    const std::optional<commerce::SkuForOrder>& s = skus[i];
    if (!s) {
      return absl::NotFoundError(
          absl::StrCat("sku ", item.sku_id, " not found"));
    }
    if (s->deleted) {
      return absl::FailedPreconditionError(absl::StrCat(
          s->spu_name, " (sku ", item.sku_id,
          ") was deleted by its merchant; remove it from the order"));
    }
    if (!s->for_sale) {
      return absl::FailedPreconditionError(
          absl::StrCat(s->spu_name, " is not for sale"));
    }
    if (q.merchant_id == 0) q.merchant_id = s->sku.merchant_id;
    if (q.merchant_id != s->sku.merchant_id) {
      return absl::InvalidArgumentError("an order holds one merchant's items");
    }
    item.spu_id = s->sku.spu_id;
    item.name = s->spu_name;
    item.attributes = s->sku.attributes;
    item.unit_price_cents = s->sku.price_cents;
    item.price_version = s->sku.price_version;
    q.items_total_cents += item.unit_price_cents * item.quantity;
    q.shipping_cents = std::max(q.shipping_cents, s->shipping_cents);
    priced.push_back({item.spu_id, s->category_id, s->sku.merchant_id,
                      item.unit_price_cents, item.quantity});
    q.items.push_back(std::move(item));
  }
  if (coupon_mode != CouponMode::kNone) {
    // One shop coupon and one platform coupon (lib/commerce/pricing.h).
    std::optional<commerce::CouponPair> pair;
    if (coupon_mode == CouponMode::kBest) {
      pair = commerce::BestCouponPair(wallet, priced, now);
    } else {
      pair = commerce::ChosenCouponPair(wallet, priced, now, user_coupon_id,
                                        platform_user_coupon_id);
      if (!pair) {
        return absl::FailedPreconditionError(
            "that coupon cannot be used on this order");
      }
    }
    if (pair->shop) {
      q.user_coupon_id = pair->shop->user_coupon.id;
      q.discount_cents += pair->shop->discount_cents;
    }
    if (pair->platform) {
      q.platform_user_coupon_id = pair->platform->user_coupon.id;
      q.platform_discount_cents = pair->platform->discount_cents;
      q.discount_cents += pair->platform->discount_cents;
    }
  }
  q.total_cents = q.items_total_cents - q.discount_cents + q.shipping_cents;
  return q;
}

}  // namespace tokkit::order
