#include "lib/assistant/sse.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tokkit::assistant {
namespace {

std::vector<std::string> Events(const std::vector<std::string>& pieces,
                                size_t limit = 1 << 20) {
  SseParser parser(limit);
  std::vector<std::string> out;
  for (const std::string& p : pieces) {
    EXPECT_TRUE(
        parser.Feed(p, [&](const std::string& d) { out.push_back(d); }));
  }
  return out;
}

using V = std::vector<std::string>;

TEST(SseParser, EventsEndAtABlankLineWhateverTheLineBreaks) {
  EXPECT_EQ(Events({"data: a\n\ndata: b\r\n\r\ndata: c\r\rdata:d\n\n"}),
            (V{"a", "b", "c", "d"}));
}

TEST(SseParser, PiecesSplitAnywhereGiveTheSameEvents) {
  const std::string stream =
      ": keep-alive\n\ndata: {\"x\": 1}\r\n\r\nevent: m\ndata: one\ndata: "
      "two\n\nid: 3\n\ndata: [DONE]\n\n";
  const V whole = Events({stream});
  ASSERT_EQ(whole, (V{"{\"x\": 1}", "one\ntwo", "[DONE]"}));
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    EXPECT_EQ(Events({stream.substr(0, cut), stream.substr(cut)}), whole)
        << cut;
  }
  V bytes;
  for (char c : stream) bytes.push_back(std::string(1, c));
  EXPECT_EQ(Events(bytes), whole);
}

TEST(SseParser, UnfinishedEventsAndDatalessOnesAreNotDelivered) {
  EXPECT_EQ(Events({"event: x\n\nretry: 5\n\ndata: half"}), V{});
  EXPECT_EQ(Events({"data\n\n"}), V{""});  // a field with no colon
}

TEST(SseParser, AnEventOverTheLimitStopsTheStream) {
  SseParser parser(8);
  std::vector<std::string> out;
  auto keep = [&](const std::string& d) { out.push_back(d); };
  EXPECT_TRUE(parser.Feed("data: ok\n\n", keep));
  EXPECT_FALSE(parser.Feed("data: far too long\n\n", keep));
  EXPECT_FALSE(parser.Feed("data: x\n\n", keep));
  EXPECT_EQ(out, V{"ok"});
}

}  // namespace
}  // namespace tokkit::assistant
