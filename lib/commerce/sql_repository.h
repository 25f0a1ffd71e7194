// SQL implementations of the commerce ports, and the operations an order's
// transaction performs on commerce data (stock, coupons, cart). Those run on
// the caller's session so order and stock change together or not at all.
#ifndef TOKKIT_LIB_COMMERCE_SQL_REPOSITORY_H_
#define TOKKIT_LIB_COMMERCE_SQL_REPOSITORY_H_

#include <soci/soci.h>

#include <memory>
#include <optional>
#include <vector>

#include "lib/commerce/repository.h"
#include "lib/store/sql/database.h"

namespace tokkit::commerce {

inline constexpr char kCommerceModule[] = "commerce";
const std::vector<Migration>& CommerceMigrations();

std::unique_ptr<CatalogRepository> NewSqlCatalogRepository(Database* db);
std::unique_ptr<CouponRepository> NewSqlCouponRepository(Database* db);
std::unique_ptr<CartRepository> NewSqlCartRepository(Database* db);

// ---- Inside a caller's transaction (for the order domain). ----
std::optional<SkuForOrder> LoadSkuForOrder(soci::session& sql, int64_t sku_id);
// Conditional decrement: false (and no change) when stock is short.
bool ReserveStock(soci::session& sql, int64_t sku_id, int64_t quantity);
void ReleaseStock(soci::session& sql, int64_t sku_id, int64_t quantity);
std::vector<std::pair<UserCoupon, Coupon>> LoadWallet(soci::session& sql,
                                                      int64_t user_id);
// Marks the coupon used by `order_id` if it is the user's, unused and
// unexpired; false otherwise.
bool UseCoupon(soci::session& sql, int64_t user_coupon_id, int64_t user_id,
               int64_t order_id, absl::Time now);
// Gives a coupon back when its order is cancelled or expires.
void ReturnCoupon(soci::session& sql, int64_t user_coupon_id, int64_t order_id);
void RemoveFromCart(soci::session& sql, int64_t user_id,
                    const std::vector<int64_t>& sku_ids);

}  // namespace tokkit::commerce

#endif  // TOKKIT_LIB_COMMERCE_SQL_REPOSITORY_H_
