// Adapters that let one domain use another through the small port it
// declares. The Platform is the only place that knows both sides.
#ifndef TOKKIT_LIB_PLATFORM_ADAPTERS_H_
#define TOKKIT_LIB_PLATFORM_ADAPTERS_H_

#include "lib/account/account_service.h"
#include "lib/feed/ports.h"
#include "lib/feed/repository.h"
#include "lib/order/order_service.h"
#include "lib/social/ports.h"
#include "lib/social/social_service.h"

namespace tokkit {

class AccountUserDirectory : public social::UserDirectory {
 public:
  explicit AccountUserDirectory(account::AccountService* accounts)
      : accounts_(accounts) {}
  absl::StatusOr<std::vector<social::UserSummary>> GetUsers(
      const std::vector<int64_t>& ids) override;

 private:
  account::AccountService* const accounts_;
};

class FeedVideoCatalog : public social::VideoCatalog {
 public:
  explicit FeedVideoCatalog(feed::VideoRepository* videos) : videos_(videos) {}
  absl::StatusOr<social::VideoRef> FindVideo(int64_t video_id) override;
  absl::StatusOr<int64_t> CountByAuthor(int64_t author_id) override;
  absl::StatusOr<int64_t> AuthorOf(int64_t video_id) override;

 private:
  feed::VideoRepository* const videos_;
};

class SocialServiceSignals : public feed::SocialSignals {
 public:
  explicit SocialServiceSignals(social::SocialService* social)
      : social_(social) {}
  absl::StatusOr<std::vector<int64_t>> FollowedAuthors(int64_t user_id,
                                                       int limit) override;
  absl::StatusOr<std::vector<int64_t>> RecentlyLikedVideos(int64_t user_id,
                                                           int limit) override;
  absl::StatusOr<absl::flat_hash_map<int64_t, Engagement>> EngagementOf(
      int64_t viewer_id, const std::vector<int64_t>& video_ids) override;

 private:
  social::SocialService* const social_;
};

class AccountAuthorDirectory : public feed::AuthorDirectory {
 public:
  explicit AccountAuthorDirectory(account::AccountService* accounts)
      : accounts_(accounts) {}
  absl::StatusOr<std::string> UsernameOf(int64_t user_id) override;

 private:
  account::AccountService* const accounts_;
};

class AccountAddressBook : public order::AddressBook {
 public:
  explicit AccountAddressBook(account::AccountService* accounts)
      : accounts_(accounts) {}
  absl::StatusOr<order::ShippingAddress> Find(const account::Principal& user,
                                              int64_t address_id) override;

 private:
  account::AccountService* const accounts_;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_PLATFORM_ADAPTERS_H_
