#include "lib/core/crypto.h"

#include "gtest/gtest.h"

namespace tokkit {
namespace {

class CryptoTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(InitCrypto().ok()); }
};

TEST_F(CryptoTest, KnownVectors) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 2202 test case 2.
  EXPECT_EQ(HexEncode(HmacSha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST_F(CryptoTest, StreamedSha256MatchesOneShot) {
  Sha256Stream s;
  s.Update("a");
  s.Update("");
  s.Update("bc");
  EXPECT_EQ(s.HexDigest(), Sha256Hex("abc"));
}

TEST_F(CryptoTest, Base32MatchesRfc4648) {
  EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(*Base32Decode("MZXW6YTBOI"), "foobar");
  EXPECT_EQ(*Base32Decode("mzxw 6ytb oi======"), "foobar");
  EXPECT_FALSE(Base32Decode("MZ1W").ok());
}

TEST_F(CryptoTest, Base64UrlRoundTrip) {
  const std::string raw = RandomBytes(33);
  const std::string text = Base64UrlEncode(raw);
  EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
  EXPECT_EQ(*Base64UrlDecode(text), raw);
  EXPECT_FALSE(Base64UrlDecode("***").ok());
}

TEST_F(CryptoTest, RandomTokensDiffer) {
  EXPECT_NE(RandomToken(), RandomToken());
  EXPECT_EQ(RandomBytes(16).size(), 16u);
}

TEST_F(CryptoTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace tokkit
