#include "lib/account/password_hasher.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "lib/core/crypto.h"
#include "lib/core/request_context.h"

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
  EXPECT_TRUE(*hasher_.Verify("correct horse battery", hash));
  EXPECT_FALSE(*hasher_.Verify("correct horse batterY", hash));
  EXPECT_FALSE(*hasher_.Verify("", hash));
  EXPECT_FALSE(hasher_.NeedsRehash(hash));
  // Salted: the same password never hashes the same twice.
  EXPECT_NE(hash, *hasher_.Hash("correct horse battery"));
}

TEST_F(PasswordHasherTest, VerifiesLegacyBcryptAndAsksForRehash) {
  // Published crypt_blowfish test vector.
  const std::string legacy =
      "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
  EXPECT_TRUE(*hasher_.Verify("U*U", legacy));
  EXPECT_FALSE(*hasher_.Verify("U*V", legacy));
  EXPECT_TRUE(hasher_.NeedsRehash(legacy));
  const std::string go_style =
      "$2b$04$abcdefghijklmnopqrstuujydOTSfIH/d5oUHpsygqV5X9xJLQc6e";
  EXPECT_TRUE(*hasher_.Verify("correct horse", go_style));
  EXPECT_FALSE(*hasher_.Verify("correct horsE", go_style));
}

TEST_F(PasswordHasherTest, StrongerSettingsMakeOldHashesStale) {
  const std::string weak = *hasher_.Hash("pw-123456");
  PasswordHasher stronger(PasswordHashOptions{2, 1u << 20});
  EXPECT_TRUE(stronger.NeedsRehash(weak));
  EXPECT_TRUE(*stronger.Verify("pw-123456", weak));  // still verifies
}

TEST_F(PasswordHasherTest, GarbageHashesNeverVerify) {
  for (const char* bad :
       {"", "plaintext", "$1$abc$def", "$argon2id$junk", "$2b$04$short"}) {
    EXPECT_FALSE(*hasher_.Verify("plaintext", bad)) << bad;
  }
  EXPECT_TRUE(hasher_.VerifyDummy("anything").ok());  // must not crash
}

// Regression: 32 concurrent logins took the process to 1.15 GiB (argon2id's
// 64 MiB each, with no bound). At most max_concurrent hash at once; the
// rest wait up to their deadline or are refused past the queue.
TEST(PasswordHasherBoundTest, HashesRunBoundedAndRefusePastTheQueue) {
  PasswordHashOptions o = PasswordHashOptions::ForTesting();
  o.ops_limit = 3;
  o.mem_limit = 8u << 20;  // slow enough to overlap
  o.max_concurrent = 2;
  o.max_queued = 4;
  PasswordHasher hasher(o);
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      absl::StatusOr<std::string> h = hasher.Hash("pw-123456");
      if (h.ok()) {
        ++ok;
      } else {
        EXPECT_EQ(h.status().code(), absl::StatusCode::kResourceExhausted);
        ++refused;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok + refused, 16);
  EXPECT_GE(ok.load(), 2 + 4 - 0);  // the running ones and the queue
  EXPECT_GT(refused.load(), 0);
}

TEST(PasswordHasherBoundTest, WaitersHonourTheRequestDeadline) {
  PasswordHashOptions o = PasswordHashOptions::ForTesting();
  o.ops_limit = 3;
  o.mem_limit = 32u << 20;
  o.max_concurrent = 1;
  PasswordHasher hasher(o);
  std::thread busy([&] { EXPECT_TRUE(hasher.Hash("first").ok()); });
  // Regression: a fixed 5 ms for the first hash to start was not always
  // enough under ASan on a loaded machine, and the second took the slot.
  while (hasher.running() == 0) absl::SleepFor(absl::Microseconds(100));
  ScopedRequest request({"r", "", 0, absl::Now() + absl::Microseconds(10)});
  absl::StatusOr<std::string> late = hasher.Hash("second");
  busy.join();
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace tokkit::account
