#include "lib/core/executor.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace tokkit {
namespace {

TEST(BoundedExecutorTest, RunsEverythingSubmittedBeforeDestruction) {
  std::atomic<int> ran{0};
  {
    BoundedExecutor e("test", 2, 1000);
    for (int i = 0; i < 500; ++i) {
      ASSERT_TRUE(e.TrySubmit([&] { ++ran; }));
    }
  }
  EXPECT_EQ(ran.load(), 500);
}

TEST(BoundedExecutorTest, RefusesPastTheBound) {
  BoundedExecutor e("test", 1, 2);
  absl::Notification release, started;
  ASSERT_TRUE(e.TrySubmit([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();  // the worker is busy; the queue is empty
  EXPECT_TRUE(e.TrySubmit([] {}));
  EXPECT_TRUE(e.TrySubmit([] {}));
  EXPECT_FALSE(e.TrySubmit([] {}));  // full
  EXPECT_EQ(e.queued(), 2u);
  release.Notify();
}

}  // namespace
}  // namespace tokkit
