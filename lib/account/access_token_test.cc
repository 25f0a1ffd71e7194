#include "lib/account/access_token.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "lib/core/crypto.h"

namespace tokkit::account {
namespace {

const std::string kSecretA(32, 'a');
const std::string kSecretB(40, 'b');

class AccessTokenTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(InitCrypto().ok()); }

  AccessClaims Claims(absl::Duration ttl = absl::Minutes(15)) {
    return {42, 7, clock_.Now(), clock_.Now() + ttl};
  }

  SimulatedClock clock_;
};

TEST_F(AccessTokenTest, SignVerifyRoundTrip) {
  auto codec = AccessTokenCodec::Create({{"k1", kSecretA}}, &clock_);
  ASSERT_TRUE(codec.ok());
  const std::string token = codec->Sign(Claims());
  auto claims = codec->Verify(token);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->user_id, 42);
  EXPECT_EQ(claims->session_id, 7);
  EXPECT_EQ(claims->expires_at, clock_.Now() + absl::Minutes(15));
  // A standard JWT: three base64url parts, the header names HS256 and kid.
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(*Base64UrlDecode(parts[0]),
            R"({"alg":"HS256","typ":"JWT","kid":"k1"})");
}

TEST_F(AccessTokenTest, ExpiresByTheInjectedClock) {
  auto codec = *AccessTokenCodec::Create({{"k1", kSecretA}}, &clock_);
  const std::string token = codec.Sign(Claims(absl::Minutes(1)));
  clock_.Advance(absl::Seconds(59));
  EXPECT_TRUE(codec.Verify(token).ok());
  clock_.Advance(absl::Seconds(1));
  absl::Status st = codec.Verify(token).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(st.message().find("expired"), std::string::npos);
}

TEST_F(AccessTokenTest, RejectsTamperingForgeryAndAlgNone) {
  auto codec = *AccessTokenCodec::Create({{"k1", kSecretA}}, &clock_);
  const std::string token = codec.Sign(Claims());
  std::vector<std::string> parts = absl::StrSplit(token, '.');

  const std::string forged_payload = Base64UrlEncode(absl::StrCat(
      R"({"sub":"1","sid":"7","iat":)", absl::ToUnixSeconds(clock_.Now()),
      R"(,"exp":)", absl::ToUnixSeconds(clock_.Now()) + 600, "}"));
  const std::string none_header =
      Base64UrlEncode(R"({"alg":"none","typ":"JWT","kid":"k1"})");
  for (const std::string& bad : {
           absl::StrCat(parts[0], ".", forged_payload, ".", parts[2]),
           absl::StrCat(none_header, ".", parts[1], "."),
           absl::StrCat(none_header, ".", parts[1], ".", parts[2]),
           absl::StrCat(parts[0], ".", parts[1]),
           std::string("not-a-token"),
           std::string(""),
           token + "x",
       }) {
    EXPECT_EQ(codec.Verify(bad).status().code(),
              absl::StatusCode::kUnauthenticated)
        << bad;
  }
  auto other = *AccessTokenCodec::Create({{"k1", kSecretB}}, &clock_);
  EXPECT_EQ(other.Verify(token).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AccessTokenTest, KeyRotation) {
  auto old_codec = *AccessTokenCodec::Create({{"old", kSecretA}}, &clock_);
  auto rotated = *AccessTokenCodec::Create(
      {{"new", kSecretB}, {"old", kSecretA}}, &clock_);
  const std::string old_token = old_codec.Sign(Claims());
  const std::string new_token = rotated.Sign(Claims());
  EXPECT_TRUE(rotated.Verify(old_token).ok());
  EXPECT_TRUE(rotated.Verify(new_token).ok());
  EXPECT_FALSE(old_codec.Verify(new_token).ok());  // unknown kid
}

TEST_F(AccessTokenTest, RefusesTokensFromTheFuture) {
  auto codec = *AccessTokenCodec::Create({{"k1", kSecretA}}, &clock_);
  AccessClaims c = Claims();
  c.issued_at += absl::Hours(1);
  c.expires_at += absl::Hours(1);
  EXPECT_FALSE(codec.Verify(codec.Sign(c)).ok());
}

TEST_F(AccessTokenTest, RejectsWeakOrAmbiguousKeys) {
  EXPECT_FALSE(AccessTokenCodec::Create({}, &clock_).ok());
  EXPECT_FALSE(AccessTokenCodec::Create({{"k", "short"}}, &clock_).ok());
  EXPECT_FALSE(
      AccessTokenCodec::Create({{"k", kSecretA}, {"k", kSecretB}}, &clock_)
          .ok());
  EXPECT_FALSE(AccessTokenCodec::Create({{"", kSecretA}}, &clock_).ok());
}

}  // namespace
}  // namespace tokkit::account

namespace tokkit::account {
namespace {

TEST(ParseSigningKeysTest, ReadsTheSharedKeyFile) {
  const std::string secret(64, 'a');
  auto keys = ParseSigningKeys("# rotate by prepending\n\nk2 " + secret +
                               "\n  k1\t" + std::string(64, 'B') + "  \n");
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].id, "k2");
  EXPECT_EQ((*keys)[0].secret, std::string(32, '\xaa'));
  EXPECT_EQ((*keys)[1].id, "k1");
}

TEST(ParseSigningKeysTest, RefusesWhatIsNotAKeyNamingTheLine) {
  for (const std::string& bad :
       {std::string(""), std::string("# only a comment\n"),
        "k1 " + std::string(62, 'a'),             // 31 bytes
        "k1 " + std::string(63, 'a'),             // odd
        "k1 " + std::string(64, 'g'),             // not hex
        "k1 " + std::string(64, 'a') + " extra",  // three fields
        "k\"1 " + std::string(64, 'a')}) {
    EXPECT_EQ(ParseSigningKeys(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_TRUE(absl::StrContains(
      ParseSigningKeys("k1 " + std::string(64, 'a') + "\nk2 zz")
          .status()
          .message(),
      "line 2"));
}

}  // namespace
}  // namespace tokkit::account
