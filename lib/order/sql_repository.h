#ifndef TOKKIT_LIB_ORDER_SQL_REPOSITORY_H_
#define TOKKIT_LIB_ORDER_SQL_REPOSITORY_H_

#include <memory>
#include <vector>

#include "lib/order/repository.h"
#include "lib/store/sql/database.h"

namespace tokkit::order {

inline constexpr char kOrderModule[] = "order";
const std::vector<Migration>& OrderMigrations();
std::unique_ptr<OrderRepository> NewSqlOrderRepository(Database* db);

}  // namespace tokkit::order

#endif  // TOKKIT_LIB_ORDER_SQL_REPOSITORY_H_
