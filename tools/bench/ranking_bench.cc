// Ranks 1,000 candidates for one viewer, against a naive baseline measured in
// the same run: sort the same candidates by like count and take a page.
//
//   bazel run -c opt //tools/bench:ranking_bench
#include <algorithm>
#include <cstdint>
#include <random>

#include "benchmark/benchmark.h"
#include "lib/feed/ranking/ranker.h"

namespace tokkit::feed::ranking {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1767225600);

struct Fixture {
  std::vector<Candidate> candidates;
  Viewer viewer;
};

const Fixture& Make() {
  static const Fixture* f = [] {
    auto* f = new Fixture();
    std::mt19937_64 rng(1);
    const std::vector<std::string> tags = {"food", "travel", "music", "dance",
                                           "pets", "tech",   "games", "style"};
    for (int i = 0; i < 1000; ++i) {
      Candidate c;
      c.video_id = 1'000'000 + i;
      c.author_id = rng() % 150;
      c.published_at = kNow - absl::Minutes(rng() % (uint64_t{60} * 72));
      c.likes = rng() % 5000;
      c.comments = rng() % 300;
      c.views = rng() % 100000;
      c.tags = {tags[rng() % tags.size()], tags[rng() % tags.size()]};
      c.sources = 1u << (rng() % 3);
      f->candidates.push_back(std::move(c));
    }
    for (int a = 0; a < 40; ++a)
      f->viewer.followed_authors.insert(int64_t{a} * 3);
    for (int a = 0; a < 20; ++a)
      f->viewer.liked_authors[int64_t{a} * 7] = 1 + a % 5;
    f->viewer.liked_tags = {"food", "pets"};
    return f;
  }();
  return *f;
}

void BM_RankForYouPage(benchmark::State& state) {
  const Fixture& f = Make();
  const Weights w;
  absl::flat_hash_set<int64_t> served;
  for (int i = 0; i < 60; ++i)
    served.insert(1'000'000 + i * 11);  // 3 pages seen
  uint64_t seed = 0;
  for (auto _ : state) {
    std::vector<Scored> page =
        RankPage(f.candidates, f.viewer, served, 20, w, kNow, ++seed);
    benchmark::DoNotOptimize(page);
  }
  state.counters["feeds/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RankForYouPage);

// Baseline: what a feed without ranking does with the same candidates.
void BM_NaiveSortByLikes(benchmark::State& state) {
  const Fixture& f = Make();
  for (auto _ : state) {
    std::vector<const Candidate*> sorted;
    sorted.reserve(f.candidates.size());
    for (const Candidate& c : f.candidates) sorted.push_back(&c);
    std::partial_sort(sorted.begin(), sorted.begin() + 20, sorted.end(),
                      [](const Candidate* a, const Candidate* b) {
                        return a->likes > b->likes;
                      });
    sorted.resize(20);
    benchmark::DoNotOptimize(sorted);
  }
  state.counters["feeds/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_NaiveSortByLikes);

}  // namespace
}  // namespace tokkit::feed::ranking

BENCHMARK_MAIN();
