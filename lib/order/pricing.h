// Pricing an order, pure: from the SKU snapshots and the coupon wallet read
// in the order's transaction to the lines, totals and coupon the order is
// written with. The adapter reads, calls PriceOrder, then makes the
// conditional writes (stock, coupon) and inserts what it says.
//
// Rules, all here:
//   - every SKU exists and its product is for sale;
//   - an order holds one merchant's items;
//   - each line is priced at the SKU's current price, citing its version;
//   - shipping is the largest shipping fee among the order's products;
//   - the coupon is the wallet's best usable one (kBest), the named one if
//     it is usable (kSpecific; otherwise FAILED_PRECONDITION), or none;
//   - total = items - discount + shipping.
#ifndef TOKKIT_LIB_ORDER_PRICING_H_
#define TOKKIT_LIB_ORDER_PRICING_H_

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/commerce/model.h"
#include "lib/order/model.h"

namespace tokkit::order {

struct OrderQuote {
  int64_t merchant_id = 0;
  std::vector<OrderItem> items;  // the lines with their snapshot filled in
  int64_t items_total_cents = 0;
  int64_t shipping_cents = 0;
  int64_t discount_cents = 0;
  int64_t user_coupon_id = 0;  // the shop coupon; 0: none
  int64_t platform_user_coupon_id = 0;
  int64_t platform_discount_cents = 0;  // part of discount_cents
  int64_t total_cents = 0;
};

using CouponWallet =
    std::vector<std::pair<commerce::UserCoupon, commerce::Coupon>>;

// `skus[i]` is the snapshot of `lines[i].sku_id`, nullopt when there is no
// such SKU. Errors: NOT_FOUND (a SKU), FAILED_PRECONDITION (not for sale, or
// the named coupon cannot be used on this order), INVALID_ARGUMENT (items of
// two merchants, or snapshots that do not match the lines).
absl::StatusOr<OrderQuote> PriceOrder(
    const std::vector<OrderItem>& lines,
    const std::vector<std::optional<commerce::SkuForOrder>>& skus,
    CouponMode coupon_mode, int64_t user_coupon_id,
    int64_t platform_user_coupon_id, const CouponWallet& wallet,
    absl::Time now);

}  // namespace tokkit::order

#endif  // TOKKIT_LIB_ORDER_PRICING_H_
