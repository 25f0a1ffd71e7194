#include "lib/platform/testing/test_platform.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "lib/core/crypto.h"
#include "lib/core/status_macros.h"

namespace tokkit::testing {

absl::StatusOr<std::unique_ptr<TestPlatform>> TestPlatform::Create(
    const std::string& engine,
    const std::function<void(PlatformConfig&)>& customize) {
  return Create(StorageUnderTest{engine, engine, nullptr}, customize);
}

absl::StatusOr<std::unique_ptr<TestPlatform>> TestPlatform::Create(
    const StorageUnderTest& storage,
    const std::function<void(PlatformConfig&)>& customize) {
  RETURN_IF_ERROR(InitCrypto());
  std::unique_ptr<TestPlatform> t(new TestPlatform());
  // The schema is created by Platform::Open; the test database only
  // provides an empty, isolated place for it.
  ASSIGN_OR_RETURN(t->database_, TestDatabase::Create(storage.engine, 1));
  t->config_.open_storage = storage.open;
  const char* tmp = std::getenv("TEST_TMPDIR");
  t->config_.database_url = t->database_->url();
  t->config_.blob_dir =
      absl::StrCat(tmp ? tmp : "/tmp", "/blobs_", HexEncode(RandomBytes(6)));
  t->config_.signing_keys = {{"test", RandomBytes(32)}};
  t->config_.clock = &t->clock_;
  t->config_.password_hashing = account::PasswordHashOptions::ForTesting();
  t->config_.blob_sweep_interval = absl::ZeroDuration();  // swept by hand
  // ANALYZE of a schema that tests fill with a handful of rows only costs
  // time (platform_test checks a platform that refreshes).
  t->config_.statistics_interval = absl::ZeroDuration();
  // Tests running at once must not share Redis streams.
  t->config_.redis_key_prefix =
      absl::StrCat("tokkit-test-", HexEncode(RandomBytes(6)));
  if (customize) customize(t->config_);
  ASSIGN_OR_RETURN(t->platform_, Platform::Open(t->config_));
  return t;
}

absl::StatusOr<account::LoginResult> TestPlatform::SignUp(
    const std::string& name) {
  account::AccountService& accounts = platform_->accounts();
  RETURN_IF_ERROR(
      accounts.Register({name, name + "@example.com", kPassword, ""}).status());
  return accounts.Login({name, kPassword, "", "", ""});
}

}  // namespace tokkit::testing
