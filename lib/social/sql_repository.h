// SQL implementations of the social ports (SQLite and PostgreSQL).
#ifndef TOKKIT_LIB_SOCIAL_SQL_REPOSITORY_H_
#define TOKKIT_LIB_SOCIAL_SQL_REPOSITORY_H_

#include <memory>
#include <vector>

#include "lib/social/repository.h"
#include "lib/store/sql/database.h"

namespace tokkit::social {

inline constexpr char kSocialModule[] = "social";
const std::vector<Migration>& SocialMigrations();

std::unique_ptr<LikeRepository> NewSqlLikeRepository(Database* db);
std::unique_ptr<CommentRepository> NewSqlCommentRepository(Database* db);
std::unique_ptr<FollowRepository> NewSqlFollowRepository(Database* db);
std::unique_ptr<ChatRepository> NewSqlChatRepository(Database* db);

}  // namespace tokkit::social

#endif  // TOKKIT_LIB_SOCIAL_SQL_REPOSITORY_H_
