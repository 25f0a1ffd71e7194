// SQL implementations of the commerce ports, including the transaction-bound
// ones an order uses (stock, coupon wallet, cart lines), so order and stock
// change together or not at all.
#ifndef TOKKIT_LIB_COMMERCE_SQL_REPOSITORY_H_
#define TOKKIT_LIB_COMMERCE_SQL_REPOSITORY_H_

#include <memory>
#include <vector>

#include "lib/commerce/cart_lines_port.h"
#include "lib/commerce/coupon_wallet_port.h"
#include "lib/commerce/repository.h"
#include "lib/commerce/stock_port.h"
#include "lib/store/sql/database.h"

namespace tokkit::commerce {

inline constexpr char kCommerceModule[] = "commerce";
const std::vector<Migration>& CommerceMigrations();

std::unique_ptr<CatalogRepository> NewSqlCatalogRepository(Database* db);
std::unique_ptr<CouponRepository> NewSqlCouponRepository(Database* db);
std::unique_ptr<CartRepository> NewSqlCartRepository(Database* db);

// The ports an order's transaction uses (lib/store/tx.h), on the SQL tables.
// Stateless; each works on the session of the SqlTx it is given.
std::unique_ptr<StockPort> NewSqlStockPort();
std::unique_ptr<CouponWalletPort> NewSqlCouponWalletPort();
std::unique_ptr<CartLinesPort> NewSqlCartLinesPort();

}  // namespace tokkit::commerce

#endif  // TOKKIT_LIB_COMMERCE_SQL_REPOSITORY_H_
