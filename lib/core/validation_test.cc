#include "lib/core/validation.h"

#include "gtest/gtest.h"

namespace tokkit {
namespace {

TEST(Utf8, AcceptsValidRejectsMalformed) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("抖音 🎵 café"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_EQ(Utf8Length("抖音🎵"), 3u);
}

TEST(ValidateText, LengthInCodePointsAndControlCharacters) {
  EXPECT_TRUE(ValidateText("name", "抖音", 1, 2).ok());
  absl::Status s = ValidateText("name", "抖音x", 1, 2);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("name"), std::string::npos);
  EXPECT_FALSE(ValidateText("name", "", 1, 2).ok());
  EXPECT_FALSE(ValidateText("name", "a\x01", 1, 5).ok());
  EXPECT_FALSE(ValidateText("bio", "a\nb", 1, 5).ok());
  EXPECT_TRUE(ValidateText("bio", "a\nb", 1, 5, /*multiline=*/true).ok());
}

TEST(ValidateEmail, CommonShapes) {
  for (const char* ok : {"a@b.co", "first.last+tag@mail.example.com"}) {
    EXPECT_TRUE(ValidateEmail("email", ok).ok()) << ok;
  }
  for (const char* bad : {"", "a", "@b.co", "a@", "a@b", "a@@b.co", "a@b..co",
                          "a b@c.co", "a@b.c", "a@-b.co"}) {
    EXPECT_EQ(ValidateEmail("email", bad).code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

}  // namespace
}  // namespace tokkit
