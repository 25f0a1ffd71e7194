#include "lib/store/events/dispatcher.h"

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "lib/core/log.h"
#include "lib/core/request_context.h"

namespace tokkit {
namespace {

Event MakeEvent(int64_t id, const std::string& topic) {
  Event e;
  e.id = id;
  e.topic = topic;
  e.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  return e;
}

TEST(DispatcherTest, DeliversToMatchingTopicsInTheEventsTrace) {
  SimulatedClock clock;
  Dispatcher d(&clock, nullptr);
  std::string seen_trace;
  int calls = 0;
  auto sub = d.Subscribe("test", "a", [&](const Event&) {
    ++calls;
    seen_trace = CurrentRequest()->traceparent;
    return absl::OkStatus();
  });
  d.Dispatch(MakeEvent(1, "a"));
  d.Dispatch(MakeEvent(2, "b"));
  EXPECT_EQ(calls, 1);
  // The consumer runs in a child span of the request that caused the event.
  ASSERT_TRUE(IsValidTraceparent(seen_trace)) << seen_trace;
  EXPECT_EQ(seen_trace.substr(3, 32), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(d.stats().delivered, 1);
}

TEST(DispatcherTest, FailuresAreRetriedWithBackoffThenDeadLettered) {
  SimulatedClock clock;
  int dead = 0;
  std::string dead_consumer;
  DispatcherOptions o;
  o.max_attempts = 4;
  Dispatcher d(
      &clock,
      [&](const std::string& consumer, const Event& e, const absl::Status& st,
          int attempts) {
        ++dead;
        dead_consumer = consumer;
        EXPECT_EQ(e.id, 7);
        EXPECT_EQ(attempts, 4);
        EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
        return absl::OkStatus();
      },
      o);
  int calls = 0;
  auto sub = d.Subscribe("flaky", "t", [&](const Event&) {
    ++calls;
    return absl::UnavailableError("database down");
  });
  log::ScopedCapture capture;
  d.Dispatch(MakeEvent(7, "t"));
  EXPECT_EQ(calls, 1);
  d.RetryDue();  // not due yet
  EXPECT_EQ(calls, 1);
  clock.Advance(absl::Milliseconds(100));
  d.RetryDue();
  EXPECT_EQ(calls, 2);
  clock.Advance(absl::Milliseconds(150));  // the next waits 200 ms
  d.RetryDue();
  EXPECT_EQ(calls, 2);
  clock.Advance(absl::Milliseconds(50));
  d.RetryDue();
  EXPECT_EQ(calls, 3);
  clock.Advance(absl::Seconds(1));
  d.RetryDue();
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(dead, 1);
  EXPECT_EQ(dead_consumer, "flaky");
  EXPECT_EQ(d.pending_retries(), 0u);
  EXPECT_TRUE(capture.Contains("event_dead_lettered"));
  EXPECT_EQ(d.stats().dead_lettered, 1);
}

TEST(DispatcherTest, ARecoveredConsumerIsNotDeadLettered) {
  SimulatedClock clock;
  int dead = 0;
  Dispatcher d(&clock,
               [&](const std::string&, const Event&, const absl::Status&, int) {
                 ++dead;
                 return absl::OkStatus();
               });
  int calls = 0;
  auto sub = d.Subscribe("c", "t", [&](const Event&) {
    return ++calls < 3 ? absl::UnavailableError("not yet") : absl::OkStatus();
  });
  d.Dispatch(MakeEvent(1, "t"));
  for (int i = 0; i < 10; ++i) {
    clock.Advance(absl::Seconds(1));
    d.RetryDue();
  }
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(dead, 0);
}

TEST(DispatcherTest, DroppingTheSubscriptionWaitsForARunningHandler) {
  SimulatedClock clock;
  Dispatcher d(&clock, nullptr);
  absl::Notification entered, release;
  std::atomic<bool> finished{false};
  auto sub = d.Subscribe("slow", "t", [&](const Event&) {
    entered.Notify();
    release.WaitForNotification();
    finished = true;
    return absl::OkStatus();
  });
  std::thread delivery([&] { d.Dispatch(MakeEvent(1, "t")); });
  entered.WaitForNotification();
  std::thread closer([&] { sub.reset(); });
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_FALSE(finished.load());  // the closer is still waiting
  release.Notify();
  closer.join();
  EXPECT_TRUE(finished.load());
  delivery.join();
  // Nothing is delivered after the handle is gone.
  d.Dispatch(MakeEvent(2, "t"));
}

TEST(DispatcherTest, AHandlerMayDropItsOwnSubscription) {
  SimulatedClock clock;
  Dispatcher d(&clock, nullptr);
  std::unique_ptr<Subscription> sub;
  int calls = 0;
  sub = d.Subscribe("once", "t", [&](const Event&) {
    ++calls;
    sub.reset();  // must not wait for itself
    return absl::OkStatus();
  });
  d.Dispatch(MakeEvent(1, "t"));
  d.Dispatch(MakeEvent(2, "t"));
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace tokkit
