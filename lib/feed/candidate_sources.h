// Where the "for you" feed gets its candidates, kept in memory so that a page
// costs no database read beyond its own rows, whatever the catalogue's size.
//
// - Global sources (the freshest and the most popular videos, with their
//   ranking features) are one shared snapshot, rebuilt when older than
//   `global_max_age` or when this replica published or deleted a video.
// - A viewer's sources (whom they follow and what they liked, the followed
//   authors' recent videos and videos sharing their most-liked tags) are
//   built on their first page and kept for `viewer_max_age`, or until an
//   event says the viewer followed someone or liked a video. Events reach
//   every replica, so a follow shows on all of them within the relay's delay.
//
// A rebuild is single-flight: while one caller rebuilds a stale entry, the
// others keep ranking on the previous one instead of queueing behind it. A
// rebuild's cost is bounded by the per-source limits (indexed LIMIT reads),
// and it happens at most once per max age however many pages are served.
// Entries may name videos deleted since: the feed reads the page's rows at
// serve time and drops them.
#ifndef TOKKIT_LIB_FEED_CANDIDATE_SOURCES_H_
#define TOKKIT_LIB_FEED_CANDIDATE_SOURCES_H_

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/core/clock.h"
#include "lib/feed/ports.h"
#include "lib/feed/ranking/ranker.h"
#include "lib/feed/repository.h"

namespace tokkit::feed {

struct CandidateSourceOptions {
  int per_source = 300;
  int followed_authors = 500;
  absl::Duration followed_window = absl::Hours(24 * 7);
  int liked_history = 200;
  int top_liked_tags = 5;
  absl::Duration global_max_age = absl::Seconds(1);
  absl::Duration viewer_max_age = absl::Seconds(10);
  size_t max_viewers = 10000;  // least recently served are dropped first
};

struct CandidateSet {
  std::vector<ranking::Candidate> candidates;
  ranking::Viewer viewer;  // empty for the global set
  absl::Time built_at;
};

// The viewer's most-liked tags, most liked first (ties by name), at most
// `limit`: the same-tag source's query. Pure.
std::vector<std::string> TopTags(
    const absl::flat_hash_map<std::string, int>& tag_counts, int limit);

class CandidateSources {
 public:
  CandidateSources(VideoRepository* videos, SocialSignals* social,
                   const Clock* clock, CandidateSourceOptions options);

  // Fresh and popular candidates.
  absl::StatusOr<std::shared_ptr<const CandidateSet>> Global();
  // Followed and same-tag candidates and the viewer's profile (viewer > 0).
  absl::StatusOr<std::shared_ptr<const CandidateSet>> ForViewer(
      int64_t viewer_id);

  // A video was published or deleted: the next Global() rebuilds.
  void InvalidateGlobal();
  // The viewer followed someone or liked a video.
  void ForgetViewer(int64_t viewer_id);

  // How many sets were built (observability and tests).
  int64_t global_builds() const;
  int64_t viewer_builds() const;

 private:
  struct Slot {
    std::shared_ptr<const CandidateSet> set;
    uint64_t generation = 0;      // bumped by every invalidation
    uint64_t set_generation = 0;  // the generation `set` was built from
    bool rebuilding = false;      // a caller is building its successor
  };
  struct ViewerSlot {
    Slot slot;
    std::list<int64_t>::iterator lru;
  };

  absl::StatusOr<std::shared_ptr<const CandidateSet>> BuildGlobal();
  absl::StatusOr<std::shared_ptr<const CandidateSet>> BuildForViewer(
      int64_t viewer_id);
  absl::Status AddEngagement(std::vector<ranking::Candidate>& candidates);
  // The set to serve as it is (fresh, or stale while another caller
  // rebuilds it); nullopt when this caller is to build, from `*generation`.
  std::optional<std::shared_ptr<const CandidateSet>> Reuse(
      Slot& slot, absl::Duration max_age, uint64_t* generation)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records a build in `slot` (null: the slot was evicted meanwhile) and
  // returns it.
  absl::StatusOr<std::shared_ptr<const CandidateSet>> Keep(
      Slot* slot, absl::StatusOr<std::shared_ptr<const CandidateSet>> built,
      uint64_t generation) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  VideoRepository* const videos_;
  SocialSignals* const social_;
  const Clock* const clock_;
  const CandidateSourceOptions options_;

  mutable absl::Mutex mu_;
  Slot global_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<int64_t, ViewerSlot> viewers_ ABSL_GUARDED_BY(mu_);
  std::list<int64_t> lru_ ABSL_GUARDED_BY(mu_);  // most recent first
  int64_t global_builds_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t viewer_builds_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tokkit::feed

#endif  // TOKKIT_LIB_FEED_CANDIDATE_SOURCES_H_
