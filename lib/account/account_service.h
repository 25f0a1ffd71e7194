// The account domain's use cases: registration, login with throttling and
// two-factor, token issue/rotation/revocation, profiles and avatars, roles,
// bans and addresses. Transport-neutral: the gRPC adapter and the embedding
// API call it the same way. Every method taking a Principal acts only on what
// that caller owns, or requires the admin role where it says so.
#ifndef TOKKIT_LIB_ACCOUNT_ACCOUNT_SERVICE_H_
#define TOKKIT_LIB_ACCOUNT_ACCOUNT_SERVICE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/account/access_state_cache.h"
#include "lib/account/access_token.h"
#include "lib/account/model.h"
#include "lib/account/password_hasher.h"
#include "lib/account/principal.h"
#include "lib/account/repository.h"
#include "lib/core/clock.h"
#include "lib/core/id_generator.h"
#include "lib/store/blob/blob_store.h"
#include "lib/store/blob/pending_blobs.h"
#include "lib/store/events/event_bus.h"

namespace tokkit::account {

// Reasons attached to errors (see lib/core/error_reason.h).
inline constexpr char kReasonTotpRequired[] = "TOTP_REQUIRED";
inline constexpr char kReasonTotpInvalid[] = "TOTP_INVALID";
inline constexpr char kReasonBadCredentials[] = "BAD_CREDENTIALS";
inline constexpr char kReasonThrottled[] = "LOGIN_THROTTLED";
inline constexpr char kReasonBanned[] = "ACCOUNT_BANNED";
inline constexpr char kReasonRefreshReused[] = "REFRESH_TOKEN_REUSED";

struct AccountOptions {
  absl::Duration access_token_ttl = absl::Minutes(15);
  absl::Duration refresh_token_ttl = absl::Hours(24 * 30);
  std::string totp_issuer = "tokkit";
  int64_t avatar_max_bytes = 2 << 20;
  int max_addresses_per_user = 20;

  // Brute-force throttling. An account locks after `account_max_failures`
  // failed logins within `throttle_window`; a source (client address) after
  // `source_max_failures`, which catches one source spraying many accounts.
  int account_max_failures = 5;
  int source_max_failures = 50;
  absl::Duration throttle_window = absl::Minutes(15);
  absl::Duration lockout = absl::Minutes(15);

  // How long a call's user status, role and session state are reused
  // without a database read (access_state_cache.h): the bound on how late a
  // ban, logout or role change reaches another replica when its event is
  // late. Zero reads the database on every call.
  absl::Duration access_cache_ttl = absl::Seconds(1);
};

struct AccountDeps {
  UserRepository* users = nullptr;
  SessionRepository* sessions = nullptr;
  AddressRepository* addresses = nullptr;
  ThrottleRepository* throttle = nullptr;
  BlobStore* blobs = nullptr;
  PendingBlobs* pending_blobs = nullptr;  // may be null
  const Clock* clock = nullptr;
  IdGenerator* ids = nullptr;
  const PasswordHasher* hasher = nullptr;
  const AccessTokenCodec* tokens = nullptr;
  // Both optional: access changes are announced through `publisher`, and
  // other replicas' announcements arrive through `events`.
  EventPublisher* publisher = nullptr;
  EventBus* events = nullptr;
};

struct RegisterRequest {
  std::string username;
  std::string email;
  std::string password;
  std::string display_name;  // defaults to the username
};

struct LoginRequest {
  std::string login;  // username or email
  std::string password;
  std::string totp_code;  // required when two-factor is on
  std::string source;     // client address, for per-source throttling
  std::string client;     // user agent, shown in session lists
};

struct LoginResult {
  User user;
  Principal principal;
  TokenPair tokens;
};

struct TotpEnrollment {
  std::string secret_base32;  // for manual entry
  std::string otpauth_uri;    // for QR scanners
  std::string qr_png;         // the URI as a PNG QR code
};

struct Avatar {
  std::string data;
  std::string mime_type;
};

class AccountService : public Authenticator {
 public:
  AccountService(AccountDeps deps, AccountOptions options);
  ~AccountService();

