// What the social domain needs from other domains, as small interfaces.
// lib/platform wires them to the account and feed services.
#ifndef TOKKIT_LIB_SOCIAL_PORTS_H_
#define TOKKIT_LIB_SOCIAL_PORTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tokkit::social {

struct VideoRef {
  int64_t id = 0;
  int64_t author_id = 0;
};

class VideoCatalog {
 public:
  virtual ~VideoCatalog() = default;
  // NOT_FOUND when the video does not exist or was deleted.
  virtual absl::StatusOr<VideoRef> FindVideo(int64_t video_id) = 0;
  // The author of a video, live or deleted (authors never change); NOT_FOUND
  // when there never was such a video.
  virtual absl::StatusOr<int64_t> AuthorOf(int64_t video_id) = 0;
  // How many live videos `author_id` has published.
  virtual absl::StatusOr<int64_t> CountByAuthor(int64_t author_id) = 0;
};

struct UserSummary {
  int64_t id = 0;
  std::string username;
  std::string display_name;
  bool has_avatar = false;
  bool banned = false;
  std::string bio;
};

class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  // The existing users among `ids`; missing ones are left out.
  virtual absl::StatusOr<std::vector<UserSummary>> GetUsers(
      const std::vector<int64_t>& ids) = 0;
};

}  // namespace tokkit::social

#endif  // TOKKIT_LIB_SOCIAL_PORTS_H_
