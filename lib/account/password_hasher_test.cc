#include "lib/account/password_hasher.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "lib/core/crypto.h"

namespace tokkit::account {
namespace {

class PasswordHasherTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(InitCrypto().ok()); }
  PasswordHasher hasher_{PasswordHashOptions::ForTesting()};
};

TEST_F(PasswordHasherTest, Argon2idRoundTrip) {
  const std::string hash = *hasher_.Hash("correct horse battery");
  EXPECT_TRUE(absl::StartsWith(hash, "$argon2id$v=19$")) << hash;
  EXPECT_TRUE(hasher_.Verify("correct horse battery", hash));
  EXPECT_FALSE(hasher_.Verify("correct horse batterY", hash));
  EXPECT_FALSE(hasher_.Verify("", hash));
  EXPECT_FALSE(hasher_.NeedsRehash(hash));
  // Salted: the same password never hashes the same twice.
  EXPECT_NE(hash, *hasher_.Hash("correct horse battery"));
}

TEST_F(PasswordHasherTest, VerifiesLegacyBcryptAndAsksForRehash) {
  // Published crypt_blowfish test vector.
  const std::string legacy =
      "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
  EXPECT_TRUE(hasher_.Verify("U*U", legacy));
  EXPECT_FALSE(hasher_.Verify("U*V", legacy));
  EXPECT_TRUE(hasher_.NeedsRehash(legacy));
  const std::string go_style =
      "$2b$04$abcdefghijklmnopqrstuujydOTSfIH/d5oUHpsygqV5X9xJLQc6e";
  EXPECT_TRUE(hasher_.Verify("correct horse", go_style));
  EXPECT_FALSE(hasher_.Verify("correct horsE", go_style));
}

TEST_F(PasswordHasherTest, StrongerSettingsMakeOldHashesStale) {
  const std::string weak = *hasher_.Hash("pw-123456");
  PasswordHasher stronger(PasswordHashOptions{2, 1u << 20});
  EXPECT_TRUE(stronger.NeedsRehash(weak));
  EXPECT_TRUE(stronger.Verify("pw-123456", weak));  // still verifies
}

TEST_F(PasswordHasherTest, GarbageHashesNeverVerify) {
  for (const char* bad :
       {"", "plaintext", "$1$abc$def", "$argon2id$junk", "$2b$04$short"}) {
    EXPECT_FALSE(hasher_.Verify("plaintext", bad)) << bad;
  }
  hasher_.VerifyDummy("anything");  // must not crash
}

}  // namespace
}  // namespace tokkit::account