  absl::StatusOr<User> Register(const RegisterRequest& request);
  absl::StatusOr<LoginResult> Login(const LoginRequest& request);
  // Rotates: the presented refresh token is consumed and a new pair issued.
  absl::StatusOr<TokenPair> Refresh(absl::string_view refresh_token);
  // Revokes the caller's session: its refresh token and access tokens die.
  absl::Status Logout(const Principal& caller);
  absl::Status LogoutEverywhere(const Principal& caller);
  absl::StatusOr<Principal> Authenticate(
      absl::string_view access_token) override;

  // Public profiles of the existing users among `ids` (at most 1000), with
  // email cleared: for lists that show people (followers, comments, chat).
  absl::StatusOr<std::vector<User>> GetUsers(const std::vector<int64_t>& ids);
  // Email is shown only to the user and to admins.
  absl::StatusOr<User> GetUser(const Principal& viewer, int64_t user_id);
  absl::StatusOr<User> UpdateProfile(const Principal& caller,
                                     const ProfileUpdate& update);
  absl::StatusOr<User> SetAvatar(const Principal& caller,
                                 absl::string_view image);
  absl::StatusOr<Avatar> GetAvatar(int64_t user_id);
  // Revokes every session, including the caller's.
  absl::Status ChangePassword(const Principal& caller,
                              absl::string_view current_password,
                              absl::string_view new_password);

  absl::StatusOr<TotpEnrollment> BeginTotpEnrollment(const Principal& caller);
  absl::Status ConfirmTotp(const Principal& caller, absl::string_view code);
  absl::Status DisableTotp(const Principal& caller, absl::string_view code);

  // Admin only.
  absl::StatusOr<User> SetRole(const Principal& admin, int64_t user_id,
                               Role role);
  // A ban takes effect on the user's very next request.
  absl::StatusOr<User> Ban(const Principal& admin, int64_t user_id);
  absl::StatusOr<User> Unban(const Principal& admin, int64_t user_id);
  // Operator bootstrap (no caller): makes an existing user an admin.
  absl::Status GrantAdmin(absl::string_view username);

  absl::StatusOr<Address> AddAddress(const Principal& caller, Address address);
  absl::StatusOr<std::vector<Address>> ListAddresses(const Principal& caller);
  absl::StatusOr<Address> GetAddress(const Principal& caller,
                                     int64_t address_id);
  absl::StatusOr<Address> UpdateAddress(const Principal& caller,
                                        Address address);
  absl::Status DeleteAddress(const Principal& caller, int64_t address_id);

  const AccountOptions& options() const { return options_; }

 private:
  // Fills the refresh half of `pair` and returns the hash to store.
  std::string MintRefreshToken(TokenPair* pair);
  void SignAccessToken(int64_t user_id, int64_t session_id, TokenPair* pair);
  absl::Status CheckThrottle(absl::string_view key);
  void RecordFailure(absl::string_view key, int max_failures);
  absl::StatusOr<UserRecord> FindByLogin(absl::string_view login);
  // Login without the outcome counting.
  absl::StatusOr<LoginResult> LoginUnmetered(const LoginRequest& request);
  absl::StatusOr<int64_t> VerifyTotp(const UserRecord& rec,
                                     absl::string_view secret,
                                     absl::string_view code);
  absl::Status ValidatePassword(absl::string_view password,
                                absl::string_view username);

  // A change to the user's status, role or sessions: drops the cached
  // access state here and announces it to the other replicas.
  void AccessChanged(int64_t user_id);

  AccountDeps deps_;
  AccountOptions options_;
  AccessStateCache access_cache_;
  std::unique_ptr<Subscription> access_subscription_;  // last: stops first
};

// Username rules: 3-32 characters of a-z, 0-9 and '_', starting with a
// letter; compared case-insensitively; a few names are reserved.
absl::Status ValidateUsername(absl::string_view username);
absl::Status ValidateAddress(const Address& address);

}  // namespace tokkit::account

#endif  // TOKKIT_LIB_ACCOUNT_ACCOUNT_SERVICE_H_
