// What the video domain needs from others, as small interfaces; lib/platform
// wires them to the account and social services.
#ifndef TOKKIT_LIB_FEED_PORTS_H_
#define TOKKIT_LIB_FEED_PORTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace tokkit::feed {

class SocialSignals {
 public:
  struct Engagement {
    int64_t likes = 0;
    int64_t comments = 0;
    bool liked_by_viewer = false;
  };
  virtual ~SocialSignals() = default;
  virtual absl::StatusOr<std::vector<int64_t>> FollowedAuthors(int64_t user_id,
                                                               int limit) = 0;
  virtual absl::StatusOr<std::vector<int64_t>> RecentlyLikedVideos(
      int64_t user_id, int limit) = 0;
  // Counts for each of `video_ids` that has any, and whether `viewer_id`
  // (0: nobody) liked it.
  virtual absl::StatusOr<absl::flat_hash_map<int64_t, Engagement>> EngagementOf(
      int64_t viewer_id, const std::vector<int64_t>& video_ids) = 0;
};

class AuthorDirectory {
 public:
  virtual ~AuthorDirectory() = default;
  virtual absl::StatusOr<std::string> UsernameOf(int64_t user_id) = 0;
};

}  // namespace tokkit::feed

#endif  // TOKKIT_LIB_FEED_PORTS_H_
