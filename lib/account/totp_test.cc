#include "lib/account/totp.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "lib/core/crypto.h"

namespace tokkit::account {
namespace {

const char kRfcSecret[] = "12345678901234567890";

TEST(Totp, Rfc6238Sha1Vectors) {
  ASSERT_TRUE(InitCrypto().ok());
  TotpParams eight{8, absl::Seconds(30), 1};
  const std::pair<int64_t, const char*> vectors[] = {
      {59, "94287082"},         {1111111109, "07081804"},
      {1111111111, "14050471"}, {1234567890, "89005924"},
      {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& [t, code] : vectors) {
    EXPECT_EQ(
        TotpCode(kRfcSecret, TotpStep(absl::FromUnixSeconds(t), eight), eight),
        code)
        << t;
  }
}

TEST(Totp, MatchesWithinDriftOnly) {
  const absl::Time now = absl::FromUnixSeconds(1767225615);
  const int64_t step = TotpStep(now);
  EXPECT_EQ(MatchTotp(kRfcSecret, TotpCode(kRfcSecret, step), now), step);
  EXPECT_EQ(MatchTotp(kRfcSecret, TotpCode(kRfcSecret, step - 1), now),
            step - 1);
  EXPECT_EQ(MatchTotp(kRfcSecret, TotpCode(kRfcSecret, step + 1), now),
            step + 1);
  EXPECT_FALSE(MatchTotp(kRfcSecret, TotpCode(kRfcSecret, step - 2), now));
  EXPECT_FALSE(MatchTotp(kRfcSecret, TotpCode(kRfcSecret, step + 2), now));
  EXPECT_FALSE(MatchTotp(kRfcSecret, "12345", now));
  EXPECT_FALSE(MatchTotp(kRfcSecret, "abcdef", now));
  EXPECT_FALSE(MatchTotp("another secret", TotpCode(kRfcSecret, step), now));
}

TEST(Totp, OtpauthUriForAuthenticatorApps) {
  EXPECT_EQ(OtpauthUri("tokkit", "alice", "foobar"),
            "otpauth://totp/tokkit:alice?secret=MZXW6YTBOI&issuer=tokkit"
            "&algorithm=SHA1&digits=6&period=30");
  EXPECT_TRUE(absl::StrContains(OtpauthUri("My Shop", "a b", "x"),
                                "totp/My%20Shop:a%20b?"));
}

TEST(Totp, QrCodeIsAPng) {
  absl::StatusOr<std::string> png =
      QrPng(OtpauthUri("tokkit", "alice", "12345678901234567890"));
  ASSERT_TRUE(png.ok()) << png.status();
  EXPECT_TRUE(absl::StartsWith(*png, "\x89PNG\r\n\x1A\n"));
  EXPECT_GT(png->size(), 200u);
}

}  // namespace
}  // namespace tokkit::account
