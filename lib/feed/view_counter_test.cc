#include "lib/feed/view_counter.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace tokkit::feed {
namespace {

TEST(ViewCounter, BatchesAndIsExactAfterFlush) {
  absl::flat_hash_map<int64_t, int64_t> stored;
  int writes = 0;
  ViewCounter counter(
      [&](const absl::flat_hash_map<int64_t, int64_t>& batch) {
        ++writes;
        for (const auto& [id, n] : batch) stored[id] += n;
        return absl::OkStatus();
      },
      absl::ZeroDuration());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) counter.Record(1 + i % 3);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(writes, 0);  // nothing written per view
  EXPECT_EQ(counter.pending(), 4000);
  ASSERT_TRUE(counter.Flush().ok());
  EXPECT_EQ(writes, 1);  // one batch
  EXPECT_EQ(stored[1] + stored[2] + stored[3], 4000);
  EXPECT_EQ(stored[1], 1336);
  EXPECT_EQ(counter.pending(), 0);
}

TEST(ViewCounter, FailedFlushKeepsCounts) {
  bool fail = true;
  int64_t stored = 0;
  ViewCounter counter(
      [&](const absl::flat_hash_map<int64_t, int64_t>& batch) {
        if (fail) return absl::UnavailableError("db down");
        for (const auto& [id, n] : batch) stored += n;
        return absl::OkStatus();
      },
      absl::ZeroDuration());
  counter.Record(7, 5);
  EXPECT_FALSE(counter.Flush().ok());
  counter.Record(7, 1);
  fail = false;
  ASSERT_TRUE(counter.Flush().ok());
  EXPECT_EQ(stored, 6);
}

TEST(ViewCounter, BackgroundThreadAndDestructorFlush) {
  std::atomic<int64_t> stored{0};
  auto sink = [&](const absl::flat_hash_map<int64_t, int64_t>& batch) {
    for (const auto& [id, n] : batch) stored += n;
    return absl::OkStatus();
  };
  {
    ViewCounter counter(sink, absl::Milliseconds(20));
    counter.Record(1, 3);
    for (int i = 0; i < 200 && stored.load() < 3; ++i)
      absl::SleepFor(absl::Milliseconds(5));
    EXPECT_EQ(stored.load(), 3);
    counter.Record(1, 2);
  }
  EXPECT_EQ(stored.load(), 5);  // flushed on shutdown
}

}  // namespace
}  // namespace tokkit::feed
