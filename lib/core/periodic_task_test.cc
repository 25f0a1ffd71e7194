#include "lib/core/periodic_task.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "lib/core/log.h"

namespace tokkit {
namespace {

TaskStats StatsOf(const std::string& name) {
  for (const TaskStats& s : AllTaskStats()) {
    if (s.name == name) return s;
  }
  return {};
}

TEST(PeriodicTaskTest, RunsRepeatedlyAndStops) {
  std::atomic<int> runs{0};
  {
    PeriodicTask task("test.repeat", {absl::Milliseconds(5), 0.1}, [&] {
      ++runs;
      return absl::OkStatus();
    });
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (runs < 3 && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(1));
    }
  }
  const int after_stop = runs.load();
  EXPECT_GE(after_stop, 3);
  absl::SleepFor(absl::Milliseconds(30));
  EXPECT_EQ(runs.load(), after_stop);  // nothing runs after destruction
}

TEST(PeriodicTaskTest, StopWaitsForTheRunningIteration) {
  absl::Notification started;
  std::atomic<bool> finished{false};
  PeriodicTask task("test.slow", {absl::Milliseconds(1), 0}, [&] {
    if (!started.HasBeenNotified()) started.Notify();
    absl::SleepFor(absl::Milliseconds(50));
    finished = true;
    return absl::OkStatus();
  });
  started.WaitForNotification();
  task.Stop();
  EXPECT_TRUE(finished.load());
}

TEST(PeriodicTaskTest, WakeRunsWithoutWaitingOutTheInterval) {
  std::atomic<int> runs{0};
  PeriodicTask task("test.wake", {absl::Hours(1), 0}, [&] {
    ++runs;
    return absl::OkStatus();
  });
  task.Wake();
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (runs == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_EQ(runs.load(), 1);
}

TEST(PeriodicTaskTest, FailuresAreLoggedAndCounted) {
  log::ScopedCapture capture;
  PeriodicTask task("test.failing", {absl::ZeroDuration(), 0},
                    [] { return absl::UnavailableError("database is down"); });
  EXPECT_EQ(task.RunOnce().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(task.RunOnce().code(), absl::StatusCode::kUnavailable);
  const TaskStats s = StatsOf("test.failing");
  EXPECT_EQ(s.runs, 2);
  EXPECT_EQ(s.failures, 2);
  EXPECT_TRUE(capture.Contains("periodic_task_failed"));
  EXPECT_TRUE(capture.Contains("task=test.failing"));
  EXPECT_TRUE(capture.Contains("database is down"));
}

TEST(PeriodicTaskTest, ZeroIntervalRunsOnlyByHand) {
  std::atomic<int> runs{0};
  PeriodicTask task("test.manual", {absl::ZeroDuration(), 0}, [&] {
    ++runs;
    return absl::OkStatus();
  });
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(runs.load(), 0);
  EXPECT_TRUE(task.RunOnce().ok());
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(StatsOf("test.manual").failures, 0);
}

}  // namespace
}  // namespace tokkit
