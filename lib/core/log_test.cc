#include "lib/core/log.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "lib/core/request_context.h"

namespace tokkit::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void TearDown() override { ASSERT_TRUE(Configure(Options{}).ok()); }
};

TEST_F(LogTest, TextLineCarriesRequestAndFields) {
  ASSERT_TRUE(Configure(Options{}).ok());
  ScopedCapture capture;
  {
    ScopedRequest request({"req-42", "", 99});
    Warning("thing_failed", {{"order_id", int64_t{12345}},
                             {"error", absl::UnavailableError("db down")},
                             {"note", "two words"}});
  }
  ASSERT_EQ(capture.lines().size(), 1u);
  const std::string line = capture.lines()[0];
  EXPECT_TRUE(absl::StrContains(line, " warning thing_failed ")) << line;
  EXPECT_TRUE(absl::StrContains(line, "request_id=req-42")) << line;
  EXPECT_TRUE(absl::StrContains(line, "user_id=99")) << line;
  EXPECT_TRUE(absl::StrContains(line, "order_id=12345")) << line;
  EXPECT_TRUE(absl::StrContains(line, "error=\"UNAVAILABLE: db down\""))
      << line;
  EXPECT_TRUE(absl::StrContains(line, "note=\"two words\"")) << line;
}

TEST_F(LogTest, ValuesCannotForgeLinesOrFields) {
  Options json;
  json.format = Format::kJson;
  ASSERT_TRUE(Configure(json).ok());
  ScopedCapture capture;
  Info("evil", {{"v", "a\"b\nc\\d\x01"}});
  ASSERT_EQ(capture.lines().size(), 1u);
  const std::string line = capture.lines()[0];
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_TRUE(absl::StartsWith(line, "{\"ts\":\"")) << line;
  EXPECT_TRUE(absl::StrContains(line, "\"level\":\"info\",\"event\":\"evil\""))
      << line;
  EXPECT_TRUE(absl::StrContains(line, R"("v":"a\"b\nc\\d\u0001")")) << line;
  EXPECT_TRUE(absl::EndsWith(line, "}")) << line;
}

// Regression: a field the call also carries (the chat cut-off names the
// stream's user inside that user's call) came out twice.
TEST_F(LogTest, AnEventFieldReplacesTheCallsOwn) {
  ASSERT_TRUE(Configure(Options{}).ok());
  ScopedCapture capture;
  {
    ScopedRequest request({"req-1", "", 99});
    Warning("cut_off", {{"user_id", int64_t{7}}});
  }
  ASSERT_EQ(capture.lines().size(), 1u);
  const std::string line = capture.lines()[0];
  EXPECT_TRUE(absl::StrContains(line, "user_id=7")) << line;
  EXPECT_FALSE(absl::StrContains(line, "user_id=99")) << line;
  EXPECT_TRUE(absl::StrContains(line, "request_id=req-1")) << line;
}

TEST_F(LogTest, LevelsFilter) {
  Options o;
  o.min_level = Level::kWarning;
  ASSERT_TRUE(Configure(o).ok());
  ScopedCapture capture;
  Info("quiet");
  Debug("quieter");
  Error("loud");
  ASSERT_EQ(capture.lines().size(), 1u);
  EXPECT_TRUE(absl::StrContains(capture.lines()[0], "loud"));
}

TEST_F(LogTest, EachEventIsRateLimitedButCounted) {
  Options o;
  o.max_lines_per_second = 5;
  ASSERT_TRUE(Configure(o).ok());
  auto count_of = [](absl::string_view event) {
    for (const EventCount& c : EventCounts()) {
      if (c.event == event) return c.count;
    }
    return int64_t{0};
  };
  ScopedCapture capture;
  for (int i = 0; i < 100; ++i) Warning("flood_test_event");
  Warning("other_test_event");
  int flood = 0;
  for (const std::string& l : capture.lines()) {
    flood += absl::StrContains(l, "flood_test_event");
  }
  EXPECT_EQ(flood, 5);
  EXPECT_TRUE(capture.Contains("other_test_event"));
  EXPECT_EQ(count_of("flood_test_event"), 100);
}

TEST(RedactUrlTest, MasksCredentials) {
  EXPECT_EQ(RedactUrl("postgresql://tokkit:s3cret@db:5432/app"),
            "postgresql://tokkit:***@db:5432/app");
  EXPECT_EQ(RedactUrl("mysql://u:p%40ss@h/db?ssl=1"),
            "mysql://u:***@h/db?ssl=1");
  EXPECT_EQ(RedactUrl("postgresql://tokkit@db/app"),
            "postgresql://tokkit@db/app");
  EXPECT_EQ(RedactUrl("redis://:hunter2@cache:6379"),
            "redis://:***@cache:6379");
  EXPECT_EQ(RedactUrl("postgresql://db/app?user=u&password=pw&x=1"),
            "postgresql://db/app?user=u&password=***&x=1");
  EXPECT_EQ(RedactUrl(R"(host='h' password='it\'s' dbname='d')"),
            "host='h' password=*** dbname='d'");
  EXPECT_EQ(RedactUrl("sqlite:/var/lib/tokkit.db"),
            "sqlite:/var/lib/tokkit.db");
}

}  // namespace
}  // namespace tokkit::log
