#include "lib/platform/adapters.h"

#include "lib/core/status_macros.h"

namespace tokkit {

absl::StatusOr<std::vector<social::UserSummary>> AccountUserDirectory::GetUsers(
    const std::vector<int64_t>& ids) {
  ASSIGN_OR_RETURN(std::vector<account::User> users, accounts_->GetUsers(ids));
  std::vector<social::UserSummary> out;
  out.reserve(users.size());
  for (const account::User& u : users) {
    out.push_back({u.id, u.username, u.display_name, !u.avatar_key.empty(),
                   u.status == account::UserStatus::kBanned});
  }
  return out;
}

absl::StatusOr<social::VideoRef> FeedVideoCatalog::FindVideo(int64_t video_id) {
  ASSIGN_OR_RETURN(feed::Video v, videos_->Find(video_id));
  return social::VideoRef{v.id, v.author_id};
}

}  // namespace tokkit
