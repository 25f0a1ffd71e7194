#include "lib/account/password_hasher.h"

#include <crypt.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <thread>

#include "absl/strings/match.h"
#include "lib/core/crypto.h"
#include "lib/core/request_context.h"
#include "lib/core/status_macros.h"

namespace tokkit::account {
namespace {

bool IsBcrypt(absl::string_view h) {
  return absl::StartsWith(h, "$2a$") || absl::StartsWith(h, "$2b$") ||
         absl::StartsWith(h, "$2y$");
}

bool IsArgon2(absl::string_view h) {
  return absl::StartsWith(h, "$argon2id$") || absl::StartsWith(h, "$argon2i$");
}

int DefaultConcurrency() {
  const unsigned cores = std::thread::hardware_concurrency();
  return std::max(1, static_cast<int>(cores / 2));
}

}  // namespace

PasswordHasher::PasswordHasher(PasswordHashOptions options)
    : options_(options),
      limiter_("password hashing",
               options.max_concurrent > 0 ? options.max_concurrent
                                          : DefaultConcurrency(),
               options.max_queued, options.max_wait) {}

absl::StatusOr<ConcurrencyLimiter::Permit> PasswordHasher::Admit() const {
  return limiter_.Acquire(CurrentDeadline());
}

absl::StatusOr<std::string> PasswordHasher::Hash(
    absl::string_view password) const {
  ASSIGN_OR_RETURN(ConcurrencyLimiter::Permit permit, Admit());
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            options_.ops_limit, options_.mem_limit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::ResourceExhaustedError("password hashing ran out of memory");
  }
  return std::string(out);
}

absl::StatusOr<bool> PasswordHasher::Verify(absl::string_view password,
                                            absl::string_view stored) const {
  ASSIGN_OR_RETURN(ConcurrencyLimiter::Permit permit, Admit());
  return VerifyUnbounded(password, stored);
}

bool PasswordHasher::VerifyUnbounded(absl::string_view password,
                                     absl::string_view stored) const {
  const std::string hash(stored);
  if (IsArgon2(stored)) {
    return crypto_pwhash_str_verify(hash.c_str(), password.data(),
                                    password.size()) == 0;
  }
  if (IsBcrypt(stored)) {
    // crypt_r wants NUL-terminated input; bcrypt reads at most 72 bytes.
    const std::string pw(password);
    auto data = std::make_unique<crypt_data>();
    std::memset(data.get(), 0, sizeof(crypt_data));
    const char* computed = crypt_r(pw.c_str(), hash.c_str(), data.get());
    if (computed == nullptr || computed[0] == '*') return false;
    return ConstantTimeEquals(computed, hash);
  }
  return false;
}

bool PasswordHasher::NeedsRehash(absl::string_view stored) const {
  if (!absl::StartsWith(stored, "$argon2id$")) return true;
  const std::string hash(stored);
  return crypto_pwhash_str_needs_rehash(hash.c_str(), options_.ops_limit,
                                        options_.mem_limit) != 0;
}

absl::Status PasswordHasher::VerifyDummy(absl::string_view password) const {
  ASSIGN_OR_RETURN(ConcurrencyLimiter::Permit permit, Admit());
  std::call_once(dummy_once_, [this] {
    char out[crypto_pwhash_STRBYTES];
    const std::string random = RandomToken(16);
    if (crypto_pwhash_str_alg(out, random.data(), random.size(),
                              options_.ops_limit, options_.mem_limit,
                              crypto_pwhash_ALG_ARGON2ID13) == 0) {
      dummy_hash_ = out;
    }
  });
  (void)VerifyUnbounded(password, dummy_hash_);
  return absl::OkStatus();
}

}  // namespace tokkit::account
