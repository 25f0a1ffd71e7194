#ifndef TOKKIT_LIB_ORDER_SQL_REPOSITORY_H_
#define TOKKIT_LIB_ORDER_SQL_REPOSITORY_H_

#include <memory>
#include <vector>

#include "lib/commerce/cart_lines_port.h"
#include "lib/commerce/coupon_wallet_port.h"
#include "lib/commerce/stock_port.h"
#include "lib/order/repository.h"
#include "lib/store/sql/database.h"

namespace tokkit::order {

inline constexpr char kOrderModule[] = "order";
const std::vector<Migration>& OrderMigrations();
// What an order's transaction does to commerce data, through commerce's
// transaction-bound ports (never its tables); not owned.
struct CommercePorts {
  commerce::StockPort* stock = nullptr;
  commerce::CouponWalletPort* coupons = nullptr;
  commerce::CartLinesPort* cart = nullptr;
};

std::unique_ptr<OrderRepository> NewSqlOrderRepository(
    Database* db, const CommercePorts& commerce);

}  // namespace tokkit::order

#endif  // TOKKIT_LIB_ORDER_SQL_REPOSITORY_H_
