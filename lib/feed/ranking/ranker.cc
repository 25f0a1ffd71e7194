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

// Walks the first `n` of `sorted`, taking at most `max_per_author` per author;
// when that leaves the page short after all of them, fills it with the best
// held back. Returns false when the page is short only because `n` stopped
// the walk (the caller sorts more and walks again).
bool FillPage(const std::vector<Scored>& sorted, size_t n, int page_size,
              int max_per_author, std::vector<Scored>& page) {
  page.clear();
  std::vector<Scored> held_back;  // over the per-author cap
  absl::flat_hash_map<int64_t, int> per_author;
  for (size_t i = 0; i < n; ++i) {
    if (static_cast<int>(page.size()) == page_size) return true;
    const Scored& s = sorted[i];
    if (per_author[s.author_id] >= max_per_author) {
      held_back.push_back(s);
      continue;
    }
    ++per_author[s.author_id];
    page.push_back(s);
  }
  if (static_cast<int>(page.size()) == page_size) return true;
  if (n < sorted.size()) return false;
  // Too few distinct authors: fill the rest rather than return a short page.
  for (const Scored& s : held_back) {
    if (static_cast<int>(page.size()) == page_size) break;
    page.push_back(s);
  }
  return true;
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
  std::vector<const Candidate*> refs;
  refs.reserve(candidates.size());
  for (const Candidate& c : candidates) refs.push_back(&c);
  return RankPage(refs, viewer, served, page_size, weights, now, seed);
}

std::vector<Scored> RankPage(absl::Span<const Candidate* const> candidates,
                             const Viewer& viewer,
                             const absl::flat_hash_set<int64_t>& served,
                             int page_size, const Weights& weights,
                             absl::Time now, uint64_t seed) {
  std::vector<Scored> pool;
  pool.reserve(candidates.size());
  absl::flat_hash_set<int64_t> seen;
  seen.reserve(candidates.size());
  for (const Candidate* p : candidates) {
    const Candidate& c = *p;
    if (served.contains(c.video_id) || !seen.insert(c.video_id).second)
      continue;
    pool.push_back(
        {c.video_id, c.author_id, Score(c, viewer, weights, now, seed)});
  }
  // Ties break on id so the order is total and repeatable.
  auto better = [](const Scored& a, const Scored& b) {
    return a.score != b.score ? a.score > b.score : a.video_id > b.video_id;
  };
  // Most pages fill from a short prefix of the order: sort only that, and
  // the whole pool only when the per-author cap skips past it.
  const size_t prefix = std::min(
      pool.size(), static_cast<size_t>(std::max(page_size, 0)) * 4 + 32);
  std::partial_sort(pool.begin(), pool.begin() + prefix, pool.end(), better);
  std::vector<Scored> page;
  if (!FillPage(pool, prefix, page_size, weights.max_per_author, page) &&
      prefix < pool.size()) {
    std::sort(pool.begin() + prefix, pool.end(), better);
    FillPage(pool, pool.size(), page_size, weights.max_per_author, page);
  }
  return page;
}

}  // namespace tokkit::feed::ranking
