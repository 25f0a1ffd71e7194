// Password hashing: argon2id (libsodium) for every new hash; bcrypt hashes
// imported from the earlier Go services still verify and are upgraded to
// argon2id at the next successful login (NeedsRehash).
#ifndef TOKKIT_LIB_ACCOUNT_PASSWORD_HASHER_H_
#define TOKKIT_LIB_ACCOUNT_PASSWORD_HASHER_H_

#include <cstdint>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/core/concurrency_limiter.h"

namespace tokkit::account {

struct PasswordHashOptions {
  // libsodium's INTERACTIVE limits: 2 passes over 64 MiB, ~0.1 s.
  uint64_t ops_limit = 2;
  size_t mem_limit = 64u << 20;
  // Hashes running at once (each takes mem_limit and a core); 0: half the
  // cores, at least one, leaving the rest to other requests. Callers past
  // that wait, up to `max_queued` of them and each until its request's
  // deadline (at most `max_wait`); more are refused with RESOURCE_EXHAUSTED.
  int max_concurrent = 0;
  int max_queued = 64;
  absl::Duration max_wait = absl::Seconds(10);

  // The cheapest settings libsodium accepts; for tests only.
  static PasswordHashOptions ForTesting() {
    PasswordHashOptions o;
    o.ops_limit = 1;
    o.mem_limit = 8u << 10;
    return o;
  }
};

// Hash and Verify run under a concurrency bound (see PasswordHashOptions):
// they fail with RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED when the server is
// saturated, never queueing without limit.
class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordHashOptions options);

  // A PHC string ("$argon2id$v=19$m=...,t=...,p=1$salt$hash").
  absl::StatusOr<std::string> Hash(absl::string_view password) const;

  // Constant-time with respect to the password. False for a malformed or
  // unknown hash format.
  absl::StatusOr<bool> Verify(absl::string_view password,
                              absl::string_view stored) const;

  // True when `stored` is not argon2id with the current limits.
  bool NeedsRehash(absl::string_view stored) const;

  // Burns the same time as a real Verify, for logins of unknown users, so
  // response time does not reveal which usernames exist.
  absl::Status VerifyDummy(absl::string_view password) const;

  // Hashes and verifications running now (tests, metrics).
  int running() const { return limiter_.active(); }

 private:
  absl::StatusOr<ConcurrencyLimiter::Permit> Admit() const;
  bool VerifyUnbounded(absl::string_view password,
                       absl::string_view stored) const;

  PasswordHashOptions options_;
  mutable ConcurrencyLimiter limiter_;
  // Made on first use: computing it at construction was most of the cold
  // start.
  // std::once_flag (pthread_once), not absl::once_flag: the waiters of the
  // latter synchronize inside uninstrumented Debian abseil, invisible to TSan.
  mutable std::once_flag dummy_once_;
  mutable std::string dummy_hash_;
};

}  // namespace tokkit::account

#endif  // TOKKIT_LIB_ACCOUNT_PASSWORD_HASHER_H_
