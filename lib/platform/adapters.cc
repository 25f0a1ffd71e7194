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
                   u.status == account::UserStatus::kBanned, u.bio});
  }
  return out;
}

absl::StatusOr<social::VideoRef> FeedVideoCatalog::FindVideo(int64_t video_id) {
  ASSIGN_OR_RETURN(feed::Video v, videos_->Find(video_id));
  return social::VideoRef{v.id, v.author_id};
}

absl::StatusOr<int64_t> FeedVideoCatalog::AuthorOf(int64_t video_id) {
  return videos_->AuthorOf(video_id);
}

absl::StatusOr<int64_t> FeedVideoCatalog::CountByAuthor(int64_t author_id) {
  return videos_->CountByAuthor(author_id);
}

absl::StatusOr<std::vector<int64_t>> SocialServiceSignals::FollowedAuthors(
    int64_t user_id, int limit) {
  std::vector<int64_t> out;
  std::string token;
  do {
    ASSIGN_OR_RETURN(Page<social::FollowEntry> page,
                     social_->ListFollowing(user_id, user_id, token, 100));
    for (const social::FollowEntry& e : page.items) out.push_back(e.user.id);
    token = page.next_page_token;
  } while (!token.empty() && static_cast<int>(out.size()) < limit);
  if (static_cast<int>(out.size()) > limit) out.resize(limit);
  return out;
}

absl::StatusOr<std::vector<int64_t>> SocialServiceSignals::RecentlyLikedVideos(
    int64_t user_id, int limit) {
  std::vector<int64_t> out;
  std::string token;
  account::Principal self;
  self.user_id = user_id;
  do {
    ASSIGN_OR_RETURN(Page<social::LikedVideo> page,
                     social_->ListLikedVideos(self, token, 100));
    for (const social::LikedVideo& v : page.items) out.push_back(v.video_id);
    token = page.next_page_token;
  } while (!token.empty() && static_cast<int>(out.size()) < limit);
  if (static_cast<int>(out.size()) > limit) out.resize(limit);
  return out;
}

absl::StatusOr<absl::flat_hash_map<int64_t, feed::SocialSignals::Engagement>>
SocialServiceSignals::EngagementOf(int64_t viewer_id,
                                   const std::vector<int64_t>& video_ids) {
  absl::flat_hash_map<int64_t, Engagement> out;
  for (size_t i = 0; i < video_ids.size(); i += 100) {
    std::vector<int64_t> chunk(
        video_ids.begin() + i,
        video_ids.begin() + std::min(video_ids.size(), i + 100));
    ASSIGN_OR_RETURN(std::vector<social::VideoSocialState> states,
                     social_->GetVideoStates(viewer_id, chunk));
    for (const social::VideoSocialState& s : states) {
      out[s.video_id] = {s.like_count, s.comment_count, s.liked_by_viewer};
    }
  }
  return out;
}

absl::StatusOr<std::string> AccountAuthorDirectory::UsernameOf(
    int64_t user_id) {
  ASSIGN_OR_RETURN(std::vector<account::User> users,
                   accounts_->GetUsers({user_id}));
  if (users.empty()) return absl::NotFoundError("author not found");
  return users[0].username;
}

absl::StatusOr<order::ShippingAddress> AccountAddressBook::Find(
    const account::Principal& user, int64_t address_id) {
  ASSIGN_OR_RETURN(account::Address a, accounts_->GetAddress(user, address_id));
  return order::ShippingAddress{a.recipient,   a.phone,       a.line1,
                                a.line2,       a.city,        a.region,
                                a.postal_code, a.country_code};
}

}  // namespace tokkit
