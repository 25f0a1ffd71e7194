// The "for you" ranking: a pure library (no storage, no clock of its own), so
// it is unit-tested exactly and benchmarked in isolation.
//
//   score = (log2(1 + w_like*likes + w_comment*comments + w_view*views) + base)
//           * 2^(-age / half_life)                                   time decay
//           * (1 + follow_boost*[viewer follows author]
//                + like_affinity*min(liked videos of author, cap)
//                + tag_affinity*min(shared liked tags, 3))            affinity
//           * (1 + fresh_boost*[age < fresh_window])                  freshness
//           * (1 + jitter*u),  u in [-1, 1] from hash(seed, video id)
//           exploration
//
// A page takes the best-scored candidates not served before in the session,
// at most `max_per_author` per author; only when too few authors remain does
// it relax that to fill the page. The same inputs and seed give the same page.
#ifndef TOKKIT_LIB_FEED_RANKING_RANKER_H_
#define TOKKIT_LIB_FEED_RANKING_RANKER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace tokkit::feed::ranking {

// Where a candidate came from (a bit set; one video may come from several).
enum Source : uint32_t {
  kFollowed = 1,
  kPopular = 2,
  kFresh = 4,
  kSameTag = 8,
};

struct Candidate {
  int64_t video_id = 0;
  int64_t author_id = 0;
  absl::Time published_at;
  int64_t likes = 0;
  int64_t comments = 0;
  int64_t views = 0;
  std::vector<std::string> tags;
  uint32_t sources = 0;
};

struct Viewer {
  int64_t user_id = 0;
  absl::flat_hash_set<int64_t> followed_authors;
  // How many of each author's videos the viewer liked recently.
  absl::flat_hash_map<int64_t, int> liked_authors;
  absl::flat_hash_set<std::string> liked_tags;
};

struct Weights {
  double like = 1.0;
  double comment = 3.0;
  double view = 0.1;
  double base = 1.0;  // brand-new videos start above zero
  absl::Duration half_life = absl::Hours(24);
  double follow_boost = 1.0;
  double like_affinity = 0.25;
  int like_affinity_cap = 4;
  double tag_affinity = 0.2;
  absl::Duration fresh_window = absl::Hours(2);
  double fresh_boost = 0.3;
  double jitter = 0.05;
  int max_per_author = 2;
};

struct Scored {
  int64_t video_id = 0;
  int64_t author_id = 0;
  double score = 0;
};

double EngagementScore(const Candidate& c, const Weights& w);
double DecayFactor(absl::Duration age, const Weights& w);
double AffinityFactor(const Candidate& c, const Viewer& v, const Weights& w);
// Deterministic exploration noise in [-1, 1].
double Jitter(uint64_t seed, int64_t video_id);
double Score(const Candidate& c, const Viewer& v, const Weights& w,
             absl::Time now, uint64_t seed);

// One page of the feed, best first. `served` holds ids already shown in this
// session; they never come back. Duplicate candidates count once.
std::vector<Scored> RankPage(const std::vector<Candidate>& candidates,
                             const Viewer& viewer,
                             const absl::flat_hash_set<int64_t>& served,
                             int page_size, const Weights& weights,
                             absl::Time now, uint64_t seed);
// The same over candidates held elsewhere (shared candidate sets), so a page
// copies none of them.
std::vector<Scored> RankPage(absl::Span<const Candidate* const> candidates,
                             const Viewer& viewer,
                             const absl::flat_hash_set<int64_t>& served,
                             int page_size, const Weights& weights,
                             absl::Time now, uint64_t seed);

}  // namespace tokkit::feed::ranking

#endif  // TOKKIT_LIB_FEED_RANKING_RANKER_H_
