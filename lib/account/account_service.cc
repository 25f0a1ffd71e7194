#include "lib/account/account_service.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/account/totp.h"
#include "lib/core/crypto.h"
#include "lib/core/error_reason.h"
#include "lib/core/log.h"
#include "lib/core/media_type.h"
#include "lib/core/metrics.h"
#include "lib/core/status_macros.h"
#include "lib/core/validation.h"

namespace tokkit::account {
namespace {

constexpr size_t kMinPasswordChars = 8;
constexpr size_t kMaxPasswordChars = 128;
constexpr size_t kTotpSecretBytes = 20;  // 160 bits, RFC 4226's recommendation

// The most common leaked passwords of 8+ characters; NIST SP 800-63B asks to
// refuse known-compromised passwords rather than impose composition rules.
constexpr absl::string_view kCommonPasswords[] = {
    "password",  "12345678",    "123456789", "1234567890", "qwertyuiop",
    "password1", "11111111",    "iloveyou",  "sunshine",   "princess",
    "football",  "baseball",    "welcome1",  "abc12345",   "qwerty123",
    "1q2w3e4r",  "password123", "00000000",  "88888888",   "letmein1",
};

constexpr absl::string_view kReservedUsernames[] = {
    "admin", "administrator", "root", "system",   "support",  "tokkit",
    "api",   "www",           "help", "security", "official", "me",
};

absl::Status BadCredentials() {
  return WithReason(absl::UnauthenticatedError("invalid username or password"),
                    kReasonBadCredentials);
}

absl::Status Banned() {
  return WithReason(absl::PermissionDeniedError("account is banned"),
                    kReasonBanned);
}

absl::Status RequireAdmin(const Principal& p) {
  if (!p.is_admin()) {
    return absl::PermissionDeniedError("this operation needs the admin role");
  }
  return absl::OkStatus();
}

std::string AccountKey(absl::string_view login) {
  return absl::StrCat("acct:", login);
}

std::string SourceKey(absl::string_view source) {
  return absl::StrCat("src:", source.substr(0, 200));
}

// Phone numbers: digits with the usual separators, 5 to 20 characters.
bool IsPhone(absl::string_view s) {
  if (s.size() < 5 || s.size() > 20) return false;
  int digits = 0;
  for (char c : s) {
    if (absl::ascii_isdigit(c)) {
      ++digits;
    } else if (c != '+' && c != '-' && c != ' ' && c != '(' && c != ')') {
      return false;
    }
  }
  return digits >= 5;
}

}  // namespace

absl::Status ValidateUsername(absl::string_view username) {
  if (username.size() < 3 || username.size() > 32) {
    return absl::InvalidArgumentError("username must be 3 to 32 characters");
  }
  if (!absl::ascii_isalpha(username[0])) {
    return absl::InvalidArgumentError("username must start with a letter");
  }
  for (char c : username) {
    if (!absl::ascii_isalnum(c) && c != '_') {
      return absl::InvalidArgumentError(
          "username may contain only letters, digits and '_'");
    }
  }
  const std::string lower = absl::AsciiStrToLower(username);
  for (absl::string_view reserved : kReservedUsernames) {
    if (lower == reserved) {
      return absl::InvalidArgumentError(
          absl::StrCat("username '", lower, "' is reserved"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateAddress(const Address& a) {
  RETURN_IF_ERROR(ValidateText("recipient", a.recipient, 1, 100));
  if (!IsPhone(a.phone)) {
    return absl::InvalidArgumentError(
        "phone must be 5 to 20 characters of digits, spaces and + - ( )");
  }
  RETURN_IF_ERROR(ValidateText("line1", a.line1, 1, 200));
  RETURN_IF_ERROR(ValidateText("line2", a.line2, 0, 200));
  RETURN_IF_ERROR(ValidateText("city", a.city, 1, 100));
  RETURN_IF_ERROR(ValidateText("region", a.region, 0, 100));
  RETURN_IF_ERROR(ValidateText("postal_code", a.postal_code, 0, 20));
  if (a.country_code.size() != 2 || !absl::ascii_isupper(a.country_code[0]) ||
      !absl::ascii_isupper(a.country_code[1])) {
    return absl::InvalidArgumentError(
        "country_code must be an ISO 3166-1 alpha-2 code such as CN or US");
  }
  return absl::OkStatus();
}

namespace {
constexpr char kTopicAccessChanged[] = "account.access_changed";
}  // namespace

AccountService::AccountService(AccountDeps deps, AccountOptions options)
    : deps_(deps),
      options_(std::move(options)),
      access_cache_(deps_.clock, options_.access_cache_ttl) {
  if (deps_.events != nullptr) {
    access_subscription_ = deps_.events->Subscribe(
        "account.access_cache", kTopicAccessChanged, [this](const Event& e) {
          int64_t user_id = 0;
          if (absl::SimpleAtoi(e.key, &user_id)) {
            access_cache_.ForgetUser(user_id);
          }
          return absl::OkStatus();
        });
  }
}

AccountService::~AccountService() = default;

void AccountService::AccessChanged(int64_t user_id) {
  access_cache_.ForgetUser(user_id);
  if (deps_.publisher == nullptr) return;
  absl::StatusOr<int64_t> id = deps_.ids->Next();
  absl::Status st = id.status();
  if (st.ok()) {
    st = deps_.publisher->Publish(Event{*id, kTopicAccessChanged,
                                        absl::StrCat(user_id), "",
                                        deps_.clock->Now(), ""});
  }
  // The change itself committed; other replicas see it within the cache's
  // ttl even without the event.
  if (!st.ok()) {
    log::Warning("access_change_not_announced",
                 {{"user_id", user_id}, {"error", st}});
  }
}

absl::Status AccountService::ValidatePassword(absl::string_view password,
                                              absl::string_view username) {
  if (!IsValidUtf8(password)) {
    return absl::InvalidArgumentError("password is not valid UTF-8");
  }
  const size_t chars = Utf8Length(password);
  if (chars < kMinPasswordChars || chars > kMaxPasswordChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("password must be ", kMinPasswordChars, " to ",
                     kMaxPasswordChars, " characters"));
  }
  const std::string lower = absl::AsciiStrToLower(password);
  for (absl::string_view common : kCommonPasswords) {
    if (lower == common) {
      return absl::InvalidArgumentError(
          "password is too common; choose another");
    }
  }
  if (!username.empty() && absl::StrContains(lower, username)) {
    return absl::InvalidArgumentError("password must not contain the username");
  }
  if (std::all_of(password.begin(), password.end(),
                  [&](char c) { return c == password[0]; })) {
    return absl::InvalidArgumentError("password must not repeat one character");
  }
  return absl::OkStatus();
}

absl::StatusOr<User> AccountService::Register(const RegisterRequest& r) {
  RETURN_IF_ERROR(ValidateUsername(r.username));
  const std::string username = absl::AsciiStrToLower(r.username);
  RETURN_IF_ERROR(ValidateEmail("email", r.email));
  RETURN_IF_ERROR(ValidatePassword(r.password, username));
  NewUser n;
  n.display_name = r.display_name.empty() ? username : r.display_name;
  RETURN_IF_ERROR(ValidateText("display_name", n.display_name, 1, 50));
  ASSIGN_OR_RETURN(n.password_hash, deps_.hasher->Hash(r.password));
  ASSIGN_OR_RETURN(n.id, deps_.ids->Next());
  n.username = username;
  n.email = absl::AsciiStrToLower(r.email);
  n.now = deps_.clock->Now();
  // Uniqueness is the database's job (unique indexes): no check-then-insert.
  return deps_.users->Create(n);
}

absl::Status AccountService::CheckThrottle(absl::string_view key) {
  ASSIGN_OR_RETURN(ThrottleState state, deps_.throttle->Get(key));
  const absl::Time now = deps_.clock->Now();
  if (state.locked_until > now) {
    const int64_t wait = absl::ToInt64Seconds(
        absl::Ceil(state.locked_until - now, absl::Seconds(1)));
    return WithReason(
        absl::ResourceExhaustedError(absl::StrCat(
            "too many failed login attempts; try again in ", wait, " s")),
        kReasonThrottled);
  }
  return absl::OkStatus();
}

void AccountService::RecordFailure(absl::string_view key, int max_failures) {
  // A storage error here must not turn a wrong password into a different
  // error for the client; it is logged and counted instead.
  absl::Status st =
      deps_.throttle
          ->RecordFailure(key, deps_.clock->Now(), options_.throttle_window,
                          max_failures, options_.lockout)
          .status();
  if (!st.ok()) log::Warning("login_throttle_record_failed", {{"error", st}});
}

absl::StatusOr<UserRecord> AccountService::FindByLogin(
    absl::string_view login) {
  const std::string lower = absl::AsciiStrToLower(login);
  if (absl::StrContains(lower, "@")) return deps_.users->FindByEmail(lower);
  return deps_.users->FindByUsername(lower);
}

absl::StatusOr<int64_t> AccountService::VerifyTotp(const UserRecord& rec,
                                                   absl::string_view secret,
                                                   absl::string_view code) {
  const std::optional<int64_t> step =
      MatchTotp(secret, code, deps_.clock->Now());
  if (!step) {
    return WithReason(absl::UnauthenticatedError("invalid two-factor code"),
                      kReasonTotpInvalid);
  }
  if (*step <= rec.credentials.totp_last_step) {
    return WithReason(
        absl::UnauthenticatedError("two-factor code was already used"),
        kReasonTotpInvalid);
  }
  return *step;
}

absl::StatusOr<LoginResult> AccountService::Login(const LoginRequest& r) {
  absl::StatusOr<LoginResult> result = LoginUnmetered(r);
  std::string outcome = "ok";
  if (!result.ok()) {
    outcome = ReasonOf(result.status());
    if (outcome.empty()) {
      outcome = absl::AsciiStrToLower(
          absl::StatusCodeToString(result.status().code()));
    }
    log::Info("login_failed", {{"reason", outcome}});
  }
  metrics::GetCounter("tokkit_logins_total", "Login attempts, by outcome.",
                      {{"outcome", absl::AsciiStrToLower(outcome)}})
      .Increment();
  return result;
}

absl::StatusOr<LoginResult> AccountService::LoginUnmetered(
    const LoginRequest& r) {
  if (r.login.empty() || r.password.empty()) {
    return absl::InvalidArgumentError("login and password are required");
  }
  if (r.login.size() > 254 || r.password.size() > 4 * kMaxPasswordChars) {
    return BadCredentials();
  }
  const std::string account_key = AccountKey(absl::AsciiStrToLower(r.login));
  const std::string source_key = SourceKey(r.source);
  if (!r.source.empty()) RETURN_IF_ERROR(CheckThrottle(source_key));
  RETURN_IF_ERROR(CheckThrottle(account_key));
  auto fail = [&](absl::Status status) {
    RecordFailure(account_key, options_.account_max_failures);
    if (!r.source.empty())
      RecordFailure(source_key, options_.source_max_failures);
    return status;
  };

  absl::StatusOr<UserRecord> found = FindByLogin(r.login);
  if (!found.ok()) {
    if (found.status().code() != absl::StatusCode::kNotFound) {
      return found.status();
    }
    // Same time as a real check; a saturated hasher answers for itself.
    RETURN_IF_ERROR(deps_.hasher->VerifyDummy(r.password));
    return fail(BadCredentials());
  }
  UserRecord& rec = *found;
  ASSIGN_OR_RETURN(
      bool matches,
      deps_.hasher->Verify(r.password, rec.credentials.password_hash));
  if (!matches) return fail(BadCredentials());
  if (rec.user.status == UserStatus::kBanned) return Banned();

  if (rec.user.totp_enabled) {
    if (r.totp_code.empty()) {
      return WithReason(absl::UnauthenticatedError("two-factor code required"),
                        kReasonTotpRequired);
    }
    absl::StatusOr<int64_t> step =
        VerifyTotp(rec, rec.credentials.totp_secret, r.totp_code);
    if (!step.ok()) return fail(step.status());
    // The conditional update makes a replay lose even against a concurrent
    // login with the same code on another replica.
    ASSIGN_OR_RETURN(bool fresh,
                     deps_.users->ConsumeTotpStep(rec.user.id, *step));
    if (!fresh) {
      return fail(WithReason(
          absl::UnauthenticatedError("two-factor code was already used"),
          kReasonTotpInvalid));
    }
  }

  if (absl::Status st = deps_.throttle->Reset(account_key); !st.ok()) {
    log::Warning("login_throttle_reset_failed", {{"error", st}});
  }
  const absl::Time now = deps_.clock->Now();
  if (deps_.hasher->NeedsRehash(rec.credentials.password_hash)) {
    // Upgrade legacy bcrypt (or weaker argon2) hashes while we hold the
    // plaintext; failure only postpones the upgrade.
    absl::StatusOr<std::string> upgraded = deps_.hasher->Hash(r.password);
    if (upgraded.ok()) {
      absl::Status st =
          deps_.users->SetPasswordHash(rec.user.id, *upgraded, now);
      if (!st.ok()) log::Warning("password_rehash_failed", {{"error", st}});
    }
  }

  Session session;
  ASSIGN_OR_RETURN(session.id, deps_.ids->Next());
  session.user_id = rec.user.id;
  session.client = std::string(r.client.substr(0, 200));
  if (!IsValidUtf8(session.client)) session.client.clear();
  session.created_at = now;
  TokenPair tokens;
  const std::string refresh_hash = MintRefreshToken(&tokens);
  SignAccessToken(rec.user.id, session.id, &tokens);
  RETURN_IF_ERROR(deps_.sessions->Create(
      session,
      {refresh_hash, session.id, rec.user.id, tokens.refresh_expires_at}));
  LoginResult result;
  result.user = std::move(rec.user);
  result.principal = {result.user.id, session.id, result.user.role};
  result.tokens = std::move(tokens);
  return result;
}

std::string AccountService::MintRefreshToken(TokenPair* pair) {
  pair->refresh_token = RandomToken(32);
  pair->refresh_expires_at = deps_.clock->Now() + options_.refresh_token_ttl;
  return Sha256Hex(pair->refresh_token);  // only the hash is stored
}

void AccountService::SignAccessToken(int64_t user_id, int64_t session_id,
                                     TokenPair* pair) {
  const absl::Time now = deps_.clock->Now();
  pair->access_expires_at = now + options_.access_token_ttl;
  pair->access_token =
      deps_.tokens->Sign({user_id, session_id, now, pair->access_expires_at});
}

absl::StatusOr<TokenPair> AccountService::Refresh(
    absl::string_view refresh_token) {
  if (refresh_token.empty() || refresh_token.size() > 256) {
    return absl::InvalidArgumentError("refresh_token is required");
  }
  // The session id is only known after Rotate; the access token is signed
  // once it is.
  const absl::Time now = deps_.clock->Now();
  TokenPair pair;
  const std::string next_hash = MintRefreshToken(&pair);
  ASSIGN_OR_RETURN(
      SessionRepository::RotateResult rotated,
      deps_.sessions->Rotate(Sha256Hex(refresh_token),
                             {next_hash, 0, 0, pair.refresh_expires_at}, now));
  using Outcome = SessionRepository::RotateOutcome;
  switch (rotated.outcome) {
    case Outcome::kRotated:
      break;
    case Outcome::kUnknown:
      return absl::UnauthenticatedError("unknown refresh token");
    case Outcome::kExpired:
      return absl::UnauthenticatedError("refresh token expired; log in again");
    case Outcome::kRevoked:
      return absl::UnauthenticatedError("session was revoked; log in again");
    case Outcome::kReused:
      // The rotation revoked the session.
      if (rotated.session.user_id > 0) AccessChanged(rotated.session.user_id);
      return WithReason(
          absl::UnauthenticatedError(
              "refresh token was already used; the session has been revoked"),
          kReasonRefreshReused);
  }
  ASSIGN_OR_RETURN(AccessState state,
                   deps_.sessions->LoadAccessState(rotated.session.user_id,
                                                   rotated.session.id));
  if (state.status == UserStatus::kBanned) return Banned();
  SignAccessToken(rotated.session.user_id, rotated.session.id, &pair);
  return pair;
}

absl::Status AccountService::Logout(const Principal& caller) {
  RETURN_IF_ERROR(deps_.sessions->Revoke(caller.user_id, caller.session_id,
                                         deps_.clock->Now()));
  AccessChanged(caller.user_id);
  return absl::OkStatus();
}

absl::Status AccountService::LogoutEverywhere(const Principal& caller) {
  RETURN_IF_ERROR(
      deps_.sessions->RevokeAll(caller.user_id, deps_.clock->Now()));
  AccessChanged(caller.user_id);
  return absl::OkStatus();
}

absl::StatusOr<Principal> AccountService::Authenticate(
    absl::string_view access_token) {
  ASSIGN_OR_RETURN(AccessClaims claims, deps_.tokens->Verify(access_token));
  std::optional<AccessState> state =
      access_cache_.Get(claims.user_id, claims.session_id);
  if (!state) {
    const uint64_t stamp = access_cache_.Stamp();
    absl::StatusOr<AccessState> loaded =
        deps_.sessions->LoadAccessState(claims.user_id, claims.session_id);
    if (loaded.status().code() == absl::StatusCode::kNotFound) {
      return absl::UnauthenticatedError("invalid access token: unknown user");
    }
    RETURN_IF_ERROR(loaded.status());
    access_cache_.Put(claims.user_id, claims.session_id, *loaded, stamp);
    state = *loaded;
  }
  if (state->status == UserStatus::kBanned) return Banned();
  if (!state->session_live) {
    return absl::UnauthenticatedError("session was revoked; log in again");
  }
  // The role comes from the database, so a role change applies at once.
  return Principal{claims.user_id, claims.session_id, state->role};
}

absl::StatusOr<std::vector<User>> AccountService::GetUsers(
    const std::vector<int64_t>& ids) {
  ASSIGN_OR_RETURN(std::vector<User> users, deps_.users->FindByIds(ids));
  for (User& u : users) u.email.clear();
  return users;
}

absl::StatusOr<User> AccountService::GetUser(const Principal& viewer,
                                             int64_t user_id) {
  RETURN_IF_ERROR(ValidatePositiveId("user_id", user_id));
  ASSIGN_OR_RETURN(UserRecord rec, deps_.users->FindById(user_id));
  if (viewer.user_id != user_id && !viewer.is_admin()) rec.user.email.clear();
  return rec.user;
}

absl::StatusOr<User> AccountService::UpdateProfile(
    const Principal& caller, const ProfileUpdate& update) {
  if (!update.display_name && !update.bio) {
    return absl::InvalidArgumentError("nothing to update");
  }
  if (update.display_name) {
    RETURN_IF_ERROR(ValidateText("display_name", *update.display_name, 1, 50));
  }
  if (update.bio) {
    RETURN_IF_ERROR(
        ValidateText("bio", *update.bio, 0, 300, /*multiline=*/true));
  }
  return deps_.users->UpdateProfile(caller.user_id, update, deps_.clock->Now());
}

absl::StatusOr<User> AccountService::SetAvatar(const Principal& caller,
                                               absl::string_view image) {
  if (image.empty()) return absl::InvalidArgumentError("avatar image is empty");
  if (static_cast<int64_t>(image.size()) > options_.avatar_max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "avatar is larger than ", options_.avatar_max_bytes, " bytes"));
  }
  const MediaType type = SniffMediaType(image.substr(0, 16));
  if (!IsImage(type)) {
    return absl::InvalidArgumentError(
        "avatar must be a JPEG, PNG, WebP or GIF image");
  }
  ASSIGN_OR_RETURN(const int64_t blob_id, deps_.ids->Next());
  const std::string key = absl::StrCat("avatars/", caller.user_id, "/", blob_id,
                                       ".", FileExtension(type));
  if (deps_.pending_blobs != nullptr) {
    RETURN_IF_ERROR(deps_.pending_blobs->Expect(key));  // crash-safe cleanup
  }
  RETURN_IF_ERROR(deps_.blobs->Put(key, image));
  absl::StatusOr<std::string> previous =
      deps_.users->SetAvatar(caller.user_id, key, deps_.clock->Now());
  if (!previous.ok()) {
    // The janitor deletes it later if this fails.
    if (absl::Status st = deps_.blobs->Delete(key); !st.ok()) {
      log::Warning("blob_delete_failed", {{"key", key}, {"error", st}});
    }
    return previous.status();
  }
  // The repository released the previous blob to the janitor in the same
  // transaction; deleting it now only saves the wait.
  if (!previous->empty()) {
    if (absl::Status st = deps_.blobs->Delete(*previous); !st.ok()) {
      log::Warning("blob_delete_failed", {{"key", *previous}, {"error", st}});
    }
  }
  ASSIGN_OR_RETURN(UserRecord rec, deps_.users->FindById(caller.user_id));
  return rec.user;
}

absl::StatusOr<Avatar> AccountService::GetAvatar(int64_t user_id) {
  RETURN_IF_ERROR(ValidatePositiveId("user_id", user_id));
  ASSIGN_OR_RETURN(UserRecord rec, deps_.users->FindById(user_id));
  if (rec.user.avatar_key.empty()) {
    return absl::NotFoundError("user has no avatar");
  }
  Avatar avatar;
  ASSIGN_OR_RETURN(avatar.data, deps_.blobs->Read(rec.user.avatar_key));
  avatar.mime_type =
      std::string(MimeType(SniffMediaType(avatar.data.substr(0, 16))));
  return avatar;
}

absl::Status AccountService::ChangePassword(const Principal& caller,
                                            absl::string_view current_password,
                                            absl::string_view new_password) {
  ASSIGN_OR_RETURN(UserRecord rec, deps_.users->FindById(caller.user_id));
  ASSIGN_OR_RETURN(
      bool matches,
      deps_.hasher->Verify(current_password, rec.credentials.password_hash));
  if (!matches) {
    return WithReason(
        absl::UnauthenticatedError("current password is incorrect"),
        kReasonBadCredentials);
  }
  RETURN_IF_ERROR(ValidatePassword(new_password, rec.user.username));
  ASSIGN_OR_RETURN(std::string hash, deps_.hasher->Hash(new_password));
  const absl::Time now = deps_.clock->Now();
  RETURN_IF_ERROR(deps_.users->SetPasswordHash(caller.user_id, hash, now));
  RETURN_IF_ERROR(deps_.sessions->RevokeAll(caller.user_id, now));
  AccessChanged(caller.user_id);
  return absl::OkStatus();
}

absl::StatusOr<TotpEnrollment> AccountService::BeginTotpEnrollment(
    const Principal& caller) {
  ASSIGN_OR_RETURN(UserRecord rec, deps_.users->FindById(caller.user_id));
  if (rec.user.totp_enabled) {
    return absl::FailedPreconditionError(
        "two-factor is already on; disable it first to enrol a new device");
  }
  const std::string secret = RandomBytes(kTotpSecretBytes);
  RETURN_IF_ERROR(
      deps_.users->SetPendingTotp(caller.user_id, secret, deps_.clock->Now()));
  TotpEnrollment e;
  e.secret_base32 = Base32Encode(secret);
  e.otpauth_uri = OtpauthUri(options_.totp_issuer, rec.user.username, secret);
  ASSIGN_OR_RETURN(e.qr_png, QrPng(e.otpauth_uri));
  return e;
}

absl::Status AccountService::ConfirmTotp(const Principal& caller,
                                         absl::string_view code) {
  ASSIGN_OR_RETURN(UserRecord rec, deps_.users->FindById(caller.user_id));
  if (rec.user.totp_enabled) {
    return absl::FailedPreconditionError("two-factor is already on");
  }
  if (rec.credentials.totp_pending_secret.empty()) {
    return absl::FailedPreconditionError(
        "no two-factor enrolment in progress; begin one first");
  }
  ASSIGN_OR_RETURN(int64_t step,
                   VerifyTotp(rec, rec.credentials.totp_pending_secret, code));
  return deps_.users->EnableTotp(caller.user_id, step, deps_.clock->Now());
}

absl::Status AccountService::DisableTotp(const Principal& caller,
                                         absl::string_view code) {
  ASSIGN_OR_RETURN(UserRecord rec, deps_.users->FindById(caller.user_id));
  if (!rec.user.totp_enabled) {
    return absl::FailedPreconditionError("two-factor is not on");
  }
  ASSIGN_OR_RETURN(int64_t step,
                   VerifyTotp(rec, rec.credentials.totp_secret, code));
  ASSIGN_OR_RETURN(bool fresh,
                   deps_.users->ConsumeTotpStep(caller.user_id, step));
  if (!fresh) {
    return WithReason(
        absl::UnauthenticatedError("two-factor code was already used"),
        kReasonTotpInvalid);
  }
  return deps_.users->DisableTotp(caller.user_id, deps_.clock->Now());
}

absl::StatusOr<User> AccountService::SetRole(const Principal& admin,
                                             int64_t user_id, Role role) {
  RETURN_IF_ERROR(RequireAdmin(admin));
  RETURN_IF_ERROR(ValidatePositiveId("user_id", user_id));
  if (user_id == admin.user_id && role != Role::kAdmin) {
    return absl::FailedPreconditionError("admins cannot demote themselves");
  }
  RETURN_IF_ERROR(deps_.users->SetRole(user_id, role, deps_.clock->Now()));
  AccessChanged(user_id);
  ASSIGN_OR_RETURN(UserRecord rec, deps_.users->FindById(user_id));
  return rec.user;
}

absl::StatusOr<User> AccountService::Ban(const Principal& admin,
                                         int64_t user_id) {
  RETURN_IF_ERROR(RequireAdmin(admin));
  RETURN_IF_ERROR(ValidatePositiveId("user_id", user_id));
  if (user_id == admin.user_id) {
    return absl::FailedPreconditionError("admins cannot ban themselves");
  }
  ASSIGN_OR_RETURN(UserRecord target, deps_.users->FindById(user_id));
  if (target.user.role == Role::kAdmin) {
    return absl::FailedPreconditionError("demote an admin before banning them");
  }
  const absl::Time now = deps_.clock->Now();
  RETURN_IF_ERROR(deps_.users->SetStatus(user_id, UserStatus::kBanned, now));
  AccessChanged(user_id);
  // Access tokens already fail on status; revoking sessions also kills the
  // refresh tokens, so an unban does not revive old sessions.
  RETURN_IF_ERROR(deps_.sessions->RevokeAll(user_id, now));
  ASSIGN_OR_RETURN(UserRecord rec, deps_.users->FindById(user_id));
  return rec.user;
}

absl::StatusOr<User> AccountService::Unban(const Principal& admin,
                                           int64_t user_id) {
  RETURN_IF_ERROR(RequireAdmin(admin));
  RETURN_IF_ERROR(ValidatePositiveId("user_id", user_id));
  RETURN_IF_ERROR(
      deps_.users->SetStatus(user_id, UserStatus::kActive, deps_.clock->Now()));
  AccessChanged(user_id);
  ASSIGN_OR_RETURN(UserRecord rec, deps_.users->FindById(user_id));
  return rec.user;
}

absl::Status AccountService::GrantAdmin(absl::string_view username) {
  ASSIGN_OR_RETURN(UserRecord rec, deps_.users->FindByUsername(
                                       absl::AsciiStrToLower(username)));
  RETURN_IF_ERROR(
      deps_.users->SetRole(rec.user.id, Role::kAdmin, deps_.clock->Now()));
  AccessChanged(rec.user.id);
  return absl::OkStatus();
}

absl::StatusOr<Address> AccountService::AddAddress(const Principal& caller,
                                                   Address address) {
  RETURN_IF_ERROR(ValidateAddress(address));
  ASSIGN_OR_RETURN(address.id, deps_.ids->Next());
  address.user_id = caller.user_id;
  address.created_at = address.updated_at = deps_.clock->Now();
  return deps_.addresses->Create(address, options_.max_addresses_per_user);
}

absl::StatusOr<std::vector<Address>> AccountService::ListAddresses(
    const Principal& caller) {
  return deps_.addresses->List(caller.user_id);
}

absl::StatusOr<Address> AccountService::GetAddress(const Principal& caller,
                                                   int64_t address_id) {
  RETURN_IF_ERROR(ValidatePositiveId("address_id", address_id));
  return deps_.addresses->Get(caller.user_id, address_id);
}

absl::StatusOr<Address> AccountService::UpdateAddress(const Principal& caller,
                                                      Address address) {
  RETURN_IF_ERROR(ValidatePositiveId("address_id", address.id));
  RETURN_IF_ERROR(ValidateAddress(address));
  address.user_id = caller.user_id;  // the caller's own, never another's
  address.updated_at = deps_.clock->Now();
  return deps_.addresses->Update(address);
}

absl::Status AccountService::DeleteAddress(const Principal& caller,
                                           int64_t address_id) {
  RETURN_IF_ERROR(ValidatePositiveId("address_id", address_id));
  return deps_.addresses->Delete(caller.user_id, address_id);
}

}  // namespace tokkit::account
