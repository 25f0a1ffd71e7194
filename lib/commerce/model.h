// Commerce domain model. Money is integer cents, never floating point.
#ifndef TOKKIT_LIB_COMMERCE_MODEL_H_
#define TOKKIT_LIB_COMMERCE_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace tokkit::commerce {

struct Category {
  int64_t id = 0;
  std::string name;
  int64_t parent_id = 0;  // 0: top level (one level of parents at most)
};

// A product (standard product unit) and its sellable variants (SKUs).
struct Spu {
  int64_t id = 0;
  int64_t merchant_id = 0;
  int64_t category_id = 0;
  std::string name;
  std::string description;
  std::vector<std::string> image_keys;
  int64_t shipping_cents = 0;
  bool for_sale = false;
  int64_t min_price_cents = 0;  // over its live SKUs, for price queries
  absl::Time created_at;
  // Deleted by its merchant: gone from listings, search and carts; orders
  // keep their snapshots; the merchant can restore it.
  bool deleted = false;
};

struct Sku {
  int64_t id = 0;
  int64_t spu_id = 0;
  int64_t merchant_id = 0;
  std::string attributes;  // e.g. "colour=red;size=M"
  int64_t price_cents = 0;
  int64_t price_version = 1;  // bumped on every price change; orders cite it
  int64_t stock = 0;
  int64_t sold = 0;
  std::string description;
  std::string image_key;  // one of its product's images, or none
  bool for_sale = true;   // the product's own flag must be set too
  bool deleted = false;   // soft: orders keep citing it
};

struct PricePoint {
  int64_t version = 0;
  int64_t price_cents = 0;
  absl::Time since;
};

enum class CouponKind { kAmountOff = 1, kPercentOff = 2 };
enum class CouponScope { kShop = 0, kCategory = 1, kSpu = 2 };

struct Coupon {
  int64_t id = 0;
  int64_t merchant_id = 0;
  std::string name;
  CouponKind kind = CouponKind::kAmountOff;
  int64_t amount_off_cents = 0;  // kAmountOff
  int percent_off = 0;           // kPercentOff, 1..99
  int64_t threshold_cents = 0;   // eligible subtotal needed
  CouponScope scope = CouponScope::kShop;
  int64_t scope_id = 0;  // category or SPU id
  int64_t total_limit = 0;
  int64_t issued = 0;
  int per_user_limit = 1;
  absl::Time claim_start;
  absl::Time claim_end;
  absl::Duration valid_for = absl::Hours(24 * 7);  // after claiming
  // Deactivated coupons take no new claims; claimed ones stay usable.
  bool active = true;
};

// A merchant's coupon with how it fared.
struct CouponStats {
  Coupon coupon;
  int64_t claimed = 0;  // wallet entries issued
  int64_t used = 0;     // of those, tied to an order
};

// Whose claimable coupons to list: a shop's (every coupon of the merchant),
// a product's (its shop's shop-wide coupons, its category's and its own),
// or a category's (coupons scoped to it, of any shop).
struct ClaimableQuery {
  int64_t merchant_id = 0;
  int64_t spu_id = 0;
  int64_t category_id = 0;
  bool platform = false;  // the platform's coupons (valid in every shop)
};

// A coupon in a user's wallet.
struct UserCoupon {
  int64_t id = 0;
  int64_t coupon_id = 0;
  int64_t user_id = 0;
  absl::Time claimed_at;
  absl::Time expires_at;
  int64_t used_order_id = 0;  // 0: unused
};

struct CartLine {
  int64_t sku_id = 0;
  int64_t quantity = 0;
  // Current state, for display: price now, whether it can be bought.
  Sku sku;
  std::string spu_name;
  bool available = false;
};

// What an order needs to know about a SKU, read inside its transaction.
struct SkuForOrder {
  Sku sku;
  int64_t category_id = 0;
  std::string spu_name;
  int64_t shipping_cents = 0;
  bool for_sale = false;  // the product's and the SKU's flags
  bool deleted = false;   // the product or the SKU
};

}  // namespace tokkit::commerce

#endif  // TOKKIT_LIB_COMMERCE_MODEL_H_
