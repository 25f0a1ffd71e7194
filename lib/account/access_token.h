// Access tokens: compact JWTs (RFC 7519) signed with HMAC-SHA256 under a key
// id, so keys can rotate: the first key signs, every listed key verifies.
// Any service holding the keys verifies a token without calling accounts;
// whether the session is still live is checked separately (Authenticator).
#ifndef TOKKIT_LIB_ACCOUNT_ACCESS_TOKEN_H_
#define TOKKIT_LIB_ACCOUNT_ACCESS_TOKEN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/core/clock.h"

namespace tokkit::account {

struct SigningKey {
  std::string id;      // "kid" header; short ASCII
  std::string secret;  // at least 32 random bytes
};

// The signing-key file every replica shares: one "<key id> <hex secret>" per
// line (blank lines and lines starting with '#' ignored); the first key
// signs, all verify. INVALID_ARGUMENT naming the line for anything else.
absl::StatusOr<std::vector<SigningKey>> ParseSigningKeys(
    absl::string_view text);

struct AccessClaims {
  int64_t user_id = 0;     // "sub"
  int64_t session_id = 0;  // "sid"
  absl::Time issued_at;    // "iat"
  absl::Time expires_at;   // "exp"
};

class AccessTokenCodec {
 public:
  // INVALID_ARGUMENT without keys, with a secret shorter than 32 bytes, or
  // with a duplicate key id.
  static absl::StatusOr<AccessTokenCodec> Create(std::vector<SigningKey> keys,
                                                 const Clock* clock);

  std::string Sign(const AccessClaims& claims) const;
  // UNAUTHENTICATED with a reason for anything but a well-formed, correctly
  // signed, unexpired token.
  absl::StatusOr<AccessClaims> Verify(absl::string_view token) const;

 private:
  AccessTokenCodec(std::vector<SigningKey> keys, const Clock* clock)
      : keys_(std::move(keys)), clock_(clock) {}
  std::vector<SigningKey> keys_;
  const Clock* clock_;
};

}  // namespace tokkit::account

#endif  // TOKKIT_LIB_ACCOUNT_ACCESS_TOKEN_H_
