// Account domain model. Plain values: no storage or wire types.
#ifndef TOKKIT_LIB_ACCOUNT_MODEL_H_
#define TOKKIT_LIB_ACCOUNT_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "lib/account/principal.h"

namespace tokkit::account {

enum class UserStatus { kActive = 0, kBanned = 1 };

// What anyone may see of a user, plus private fields (email) that the
// service clears for viewers other than the user and admins.
struct User {
  int64_t id = 0;
  std::string username;  // lower-case, unique
  std::string email;     // lower-case, unique
  std::string display_name;
  std::string bio;
  std::string avatar_key;  // BlobStore key; empty when none
  Role role = Role::kUser;
  UserStatus status = UserStatus::kActive;
  bool totp_enabled = false;
  absl::Time created_at;
  absl::Time updated_at;
};

// Secrets kept beside the user row; never leave the account service.
struct Credentials {
  std::string password_hash;  // PHC string ($argon2id$...) or bcrypt ($2b$...)
  std::string totp_secret;    // raw bytes; empty when TOTP is off
  std::string totp_pending_secret;  // during enrolment, until confirmed
  int64_t totp_last_step = 0;       // last accepted time step (anti-replay)
};

struct UserRecord {
  User user;
  Credentials credentials;
};

struct NewUser {
  int64_t id = 0;
  std::string username;
  std::string email;
  std::string display_name;
  std::string password_hash;
  Role role = Role::kUser;
  absl::Time now;
};

struct ProfileUpdate {
  std::optional<std::string> display_name;
  std::optional<std::string> bio;
};

// A login session: one per successful login, the family of its rotating
// refresh tokens. Revoking it kills its access tokens at once.
struct Session {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string client;  // user agent / source, for the user's session list
  absl::Time created_at;
  absl::Time revoked_at = absl::InfinitePast();  // InfinitePast: not revoked

  bool revoked() const { return revoked_at != absl::InfinitePast(); }
};

struct RefreshTokenRecord {
  std::string
      token_hash;  // SHA-256 hex of the token; the token itself is never stored
  int64_t session_id = 0;
  int64_t user_id = 0;
  absl::Time expires_at;
};

// What the authenticator needs to accept a token: current role and status of
// the user, and whether the token's session is still live.
struct AccessState {
  Role role = Role::kUser;
  UserStatus status = UserStatus::kActive;
  bool session_live = false;
};

struct TokenPair {
  std::string access_token;
  absl::Time access_expires_at;
  std::string refresh_token;
  absl::Time refresh_expires_at;
};

struct Address {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string recipient;
  std::string phone;
  std::string line1;
  std::string line2;
  std::string city;
  std::string region;
  std::string postal_code;
  std::string country_code;  // ISO 3166-1 alpha-2
  bool is_default = false;
  absl::Time created_at;
  absl::Time updated_at;
};

// Failed-login bookkeeping for one throttle key (an account or a source).
struct ThrottleState {
  int failures = 0;
  absl::Time window_start;
  absl::Time locked_until = absl::InfinitePast();
};

}  // namespace tokkit::account

#endif  // TOKKIT_LIB_ACCOUNT_MODEL_H_
