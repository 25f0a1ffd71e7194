// Bearer tokens and the signing-key file are untrusted text: verification
// must refuse anything not signed with our key, and never crash.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "lib/account/access_token.h"
#include "lib/core/clock.h"
#include "lib/core/crypto.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tokkit::SimulatedClock* clock = [] {
    (void)tokkit::InitCrypto();
    return new tokkit::SimulatedClock(absl::FromUnixSeconds(1767225600));
  }();
  static const tokkit::account::AccessTokenCodec* codec =
      new tokkit::account::AccessTokenCodec(
          *tokkit::account::AccessTokenCodec::Create(
              {{"fuzz", std::string(32, 'k')}}, clock));
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<tokkit::account::AccessClaims> claims = codec->Verify(text);
  if (claims.ok()) {
    // Only a token we signed verifies: re-signing the claims reproduces it.
    if (codec->Sign(*claims) != text) std::abort();
  }
  (void)tokkit::account::ParseSigningKeys(text);
  return 0;
}
