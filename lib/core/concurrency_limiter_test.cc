#include "lib/core/concurrency_limiter.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace tokkit {
namespace {

TEST(ConcurrencyLimiterTest, BoundsHoldersQueuesAndRefuses) {
  ConcurrencyLimiter limiter("test work", 2, 3, absl::Seconds(10));
  std::atomic<int> inside{0}, peak{0}, refused{0}, done{0}, started{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&] {
      ++started;
      absl::StatusOr<ConcurrencyLimiter::Permit> p = limiter.Acquire();
      if (!p.ok()) {
        EXPECT_EQ(p.status().code(), absl::StatusCode::kResourceExhausted);
        ++refused;
        return;
      }
      const int now = ++inside;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      // Hold until every thread has asked (and the last ones had time to
      // be queued or refused): a slow start (TSan) must not let early
      // holders finish and make room before the others arrive.
      while (started.load() < 12) absl::SleepFor(absl::Milliseconds(1));
      absl::SleepFor(absl::Milliseconds(100));
      --inside;
      ++done;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_LE(peak.load(), 2);
  EXPECT_EQ(done + refused, 12);
  EXPECT_GE(refused.load(), 12 - 2 - 3);  // at most 2 running + 3 waiting
  EXPECT_EQ(limiter.active(), 0);
  EXPECT_EQ(limiter.waiting(), 0);
}

TEST(ConcurrencyLimiterTest, WaitersGiveUpAtTheirDeadline) {
  ConcurrencyLimiter limiter("test work", 1, 10, absl::Seconds(10));
  auto held = limiter.Acquire();
  ASSERT_TRUE(held.ok());
  const absl::Time start = absl::Now();
  absl::StatusOr<ConcurrencyLimiter::Permit> waited =
      limiter.Acquire(absl::Now() + absl::Milliseconds(50));
  EXPECT_EQ(waited.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  // max_wait caps callers without a deadline.
  ConcurrencyLimiter capped("capped", 1, 10, absl::Milliseconds(30));
  auto h = capped.Acquire();
  EXPECT_EQ(capped.Acquire().status().code(),
            absl::StatusCode::kDeadlineExceeded);
}

TEST(ConcurrencyLimiterTest, PermitsReleaseOnceWhenMoved) {
  ConcurrencyLimiter limiter("test work", 1, 0, absl::Seconds(1));
  {
    absl::StatusOr<ConcurrencyLimiter::Permit> p = limiter.Acquire();
    ASSERT_TRUE(p.ok());
    ConcurrencyLimiter::Permit moved = std::move(*p);
    EXPECT_EQ(limiter.active(), 1);
    EXPECT_EQ(limiter.Acquire().status().code(),
              absl::StatusCode::kResourceExhausted);
  }
  EXPECT_EQ(limiter.active(), 0);
  EXPECT_TRUE(limiter.Acquire().ok());
}

}  // namespace
}  // namespace tokkit
