#include "lib/core/cursor.h"

#include "gtest/gtest.h"

namespace tokkit {
namespace {

TEST(Cursor, RoundTripsFieldsIncludingBinaryAndEmpty) {
  Cursor c;
  c.Add(int64_t{-42}).Add("").Add(std::string("a\0b|c", 5));
  const std::string token = c.Encode();
  EXPECT_EQ(token.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                "0123456789-_"),
            std::string::npos);
  absl::StatusOr<Cursor> back = Cursor::Decode(token);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 3u);
  EXPECT_EQ(*back->IntAt(0), -42);
  EXPECT_EQ(*back->StringAt(1), "");
  EXPECT_EQ(*back->StringAt(2), std::string("a\0b|c", 5));
}

TEST(Cursor, EmptyTokenIsFirstPage) {
  EXPECT_EQ(Cursor().Encode(), "");
  absl::StatusOr<Cursor> c = Cursor::Decode("");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->empty());
}

TEST(Cursor, GarbageIsInvalidArgument) {
  for (const char* bad : {"!!!", "AAAA", "AQ", "AX8", "not a token"}) {
    EXPECT_EQ(Cursor::Decode(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  Cursor c;
  c.Add("x");
  absl::StatusOr<Cursor> back = Cursor::Decode(c.Encode());
  EXPECT_EQ(back->IntAt(0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(back->StringAt(1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(IdCursor, RoundTripsAndStartsAtZero) {
  EXPECT_EQ(*DecodeIdCursor(""), 0);
  EXPECT_EQ(*DecodeIdCursor(EncodeIdCursor(1234567890123)), 1234567890123);
  EXPECT_FALSE(DecodeIdCursor("%%").ok());
}

TEST(PageSize, DefaultsCapsAndRejectsNegative) {
  EXPECT_EQ(*PageSize(0), 20);
  EXPECT_EQ(*PageSize(7), 7);
  EXPECT_EQ(*PageSize(1000), 100);
  EXPECT_EQ(PageSize(-1).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tokkit
