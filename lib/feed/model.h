// Video domain model.
#ifndef TOKKIT_LIB_FEED_MODEL_H_
#define TOKKIT_LIB_FEED_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace tokkit::feed {

struct Video {
  int64_t id = 0;
  int64_t author_id = 0;
  std::string title;
  std::string description;
  std::vector<std::string> tags;
  std::string video_key;  // BlobStore keys
  std::string cover_key;
  std::string video_mime;
  std::string cover_mime;
  int64_t video_bytes = 0;
  std::string video_sha256;  // hex
  bool deleted = false;
  absl::Time created_at;
};

}  // namespace tokkit::feed

#endif  // TOKKIT_LIB_FEED_MODEL_H_
