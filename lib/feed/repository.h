// Storage port of the video domain.
#ifndef TOKKIT_LIB_FEED_REPOSITORY_H_
#define TOKKIT_LIB_FEED_REPOSITORY_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/feed/model.h"

namespace tokkit::feed {

class VideoRepository {
 public:
  virtual ~VideoRepository() = default;
  virtual absl::Status Create(const Video& video) = 0;
  // NOT_FOUND when absent or deleted.
  virtual absl::StatusOr<Video> Find(int64_t id) = 0;
  // Soft delete by the author; NOT_FOUND unless it is theirs and live.
  virtual absl::Status SoftDelete(int64_t author_id, int64_t id,
                                  absl::Time now) = 0;
};

}  // namespace tokkit::feed

#endif  // TOKKIT_LIB_FEED_REPOSITORY_H_
