// The assistant's storage on the SQL backends (SQLite, PostgreSQL, MySQL).
#ifndef TOKKIT_LIB_ASSISTANT_SQL_REPOSITORY_H_
#define TOKKIT_LIB_ASSISTANT_SQL_REPOSITORY_H_

#include <memory>
#include <vector>

#include "lib/assistant/repository.h"
#include "lib/store/sql/database.h"

namespace tokkit::assistant {

inline constexpr char kAssistantModule[] = "assistant";
const std::vector<Migration>& AssistantMigrations();

std::unique_ptr<AssistantRepository> NewSqlAssistantRepository(Database* db);

}  // namespace tokkit::assistant

#endif  // TOKKIT_LIB_ASSISTANT_SQL_REPOSITORY_H_
