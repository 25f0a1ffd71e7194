#ifndef TOKKIT_LIB_FEED_SQL_REPOSITORY_H_
#define TOKKIT_LIB_FEED_SQL_REPOSITORY_H_

#include <memory>
#include <vector>

#include "lib/feed/repository.h"
#include "lib/store/sql/database.h"

namespace tokkit::feed {

inline constexpr char kFeedModule[] = "feed";
const std::vector<Migration>& FeedMigrations();
std::unique_ptr<VideoRepository> NewSqlVideoRepository(Database* db);

}  // namespace tokkit::feed

#endif  // TOKKIT_LIB_FEED_SQL_REPOSITORY_H_
