// SQL implementations of the account ports, on the shared Database (SQLite or
// PostgreSQL). Apply AccountMigrations() before use.
#ifndef TOKKIT_LIB_ACCOUNT_SQL_REPOSITORY_H_
#define TOKKIT_LIB_ACCOUNT_SQL_REPOSITORY_H_

#include <memory>
#include <vector>

#include "lib/account/repository.h"
#include "lib/store/sql/database.h"

namespace tokkit::account {

inline constexpr char kAccountModule[] = "account";
const std::vector<Migration>& AccountMigrations();

std::unique_ptr<UserRepository> NewSqlUserRepository(Database* db);
std::unique_ptr<SessionRepository> NewSqlSessionRepository(Database* db);
std::unique_ptr<AddressRepository> NewSqlAddressRepository(Database* db);
std::unique_ptr<ThrottleRepository> NewSqlThrottleRepository(Database* db);

}  // namespace tokkit::account

#endif  // TOKKIT_LIB_ACCOUNT_SQL_REPOSITORY_H_
