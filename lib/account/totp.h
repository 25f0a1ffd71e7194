// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), compatible
// with common authenticator apps: HMAC-SHA1, 6 digits, 30 s steps.
#ifndef TOKKIT_LIB_ACCOUNT_TOTP_H_
#define TOKKIT_LIB_ACCOUNT_TOTP_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tokkit::account {

struct TotpParams {
  int digits = 6;
  absl::Duration period = absl::Seconds(30);
  // Steps accepted either side of now, for clock drift and typing time.
  int drift_steps = 1;
};

int64_t TotpStep(absl::Time t, const TotpParams& p = {});
// The zero-padded code for one step.
std::string TotpCode(absl::string_view secret, int64_t step,
                     const TotpParams& p = {});
// The step whose code matches `code` within the drift window, or nullopt.
// Every candidate is compared in constant time.
std::optional<int64_t> MatchTotp(absl::string_view secret,
                                 absl::string_view code, absl::Time now,
                                 const TotpParams& p = {});

// otpauth://totp/Issuer:account?secret=BASE32&issuer=Issuer&... for QR codes.
std::string OtpauthUri(absl::string_view issuer, absl::string_view account,
                       absl::string_view secret, const TotpParams& p = {});

// The URI as a QR code in a PNG image (libqrencode + libpng).
absl::StatusOr<std::string> QrPng(absl::string_view text,
                                  int module_pixels = 6);

}  // namespace tokkit::account

#endif  // TOKKIT_LIB_ACCOUNT_TOTP_H_
