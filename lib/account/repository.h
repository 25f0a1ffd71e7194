// Storage ports of the account domain. One SQL implementation serves SQLite
// and PostgreSQL (sql_repository.h); tests run the same contract on both.
#ifndef TOKKIT_LIB_ACCOUNT_REPOSITORY_H_
#define TOKKIT_LIB_ACCOUNT_REPOSITORY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/account/model.h"

namespace tokkit::account {

class UserRepository {
 public:
  virtual ~UserRepository() = default;

  // ALREADY_EXISTS naming "username" or "email" when either is taken.
  virtual absl::StatusOr<User> Create(const NewUser& user) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<UserRecord> FindById(int64_t id) = 0;
  virtual absl::StatusOr<UserRecord> FindByUsername(
      absl::string_view username) = 0;
  virtual absl::StatusOr<UserRecord> FindByEmail(absl::string_view email) = 0;
  // The users among `ids` that exist, in no particular order.
  virtual absl::StatusOr<std::vector<User>> FindByIds(
      const std::vector<int64_t>& ids) = 0;

  virtual absl::StatusOr<User> UpdateProfile(int64_t id,
                                             const ProfileUpdate& update,
                                             absl::Time now) = 0;
  // Returns the previous avatar key so the caller can delete that blob.
  virtual absl::StatusOr<std::string> SetAvatar(int64_t id,
                                                absl::string_view key,
                                                absl::Time now) = 0;
  virtual absl::Status SetPasswordHash(int64_t id, absl::string_view hash,
                                       absl::Time now) = 0;
  virtual absl::Status SetRole(int64_t id, Role role, absl::Time now) = 0;
  virtual absl::Status SetStatus(int64_t id, UserStatus status,
                                 absl::Time now) = 0;

  virtual absl::Status SetPendingTotp(int64_t id, absl::string_view secret,
                                      absl::Time now) = 0;
  // Moves the pending secret into place and records `step` as used.
  // FAILED_PRECONDITION when there is no pending secret.
  virtual absl::Status EnableTotp(int64_t id, int64_t step, absl::Time now) = 0;
  virtual absl::Status DisableTotp(int64_t id, absl::Time now) = 0;
  // Atomically records that the code for `step` was used; false when that
  // step (or a later one) was already used: the replay guard.
  virtual absl::StatusOr<bool> ConsumeTotpStep(int64_t id, int64_t step) = 0;
};

class SessionRepository {
 public:
  virtual ~SessionRepository() = default;

  // Creates a session and its first refresh token together.
  virtual absl::Status Create(const Session& session,
                              const RefreshTokenRecord& first_token) = 0;

  enum class RotateOutcome {
    kRotated,  // old token consumed, new one stored
    kUnknown,  // no such token
    kExpired,  // token past its expiry
    kRevoked,  // its session was revoked
    kReused,   // token had been used already: the session is now revoked
  };
  struct RotateResult {
    RotateOutcome outcome;
    Session session;
  };
  // Consumes the refresh token with hash `old_hash` and stores `next` in the
  // same session, atomically: of two concurrent rotations of one token, one
  // wins and the other sees kReused (which revokes the session, per OAuth 2.0
  // security BCP refresh token rotation).
  virtual absl::StatusOr<RotateResult> Rotate(absl::string_view old_hash,
                                              RefreshTokenRecord next,
                                              absl::Time now) = 0;

  // NOT_FOUND unless the session exists and belongs to `user_id`.
  virtual absl::Status Revoke(int64_t user_id, int64_t session_id,
                              absl::Time now) = 0;
  virtual absl::Status RevokeAll(int64_t user_id, absl::Time now) = 0;
  // Session that a refresh token belongs to (for logout by refresh token).
  virtual absl::StatusOr<int64_t> SessionOfToken(
      absl::string_view token_hash) = 0;

  // NOT_FOUND when the user does not exist.
  virtual absl::StatusOr<AccessState> LoadAccessState(int64_t user_id,
                                                      int64_t session_id) = 0;
};

class AddressRepository {
 public:
  virtual ~AddressRepository() = default;
  // RESOURCE_EXHAUSTED when the user already has `max_per_user` addresses.
  // A default address (or the user's first) clears the previous default.
  virtual absl::StatusOr<Address> Create(const Address& address,
                                         int max_per_user) = 0;
  // NOT_FOUND unless it exists and belongs to user_id.
  virtual absl::StatusOr<Address> Get(int64_t user_id, int64_t address_id) = 0;
  virtual absl::StatusOr<std::vector<Address>> List(int64_t user_id) = 0;
  virtual absl::StatusOr<Address> Update(const Address& address) = 0;
  virtual absl::Status Delete(int64_t user_id, int64_t address_id) = 0;
};

class ThrottleRepository {
 public:
  virtual ~ThrottleRepository() = default;
  virtual absl::StatusOr<ThrottleState> Get(absl::string_view key) = 0;
  // Counts one failure for `key`, starting a new window when the current one
  // is older than `window`, and locks the key until now + lock_for once the
  // count reaches max_failures. Atomic across replicas.
  virtual absl::StatusOr<ThrottleState> RecordFailure(
      absl::string_view key, absl::Time now, absl::Duration window,
      int max_failures, absl::Duration lock_for) = 0;
  virtual absl::Status Reset(absl::string_view key) = 0;
};

}  // namespace tokkit::account

#endif  // TOKKIT_LIB_ACCOUNT_REPOSITORY_H_
