// Embedding tokkit in-process: no servers, no gRPC. Opens a Platform on a
// SQLite file, then walks through an account's life: register, log in,
// turn on two-factor, log in with a code, add an address, refresh tokens.
//
//   bazel run //examples/embedded_accounts -- --data_dir=/tmp/tokkit-example
#include <gflags/gflags.h>

#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "lib/account/totp.h"
#include "lib/core/crypto.h"
#include "lib/core/status_macros.h"
#include "lib/platform/platform.h"

DEFINE_string(data_dir, "/tmp/tokkit-embedded-example",
              "where the example keeps its database and blobs");

namespace {

using tokkit::account::LoginResult;

absl::Status Run() {
  std::filesystem::remove_all(FLAGS_data_dir);  // start fresh every run
  std::filesystem::create_directories(FLAGS_data_dir);

  tokkit::PlatformConfig config;
  config.database_url = absl::StrCat("sqlite:", FLAGS_data_dir, "/tokkit.db");
  config.blob_dir = FLAGS_data_dir + "/blobs";
  RETURN_IF_ERROR(tokkit::InitCrypto());
  config.signing_keys = {{"example", tokkit::RandomBytes(32)}};
  ASSIGN_OR_RETURN(std::unique_ptr<tokkit::Platform> platform,
                   tokkit::Platform::Open(config));
  tokkit::account::AccountService& accounts = platform->accounts();

  ASSIGN_OR_RETURN(
      tokkit::account::User user,
      accounts.Register({"mei", "mei@example.com", "tea-garden-2026", "Mei"}));
  std::printf("registered %s (id %lld)\n", user.username.c_str(),
              static_cast<long long>(user.id));

  ASSIGN_OR_RETURN(LoginResult login, accounts.Login({"mei", "tea-garden-2026",
                                                      "", "local", "example"}));
  std::printf("logged in; access token expires at %s\n",
              absl::FormatTime(login.tokens.access_expires_at).c_str());

  // Every call after login starts from the token, as a server would.
  ASSIGN_OR_RETURN(tokkit::account::Principal me,
                   accounts.Authenticate(login.tokens.access_token));

  ASSIGN_OR_RETURN(tokkit::account::TotpEnrollment enrol,
                   accounts.BeginTotpEnrollment(me));
  std::printf("scan this in an authenticator app: %s\n",
              enrol.otpauth_uri.c_str());
  // Here the example plays the phone app and computes the code itself.
  ASSIGN_OR_RETURN(std::string secret,
                   tokkit::Base32Decode(enrol.secret_base32));
  const absl::Time now = platform->clock().Now();
  const std::string code =
      tokkit::account::TotpCode(secret, tokkit::account::TotpStep(now));
  RETURN_IF_ERROR(accounts.ConfirmTotp(me, code));
  std::printf("two-factor is on\n");

  absl::Status without_code =
      accounts.Login({"mei", "tea-garden-2026", "", "local", "example"})
          .status();
  std::printf("login without a code: %s\n", without_code.ToString().c_str());
  if (without_code.ok())
    return absl::InternalError("two-factor was not enforced");

  // The confirming code is spent; the next 30 s window gives a fresh one.
  const std::string next_code =
      tokkit::account::TotpCode(secret, tokkit::account::TotpStep(now) + 1);
  absl::StatusOr<LoginResult> with_code =
      accounts.Login({"mei", "tea-garden-2026", next_code, "local", "example"});
  std::printf("login with the next code: %s\n",
              with_code.ok() ? "ok" : with_code.status().ToString().c_str());

  tokkit::account::Address home;
  home.recipient = "Mei";
  home.phone = "+86 138 0000 0000";
  home.line1 = "88 West Lake Rd";
  home.city = "Hangzhou";
  home.country_code = "CN";
  ASSIGN_OR_RETURN(tokkit::account::Address saved,
                   accounts.AddAddress(me, home));
  std::printf("saved address %lld (default: %s)\n",
              static_cast<long long>(saved.id),
              saved.is_default ? "yes" : "no");

  ASSIGN_OR_RETURN(tokkit::account::TokenPair rotated,
                   accounts.Refresh(login.tokens.refresh_token));
  std::printf(
      "refreshed: new refresh token differs: %s\n",
      rotated.refresh_token != login.tokens.refresh_token ? "yes" : "no");
  absl::Status replay = accounts.Refresh(login.tokens.refresh_token).status();
  std::printf("old refresh token again: %s\n", replay.ToString().c_str());
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  absl::Status st = Run();
  if (!st.ok()) {
    std::fprintf(stderr, "example failed: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("done\n");
  return 0;
}
