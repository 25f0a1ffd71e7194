#include "lib/core/id_generator.h"

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"
#include "lib/core/clock.h"

namespace tokkit {
namespace {

TEST(IdGenerator, RejectsOutOfRangeWorker) {
  SimulatedClock clock;
  EXPECT_FALSE(IdGenerator::Create(-1, &clock).ok());
  EXPECT_FALSE(IdGenerator::Create(1024, &clock).ok());
  EXPECT_TRUE(IdGenerator::Create(1023, &clock).ok());
}

TEST(IdGenerator, EncodesTimeAndWorker) {
  SimulatedClock clock(absl::FromUnixMillis(1767225600123));
  std::unique_ptr<IdGenerator> gen =
      std::move(*IdGenerator::Create(37, &clock));
  const int64_t id = *gen->Next();
  EXPECT_GT(id, 0);
  EXPECT_EQ(IdGenerator::WorkerOf(id), 37);
  EXPECT_EQ(IdGenerator::TimeOf(id), absl::FromUnixMillis(1767225600123));
}

// A time bound turns into an id bound: every id drawn at or after `t` is
// >= FirstIdAt(t), every id drawn before it is below.
TEST(IdGenerator, FirstIdAtBoundsTheIdsOfAMillisecond) {
  SimulatedClock clock(absl::FromUnixMillis(1767225600123));
  auto gen = IdGenerator::Create(IdGenerator::kMaxWorkerId, &clock);
  ASSERT_TRUE(gen.ok());
  const int64_t before = *(*gen)->Next();
  clock.Advance(absl::Milliseconds(1));
  const absl::Time t = clock.Now();
  const int64_t at = *(*gen)->Next();
  EXPECT_LT(before, IdGenerator::FirstIdAt(t));
  EXPECT_LE(IdGenerator::FirstIdAt(t), at);
  EXPECT_EQ(IdGenerator::TimeOf(IdGenerator::FirstIdAt(t)), t);
  EXPECT_EQ(IdGenerator::FirstIdAt(IdGenerator::Epoch() - absl::Hours(1)), 0);
  EXPECT_EQ(IdGenerator::FirstIdAt(absl::InfinitePast()), 0);
  EXPECT_EQ(IdGenerator::FirstIdAt(absl::InfiniteFuture()), INT64_MAX);
}

TEST(IdGenerator, StrictlyIncreasingEvenPastSequenceAndBackwardsClock) {
  SimulatedClock clock;
  std::unique_ptr<IdGenerator> gen = std::move(*IdGenerator::Create(1, &clock));
  int64_t last = 0;
  // 10,000 ids in one frozen millisecond overflow the 4,096 sequence.
  for (int i = 0; i < 10000; ++i) {
    const int64_t id = *gen->Next();
    ASSERT_GT(id, last);
    last = id;
  }
  clock.Advance(absl::Seconds(-5));
  EXPECT_GT(*gen->Next(), last);
}

TEST(IdGenerator, NoDuplicatesAcrossThreads) {
  std::unique_ptr<IdGenerator> gen =
      std::move(*IdGenerator::Create(5, Clock::Real()));
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::vector<int64_t>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) ids[t].push_back(*gen->Next());
    });
  }
  for (auto& th : threads) th.join();
  absl::flat_hash_set<int64_t> seen;
  for (const auto& v : ids) {
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
    seen.insert(v.begin(), v.end());
  }
  EXPECT_EQ(seen.size(), size_t{kThreads * kPerThread});
}

TEST(IdGenerator, DistinctWorkersNeverCollide) {
  SimulatedClock clock;
  std::unique_ptr<IdGenerator> a = std::move(*IdGenerator::Create(1, &clock));
  std::unique_ptr<IdGenerator> b = std::move(*IdGenerator::Create(2, &clock));
  absl::flat_hash_set<int64_t> seen;
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(seen.insert(*a->Next()).second);
    ASSERT_TRUE(seen.insert(*b->Next()).second);
  }
}

}  // namespace
}  // namespace tokkit
