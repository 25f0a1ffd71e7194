#include "lib/core/media_type.h"

#include <string>

#include "gtest/gtest.h"

namespace tokkit {
namespace {

TEST(SniffMediaType, RecognisesMagicBytes) {
  EXPECT_EQ(SniffMediaType("\xFF\xD8\xFF\xE0rest"), MediaType::kJpeg);
  EXPECT_EQ(SniffMediaType("\x89PNG\r\n\x1A\n...."), MediaType::kPng);
  EXPECT_EQ(SniffMediaType(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)),
            MediaType::kWebp);
  EXPECT_EQ(SniffMediaType("GIF89a.."), MediaType::kGif);
  EXPECT_EQ(SniffMediaType(std::string("\0\0\0\x18"
                                       "ftypisom",
                                       12)),
            MediaType::kMp4);
  EXPECT_EQ(SniffMediaType("\x1A\x45\xDF\xA3...."), MediaType::kWebm);
}

TEST(SniffMediaType, RejectsLookalikesAndShortInput) {
  EXPECT_EQ(SniffMediaType(""), MediaType::kUnknown);
  EXPECT_EQ(SniffMediaType("\xFF\xD8"), MediaType::kUnknown);
  EXPECT_EQ(SniffMediaType(std::string("RIFF\x10\0\0\0WAVE", 12)),
            MediaType::kUnknown);
  EXPECT_EQ(SniffMediaType("<svg xmlns="), MediaType::kUnknown);
  EXPECT_TRUE(IsImage(MediaType::kPng));
  EXPECT_FALSE(IsImage(MediaType::kMp4));
  EXPECT_EQ(MimeType(MediaType::kWebp), "image/webp");
}

}  // namespace
}  // namespace tokkit
