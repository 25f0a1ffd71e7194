// Storage port of the video domain.
#ifndef TOKKIT_LIB_FEED_REPOSITORY_H_
#define TOKKIT_LIB_FEED_REPOSITORY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/feed/model.h"

namespace tokkit::feed {

class VideoRepository {
 public:
  virtual ~VideoRepository() = default;
  // Also indexes the video for search.
  virtual absl::Status Create(const Video& video) = 0;
  // NOT_FOUND when absent or deleted.
  virtual absl::StatusOr<Video> Find(int64_t id) = 0;
  // The live videos among `ids`, in no particular order.
  virtual absl::StatusOr<std::vector<Video>> FindMany(
      const std::vector<int64_t>& ids) = 0;
  // The author of the video, deleted or not; NOT_FOUND if it never existed.
  virtual absl::StatusOr<int64_t> AuthorOf(int64_t id) = 0;
  // How many live videos the author has.
  virtual absl::StatusOr<int64_t> CountByAuthor(int64_t author_id) = 0;
  // Soft delete by the author (or anyone when author_id is 0: admin);
  // NOT_FOUND unless it is theirs and live. Leaves search and every list.
  virtual absl::Status SoftDelete(int64_t author_id, int64_t id,
                                  absl::Time now) = 0;

  // Newest first, id < before (0: from the newest). Ids are time-ordered, so
  // the cursor is a time cursor, stable while new videos arrive.
  virtual absl::StatusOr<std::vector<Video>> ListByAuthor(int64_t author_id,
                                                          int64_t before,
                                                          int limit) = 0;
  virtual absl::StatusOr<std::vector<Video>> ListLatest(int64_t before,
                                                        int limit) = 0;
  // Recent videos of any of `authors` (at most 1000), newest first.
  virtual absl::StatusOr<std::vector<Video>> RecentByAuthors(
      const std::vector<int64_t>& authors, absl::Time since, int limit) = 0;

  // Recent videos carrying any of `tags` (at most 5), newest first.
  virtual absl::StatusOr<std::vector<Video>> RecentByTags(
      const std::vector<std::string>& tags, absl::Time since, int limit) = 0;

  // Adds views (write-behind batches) and their popularity, atomically.
  // Views of unknown or deleted videos are dropped.
  virtual absl::Status AddViews(
      const absl::flat_hash_map<int64_t, int64_t>& views,
      const PopularityModel& model, absl::Time at) = 0;
  // Adds one weighted engagement to a video's popularity, once per
  // (consumer, event_id) however often the event is delivered, on however
  // many replicas. Returns false for a repeat.
  virtual absl::StatusOr<bool> AddPopularityOnce(const std::string& consumer,
                                                 int64_t event_id,
                                                 int64_t video_id,
                                                 double log2_contribution) = 0;
  // Most popular first; the cursor is (popularity key, id) of the last row.
  virtual absl::StatusOr<std::vector<PopularVideo>> Popular(int64_t before_key,
                                                            int64_t before_id,
                                                            bool first_page,
                                                            int limit) = 0;

  struct SearchHit {
    Video video;
    double relevance = 0;  // higher is better
    int64_t popularity_key = kNoPopularity;
  };
  // Matches words of `query` (taken literally: no operators or wildcards)
  // in title, tags, author name and description; best relevance first, then
  // popularity. `offset` pages the ranked result.
  virtual absl::StatusOr<std::vector<SearchHit>> Search(
      const std::string& query, int offset, int limit) = 0;
};

}  // namespace tokkit::feed

#endif  // TOKKIT_LIB_FEED_REPOSITORY_H_
