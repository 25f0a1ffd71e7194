#include "lib/feed/ranking/ranker.h"

#include <algorithm>
#include <cmath>

namespace tokkit::feed::ranking {
namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

double EngagementScore(const Candidate& c, const Weights& w) {
  const double raw =
      w.like * static_cast<double>(std::max<int64_t>(c.likes, 0)) +
      w.comment * static_cast<double>(std::max<int64_t>(c.comments, 0)) +
      w.view * static_cast<double>(std::max<int64_t>(c.views, 0));
  return std::log2(1.0 + raw) + w.base;
}

double DecayFactor(absl::Duration age, const Weights& w) {
  if (age < absl::ZeroDuration()) age = absl::ZeroDuration();  // clock skew
  return std::exp2(-absl::FDivDuration(age, w.half_life));
}

double AffinityFactor(const Candidate& c, const Viewer& v, const Weights& w) {
  double f = 1.0;
  if (v.followed_authors.contains(c.author_id)) f += w.follow_boost;
  auto liked = v.liked_authors.find(c.author_id);
  if (liked != v.liked_authors.end()) {
    f += w.like_affinity * std::min(liked->second, w.like_affinity_cap);
  }
  int shared = 0;
  for (const std::string& t : c.tags) {
    if (v.liked_tags.contains(t) && ++shared == 3) break;
  }
  return f + w.tag_affinity * shared;
}

double Jitter(uint64_t seed, int64_t video_id) {
  const uint64_t h =
      SplitMix64(seed ^ SplitMix64(static_cast<uint64_t>(video_id)));
  return static_cast<double>(h >> 11) / static_cast<double>(1ull << 53) * 2.0 -
         1.0;
}

double Score(const Candidate& c, const Viewer& v, const Weights& w,
             absl::Time now, uint64_t seed) {
  const absl::Duration age = now - c.published_at;
  const double fresh = age < w.fresh_window ? 1.0 + w.fresh_boost : 1.0;
  return EngagementScore(c, w) * DecayFactor(age, w) * AffinityFactor(c, v, w) *
         fresh * (1.0 + w.jitter * Jitter(seed, c.video_id));
}

std::vector<Scored> RankPage(const std::vector<Candidate>& candidates,
                             const Viewer& viewer,
                             const absl::flat_hash_set<int64_t>& served,
                             int page_size, const Weights& weights,
                             absl::Time now, uint64_t seed) {
  std::vector<Scored> pool;
  pool.reserve(candidates.size());
  absl::flat_hash_set<int64_t> seen;
  for (const Candidate& c : candidates) {
    if (served.contains(c.video_id) || !seen.insert(c.video_id).second)
      continue;
    pool.push_back(
        {c.video_id, c.author_id, Score(c, viewer, weights, now, seed)});
  }
  // Ties break on id so the order is total and repeatable.
  std::sort(pool.begin(), pool.end(), [](const Scored& a, const Scored& b) {
    return a.score != b.score ? a.score > b.score : a.video_id > b.video_id;
  });
  std::vector<Scored> page;
  std::vector<Scored> held_back;  // over the per-author cap
  absl::flat_hash_map<int64_t, int> per_author;
  for (const Scored& s : pool) {
    if (static_cast<int>(page.size()) == page_size) break;
    if (per_author[s.author_id] >= weights.max_per_author) {
      held_back.push_back(s);
      continue;
    }
    ++per_author[s.author_id];
    page.push_back(s);
  }
  // Too few distinct authors: fill the rest rather than return a short page.
  for (const Scored& s : held_back) {
    if (static_cast<int>(page.size()) == page_size) break;
    page.push_back(s);
  }
  return page;
}

}  // namespace tokkit::feed::ranking
