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
  std::string author_name;  // username at publish time, for search
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
  int64_t view_count = 0;  // as of the last view flush
};

// A video with what a viewer's screen shows beside it.
struct VideoCard {
  Video video;
  int64_t like_count = 0;
  int64_t comment_count = 0;
  bool liked_by_viewer = false;
};

// Popularity is kept with forward decay: each event of weight w at time t
// adds w * 2^((t - landmark) / half_life). Stored as log2 of that sum, the
// order of videos never changes with the passage of time alone, so the chart
// is one indexed ORDER BY, and the log keeps the numbers small forever.
// The score as of `now` is 2^(log2_popularity - (now - landmark)/half_life).
struct PopularityModel {
  absl::Time landmark = absl::FromUnixSeconds(1735689600);  // 2025-01-01
  absl::Duration half_life = absl::Hours(24);
  double view_weight = 1;
  double like_weight = 5;
  double comment_weight = 10;

  double Log2Contribution(double weight, absl::Time at) const;
  double ScoreAt(double log2_popularity, absl::Time now) const;
};

// log2(2^a + 2^b) without overflow.
double Log2Add(double a, double b);

// Popularity is stored as fixed point, log2 * 2^32 in a BIGINT: integer
// ordering and cursors are exact on every engine (floats do not round-trip
// through every driver), and 2^-32 in log space is far finer than needed.
inline constexpr int64_t kNoPopularity = -(int64_t{1} << 62);
int64_t PopularityKey(double log2_popularity);
double Log2Popularity(int64_t key);

struct PopularVideo {
  Video video;
  int64_t popularity_key = kNoPopularity;
  double log2_popularity() const { return Log2Popularity(popularity_key); }
};

}  // namespace tokkit::feed

#endif  // TOKKIT_LIB_FEED_MODEL_H_
