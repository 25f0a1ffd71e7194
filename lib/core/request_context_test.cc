#include "lib/core/request_context.h"

#include "gtest/gtest.h"

namespace tokkit {
namespace {

TEST(RequestContextTest, ScopesNestAndRestore) {
  EXPECT_EQ(CurrentRequest(), nullptr);
  EXPECT_EQ(CurrentDeadline(), absl::InfiniteFuture());
  {
    ScopedRequest outer({"outer", "", 7, absl::FromUnixSeconds(100)});
    ASSERT_NE(CurrentRequest(), nullptr);
    EXPECT_EQ(CurrentRequest()->request_id, "outer");
    EXPECT_EQ(CurrentDeadline(), absl::FromUnixSeconds(100));
    {
      ScopedRequest inner({"inner", "", 8});
      EXPECT_EQ(CurrentRequest()->request_id, "inner");
      EXPECT_EQ(CurrentRequest()->user_id, 8);
    }
    EXPECT_EQ(CurrentRequest()->request_id, "outer");
  }
  EXPECT_EQ(CurrentRequest(), nullptr);
}

TEST(RequestContextTest, RequestIds) {
  const std::string a = NewRequestId(), b = NewRequestId();
  EXPECT_EQ(a.size(), 16u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(IsAcceptableRequestId(a));
  EXPECT_TRUE(IsAcceptableRequestId("req-1.2_3:4"));
  EXPECT_FALSE(IsAcceptableRequestId(""));
  EXPECT_FALSE(IsAcceptableRequestId("has space"));
  EXPECT_FALSE(IsAcceptableRequestId("line\nbreak"));
  EXPECT_FALSE(IsAcceptableRequestId(std::string(65, 'a')));
}

TEST(RequestContextTest, Traceparent) {
  const std::string valid =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  EXPECT_TRUE(IsValidTraceparent(valid));
  EXPECT_FALSE(IsValidTraceparent(""));
  EXPECT_FALSE(IsValidTraceparent(
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
  EXPECT_FALSE(IsValidTraceparent(
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));
  EXPECT_FALSE(IsValidTraceparent(
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(IsValidTraceparent(
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));

  const std::string child = ChildTraceparent(valid);
  ASSERT_TRUE(IsValidTraceparent(child)) << child;
  EXPECT_EQ(child.substr(3, 32), valid.substr(3, 32));    // same trace
  EXPECT_NE(child.substr(36, 16), valid.substr(36, 16));  // new span
  EXPECT_EQ(child.substr(53), "01");

  const std::string fresh = ChildTraceparent("garbage");
  EXPECT_TRUE(IsValidTraceparent(fresh)) << fresh;
  EXPECT_NE(fresh.substr(3, 32), valid.substr(3, 32));
}

}  // namespace
}  // namespace tokkit
