// Cryptographic primitives used across domains, on libsodium (and OpenSSL's
// libcrypto for HMAC-SHA1, which TOTP needs). Call InitCrypto() once before
// use; Platform::Open does.
#ifndef TOKKIT_LIB_CORE_CRYPTO_H_
#define TOKKIT_LIB_CORE_CRYPTO_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tokkit {

absl::Status InitCrypto();

// Bytes from the OS CSPRNG.
std::string RandomBytes(size_t n);
// n random bytes as URL-safe base64 without padding: for tokens and keys.
std::string RandomToken(size_t n_bytes = 32);

std::string Sha256(absl::string_view data);  // 32 raw bytes

// SHA-256 over data that arrives in pieces (streamed uploads).
class Sha256Stream {
 public:
  Sha256Stream();
  void Update(absl::string_view data);
  std::string HexDigest();  // finishes the stream

 private:
  alignas(16) unsigned char state_[128];  // a crypto_hash_sha256_state
};
std::string Sha256Hex(absl::string_view data);
std::string HmacSha256(absl::string_view key, absl::string_view data);
std::string HmacSha1(absl::string_view key, absl::string_view data);

// Compares without an early exit, so timing does not reveal a prefix match.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

std::string Base64UrlEncode(absl::string_view data);  // no padding
absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text);

// RFC 4648 base32 (the alphabet authenticator apps use), without padding.
std::string Base32Encode(absl::string_view data);
absl::StatusOr<std::string> Base32Decode(absl::string_view text);

std::string HexEncode(absl::string_view data);

}  // namespace tokkit

#endif  // TOKKIT_LIB_CORE_CRYPTO_H_
