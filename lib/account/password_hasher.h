// Password hashing: argon2id (libsodium) for every new hash; bcrypt hashes
// imported from the earlier Go services still verify and are upgraded to
// argon2id at the next successful login (NeedsRehash).
#ifndef TOKKIT_LIB_ACCOUNT_PASSWORD_HASHER_H_
#define TOKKIT_LIB_ACCOUNT_PASSWORD_HASHER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tokkit::account {

struct PasswordHashOptions {
  // libsodium's INTERACTIVE limits: 2 passes over 64 MiB, ~0.1 s.
  uint64_t ops_limit = 2;
  size_t mem_limit = 64u << 20;

  // The cheapest settings libsodium accepts; for tests only.
  static PasswordHashOptions ForTesting() { return {1, 8u << 10}; }
};

class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordHashOptions options);

  // A PHC string ("$argon2id$v=19$m=...,t=...,p=1$salt$hash").
  absl::StatusOr<std::string> Hash(absl::string_view password) const;

  // Constant-time with respect to the password. False for a malformed or
  // unknown hash format.
  bool Verify(absl::string_view password, absl::string_view stored) const;

  // True when `stored` is not argon2id with the current limits.
  bool NeedsRehash(absl::string_view stored) const;

  // Burns the same time as a real Verify, for logins of unknown users, so
  // response time does not reveal which usernames exist.
  void VerifyDummy(absl::string_view password) const;

 private:
  PasswordHashOptions options_;
  std::string dummy_hash_;
};

}  // namespace tokkit::account

#endif  // TOKKIT_LIB_ACCOUNT_PASSWORD_HASHER_H_
