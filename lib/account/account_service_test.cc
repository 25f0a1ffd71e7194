// Rules of the account service, on every SQL backend, with a simulated clock.
#include "lib/account/account_service.h"

#include <soci/soci.h>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "lib/account/totp.h"
#include "lib/core/crypto.h"
#include "lib/core/error_reason.h"
#include "lib/platform/testing/test_platform.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit::account {
namespace {

using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;
using ::tokkit::testing::TestPlatform;

constexpr char kPassword[] = "blue-kettle-42";
const std::string kPng = std::string("\x89PNG\r\n\x1A\n", 8) + "pixels";

class AccountServiceTest
    : public ::testing::TestWithParam<::tokkit::testing::StorageUnderTest> {
 protected:
  void SetUp() override {
    auto t = TestPlatform::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status();
    tp_ = std::move(*t);
  }

  AccountService& svc() { return tp_->platform().accounts(); }
  SimulatedClock& clock() { return tp_->clock(); }

  User Register(const std::string& name) {
    absl::StatusOr<User> u =
        svc().Register({name, name + "@example.com", kPassword, ""});
    EXPECT_TRUE(u.ok()) << u.status();
    return u.value_or(User{});
  }

  LoginResult Login(const std::string& name, const std::string& code = "") {
    absl::StatusOr<LoginResult> r =
        svc().Login({name, kPassword, code, "10.0.0.1", "test"});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.value_or(LoginResult{});
  }

  Principal Admin() {
    Register("root_admin");
    EXPECT_TRUE(svc().GrantAdmin("root_admin").ok());
    return Login("root_admin").principal;
  }

  // Turns two-factor on for `p` and returns the raw secret.
  std::string EnableTotp(const Principal& p) {
    absl::StatusOr<TotpEnrollment> e = svc().BeginTotpEnrollment(p);
    EXPECT_TRUE(e.ok()) << e.status();
    const std::string secret = *Base32Decode(e->secret_base32);
    EXPECT_TRUE(svc().ConfirmTotp(p, Code(secret)).ok());
    return secret;
  }

  std::string Code(const std::string& secret, int step_offset = 0) {
    return TotpCode(secret, TotpStep(clock().Now()) + step_offset);
  }

  std::unique_ptr<TestPlatform> tp_;
};

TEST_P(AccountServiceTest, RegisterValidatesInput) {
  struct Case {
    RegisterRequest req;
    const char* message_part;
  };
  const Case cases[] = {
      {{"ab", "a@b.co", kPassword, ""}, "3 to 32"},
      {{"9lives", "a@b.co", kPassword, ""}, "start with a letter"},
      {{"bad-name", "a@b.co", kPassword, ""}, "letters, digits"},
      {{"Admin", "a@b.co", kPassword, ""}, "reserved"},
      {{"alice", "not-an-email", kPassword, ""}, "email"},
      {{"alice", "a@b.co", "short", ""}, "8 to 128"},
      {{"alice", "a@b.co", "Password", ""}, "too common"},
      {{"alice", "a@b.co", "xxalice123", ""}, "username"},
      {{"alice", "a@b.co", "zzzzzzzzzz", ""}, "repeat"},
      {{"alice", "a@b.co", kPassword, std::string(51, 'x')}, "display_name"},
      {{"alice", "a@b.co", kPassword, "bad\x01name"}, "display_name"},
  };
  for (const Case& c : cases) {
    absl::Status st = svc().Register(c.req).status();
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.req.username;
    EXPECT_TRUE(absl::StrContains(st.message(), c.message_part))
        << st << " for " << c.req.username;
  }
}

TEST_P(AccountServiceTest, UsernamesAndEmailsAreUniqueIgnoringCase) {
  User alice = Register("Alice");
  EXPECT_EQ(alice.username, "alice");
  EXPECT_EQ(alice.display_name, "alice");
  EXPECT_EQ(
      svc().Register({"ALICE", "x@example.com", kPassword, ""}).status().code(),
      absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(svc()
                .Register({"alice2", "Alice@Example.com", kPassword, ""})
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_P(AccountServiceTest, LoginByUsernameOrEmailAndAuthenticate) {
  User alice = Register("alice");
  LoginResult by_name = Login("alice");
  LoginResult by_email = Login("ALICE@example.com");
  EXPECT_EQ(by_name.user.id, alice.id);
  EXPECT_EQ(by_email.user.id, alice.id);
  EXPECT_NE(by_name.principal.session_id, by_email.principal.session_id);
  absl::StatusOr<Principal> p = svc().Authenticate(by_name.tokens.access_token);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->user_id, alice.id);
  EXPECT_EQ(p->role, Role::kUser);
  EXPECT_EQ(by_name.tokens.access_expires_at,
            clock().Now() + absl::Minutes(15));
}

TEST_P(AccountServiceTest, WrongPasswordAndUnknownUserLookTheSame) {
  Register("alice");
  absl::Status wrong =
      svc().Login({"alice", "wrong-password", "", "", ""}).status();
  absl::Status unknown =
      svc().Login({"nobody", "wrong-password", "", "", ""}).status();
  EXPECT_EQ(wrong.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong, unknown);
  EXPECT_EQ(ReasonOf(wrong), kReasonBadCredentials);
  EXPECT_EQ(svc().Login({"", "", "", "", ""}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(AccountServiceTest, AccessTokensExpire) {
  Register("alice");
  LoginResult r = Login("alice");
  clock().Advance(absl::Minutes(15));
  EXPECT_EQ(svc().Authenticate(r.tokens.access_token).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(svc().Authenticate("garbage").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_P(AccountServiceTest, AccountLocksAfterRepeatedFailuresThenRecovers) {
  Register("alice");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        svc().Login({"alice", "wrong-password", "", "", ""}).status().code(),
        absl::StatusCode::kUnauthenticated);
  }
  // Locked: even the right password is refused, with a clear reason.
  absl::Status locked = svc().Login({"alice", kPassword, "", "", ""}).status();
  EXPECT_EQ(locked.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ReasonOf(locked), kReasonThrottled);
  EXPECT_TRUE(absl::StrContains(locked.message(), "try again in 900 s"))
      << locked;
  clock().Advance(absl::Minutes(15) + absl::Seconds(1));
  EXPECT_TRUE(svc().Login({"alice", kPassword, "", "", ""}).ok());
  // Success reset the count: four more failures do not lock.
  for (int i = 0; i < 4; ++i) {
    (void)svc().Login({"alice", "wrong-password", "", "", ""});
  }
  EXPECT_TRUE(svc().Login({"alice", kPassword, "", "", ""}).ok());
}

TEST_P(AccountServiceTest, SourceSprayingManyAccountsIsThrottled) {
  auto t = TestPlatform::Create(GetParam(), [](PlatformConfig& c) {
    c.accounts.source_max_failures = 6;
  });
  ASSERT_TRUE(t.ok()) << t.status();
  AccountService& svc = (*t)->platform().accounts();
  ASSERT_TRUE(svc.Register({"victim", "v@example.com", kPassword, ""}).ok());
  for (int i = 0; i < 6; ++i) {
    (void)svc.Login(
        {"user" + std::to_string(i), "guess-123", "", "6.6.6.6", ""});
  }
  EXPECT_EQ(svc.Login({"victim", kPassword, "", "6.6.6.6", ""}).status().code(),
            absl::StatusCode::kResourceExhausted);
  // Another source is unaffected.
  EXPECT_TRUE(svc.Login({"victim", kPassword, "", "7.7.7.7", ""}).ok());
}

TEST_P(AccountServiceTest, RefreshRotatesAndReuseRevokesTheSession) {
  Register("alice");
  LoginResult r = Login("alice");
  clock().Advance(absl::Minutes(20));  // access token has expired
  absl::StatusOr<TokenPair> next = svc().Refresh(r.tokens.refresh_token);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_NE(next->refresh_token, r.tokens.refresh_token);
  ASSERT_TRUE(svc().Authenticate(next->access_token).ok());

  // The old refresh token was single use: presenting it again is treated as
  // theft, and the whole session (including the fresh tokens) dies.
  absl::Status reuse = svc().Refresh(r.tokens.refresh_token).status();
  EXPECT_EQ(reuse.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ReasonOf(reuse), kReasonRefreshReused);
  EXPECT_EQ(svc().Authenticate(next->access_token).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(svc().Refresh(next->refresh_token).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(svc().Refresh("").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(svc().Refresh("unknown").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_P(AccountServiceTest, RefreshTokensExpire) {
  Register("alice");
  LoginResult r = Login("alice");
  clock().Advance(absl::Hours(24 * 30) + absl::Seconds(1));
  absl::Status st = svc().Refresh(r.tokens.refresh_token).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(st.message(), "expired"));
}

TEST_P(AccountServiceTest, LogoutKillsThatSessionOnlyAndAtOnce) {
  Register("alice");
  LoginResult phone = Login("alice");
  LoginResult laptop = Login("alice");
  ASSERT_TRUE(svc().Logout(phone.principal).ok());
  EXPECT_EQ(svc().Authenticate(phone.tokens.access_token).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(svc().Refresh(phone.tokens.refresh_token).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(svc().Authenticate(laptop.tokens.access_token).ok());
  ASSERT_TRUE(svc().LogoutEverywhere(laptop.principal).ok());
  EXPECT_FALSE(svc().Authenticate(laptop.tokens.access_token).ok());
}

TEST_P(AccountServiceTest, TotpIsEnforcedAtLoginAndCodesAreSingleUse) {
  Register("alice");
  Principal p = Login("alice").principal;
  absl::StatusOr<TotpEnrollment> e = svc().BeginTotpEnrollment(p);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_TRUE(
      absl::StartsWith(e->otpauth_uri, "otpauth://totp/tokkit:alice?secret="));
  EXPECT_TRUE(absl::StartsWith(e->qr_png, "\x89PNG"));
  const std::string secret = *Base32Decode(e->secret_base32);
  EXPECT_EQ(secret.size(), 20u);

  // Not on until confirmed.
  EXPECT_TRUE(svc().Login({"alice", kPassword, "", "", ""}).ok());
  EXPECT_EQ(svc().ConfirmTotp(p, "000000").code(),
            absl::StatusCode::kUnauthenticated);
  ASSERT_TRUE(svc().ConfirmTotp(p, Code(secret)).ok());
  EXPECT_TRUE(svc().GetUser(p, p.user_id)->totp_enabled);
  EXPECT_EQ(svc().BeginTotpEnrollment(p).status().code(),
            absl::StatusCode::kFailedPrecondition);

  // Password alone no longer logs in.
  absl::Status no_code = svc().Login({"alice", kPassword, "", "", ""}).status();
  EXPECT_EQ(no_code.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ReasonOf(no_code), kReasonTotpRequired);
  absl::Status bad_code =
      svc().Login({"alice", kPassword, "123456", "", ""}).status();
  EXPECT_EQ(bad_code.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ReasonOf(bad_code), kReasonTotpInvalid);
  // The code used to confirm cannot log in (same window: replay).
  EXPECT_FALSE(svc().Login({"alice", kPassword, Code(secret), "", ""}).ok());

  clock().Advance(absl::Seconds(30));
  const std::string code = Code(secret);
  EXPECT_TRUE(svc().Login({"alice", kPassword, code, "", ""}).ok());
  absl::Status replay =
      svc().Login({"alice", kPassword, code, "", ""}).status();
  EXPECT_EQ(replay.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(replay.message(), "already used")) << replay;

  // Disabling needs a fresh valid code.
  clock().Advance(absl::Seconds(30));
  EXPECT_EQ(svc().DisableTotp(p, "999999").code(),
            absl::StatusCode::kUnauthenticated);
  ASSERT_TRUE(svc().DisableTotp(p, Code(secret)).ok());
  EXPECT_TRUE(svc().Login({"alice", kPassword, "", "", ""}).ok());
}

TEST_P(AccountServiceTest, AuthenticationReusesAccessStateForItsTtlOnly) {
  User bob = Register("bob");
  LoginResult session = Login("bob");
  ASSERT_TRUE(svc().Authenticate(session.tokens.access_token).ok());
  // A ban written behind the service's back (no event, no local drop):
  // served from the cache until the ttl runs out, then seen.
  Repositories other = tp_->platform().storage().NewRepositories();
  ASSERT_TRUE(
      other.users->SetStatus(bob.id, UserStatus::kBanned, clock().Now()).ok());
  EXPECT_TRUE(svc().Authenticate(session.tokens.access_token).ok());
  clock().Advance(tp_->config().accounts.access_cache_ttl);
  EXPECT_EQ(svc().Authenticate(session.tokens.access_token).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_P(AccountServiceTest, BanAndLogoutReachAnotherReplicaWithinASecond) {
  Principal admin = Admin();
  Register("bob");
  Register("carol");
  LoginResult bob = Login("bob");
  LoginResult carol = Login("carol");
  PlatformConfig second = tp_->config();
  second.worker_id = 2;
  auto replica = Platform::Open(second);
  ASSERT_TRUE(replica.ok()) << replica.status();
  AccountService& far = (*replica)->accounts();
  ASSERT_TRUE(far.Authenticate(bob.tokens.access_token).ok());
  ASSERT_TRUE(far.Authenticate(carol.tokens.access_token).ok());

  // Neither clock moves: only the announcement can end the cached state.
  auto refused_within = [&](const std::string& token, absl::Duration bound) {
    const absl::Time start = absl::Now();
    while (absl::Now() - start < bound) {
      if (!far.Authenticate(token).ok()) return true;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return false;
  };
  ASSERT_TRUE(svc().Ban(admin, bob.principal.user_id).ok());
  EXPECT_TRUE(refused_within(bob.tokens.access_token, absl::Seconds(1)));
  ASSERT_TRUE(svc().Logout(carol.principal).ok());
  EXPECT_TRUE(refused_within(carol.tokens.access_token, absl::Seconds(1)));
}

TEST_P(AccountServiceTest, BanTakesEffectOnTheNextRequest) {
  Principal admin = Admin();
  User bob = Register("bob");
  LoginResult session = Login("bob");
  ASSERT_TRUE(svc().Authenticate(session.tokens.access_token).ok());

  EXPECT_EQ(svc().Ban(session.principal, admin.user_id).status().code(),
            absl::StatusCode::kPermissionDenied);  // not an admin
  absl::StatusOr<User> banned = svc().Ban(admin, bob.id);
  ASSERT_TRUE(banned.ok()) << banned.status();
  EXPECT_EQ(banned->status, UserStatus::kBanned);

  // The still-unexpired token stops working immediately.
  absl::Status st = svc().Authenticate(session.tokens.access_token).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(st), kReasonBanned);
  EXPECT_EQ(svc().Login({"bob", kPassword, "", "", ""}).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(svc().Refresh(session.tokens.refresh_token).ok());

  ASSERT_TRUE(svc().Unban(admin, bob.id).ok());
  EXPECT_TRUE(svc().Login({"bob", kPassword, "", "", ""}).ok());
  // Old sessions stay dead after an unban.
  EXPECT_FALSE(svc().Authenticate(session.tokens.access_token).ok());

  EXPECT_EQ(svc().Ban(admin, admin.user_id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(svc().Ban(admin, 123456789).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(svc().Ban(admin, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(AccountServiceTest, RoleChangesApplyToExistingTokens) {
  Principal admin = Admin();
  User shop = Register("shopkeeper");
  LoginResult r = Login("shopkeeper");
  EXPECT_EQ(
      svc().SetRole(r.principal, shop.id, Role::kMerchant).status().code(),
      absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(svc().SetRole(admin, shop.id, Role::kMerchant).ok());
  EXPECT_EQ(svc().Authenticate(r.tokens.access_token)->role, Role::kMerchant);
  EXPECT_EQ(svc().SetRole(admin, admin.user_id, Role::kUser).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(svc().GrantAdmin("nobody").code(), absl::StatusCode::kNotFound);
}

TEST_P(AccountServiceTest, ProfilesHideEmailFromOthers) {
  Principal admin = Admin();
  User alice = Register("alice");
  Principal bob = (Register("bob"), Login("bob").principal);
  EXPECT_EQ(svc().GetUser(bob, alice.id)->email, "");
  EXPECT_EQ(svc().GetUser(admin, alice.id)->email, "alice@example.com");
  Principal alice_p = Login("alice").principal;
  EXPECT_EQ(svc().GetUser(alice_p, alice.id)->email, "alice@example.com");
  EXPECT_EQ(svc().GetUser(bob, 42).status().code(),
            absl::StatusCode::kNotFound);

  ProfileUpdate up;
  up.display_name = "Alice 🌸";
  up.bio = "line one\nline two";
  absl::StatusOr<User> u = svc().UpdateProfile(alice_p, up);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->display_name, "Alice 🌸");
  EXPECT_EQ(svc().UpdateProfile(alice_p, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  ProfileUpdate too_long;
  too_long.bio = std::string(301, 'b');
  EXPECT_EQ(svc().UpdateProfile(alice_p, too_long).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(svc().GetUser(alice_p, alice.id)->bio, "line one\nline two");
}

TEST_P(AccountServiceTest, AvatarsAreCheckedStoredAndReplaced) {
  Register("alice");
  Principal p = Login("alice").principal;
  EXPECT_EQ(svc().SetAvatar(p, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(svc().SetAvatar(p, "<svg onload=alert(1)>").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      svc().SetAvatar(p, std::string(2 << 20, '\xFF') + "x").status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(svc().GetAvatar(p.user_id).status().code(),
            absl::StatusCode::kNotFound);

  absl::StatusOr<User> u = svc().SetAvatar(p, kPng);
  ASSERT_TRUE(u.ok()) << u.status();
  const std::string first_key = u->avatar_key;
  EXPECT_TRUE(absl::EndsWith(first_key, ".png"));
  absl::StatusOr<Avatar> a = svc().GetAvatar(p.user_id);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->data, kPng);
  EXPECT_EQ(a->mime_type, "image/png");

  const std::string jpeg = "\xFF\xD8\xFF\xE0 jpeg body";
  ASSERT_TRUE(svc().SetAvatar(p, jpeg).ok());
  EXPECT_EQ(svc().GetAvatar(p.user_id)->mime_type, "image/jpeg");
  // The replaced blob is gone.
  EXPECT_EQ(tp_->platform().blobs().Read(first_key).status().code(),
            absl::StatusCode::kNotFound);
  // It was also released to the janitor in the same transaction, so a crash
  // before the inline delete would not have leaked it; the new one is owned.
  EXPECT_EQ(*tp_->platform().blob_janitor().Sweep(), 1);
  clock().Advance(absl::Hours(2));
  EXPECT_EQ(*tp_->platform().blob_janitor().Sweep(), 0);
  EXPECT_EQ(svc().GetAvatar(p.user_id)->data, jpeg);
}

TEST_P(AccountServiceTest, ChangePasswordRevokesEverySession) {
  Register("alice");
  LoginResult r = Login("alice");
  EXPECT_EQ(svc().ChangePassword(r.principal, "wrong", "new-pass-2026").code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(svc().ChangePassword(r.principal, kPassword, "short").code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(
      svc().ChangePassword(r.principal, kPassword, "new-pass-2026").ok());
  EXPECT_FALSE(svc().Authenticate(r.tokens.access_token).ok());
  EXPECT_FALSE(svc().Login({"alice", kPassword, "", "", ""}).ok());
  EXPECT_TRUE(svc().Login({"alice", "new-pass-2026", "", "", ""}).ok());
}

TEST_P(AccountServiceTest, LegacyBcryptHashIsUpgradedOnLogin) {
  User u = Register("legacy");
  // As imported from the Go service: bcrypt of "correct horse".
  const std::string bcrypt =
      "$2b$04$abcdefghijklmnopqrstuujydOTSfIH/d5oUHpsygqV5X9xJLQc6e";
  ASSERT_TRUE(tp_->platform()
                  .database()
                  .Run([&](soci::session& sql) {
                    sql << "UPDATE users SET password_hash = :h WHERE id = :id",
                        soci::use(bcrypt), soci::use(u.id);
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(svc().Login({"legacy", "correct horse", "", "", ""}).ok());
  std::string stored;
  ASSERT_TRUE(tp_->platform()
                  .database()
                  .Run([&](soci::session& sql) {
                    sql << "SELECT password_hash FROM users WHERE id = :id",
                        soci::use(u.id), soci::into(stored);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_TRUE(absl::StartsWith(stored, "$argon2id$")) << stored;
  EXPECT_TRUE(svc().Login({"legacy", "correct horse", "", "", ""}).ok());
}

TEST_P(AccountServiceTest, AddressesBelongToTheirOwner) {
  Register("alice");
  Register("bob");
  Principal alice = Login("alice").principal;
  Principal bob = Login("bob").principal;
  Address a;
  a.recipient = "Alice";
  a.phone = "+86 138 0000 0000";
  a.line1 = "88 West Lake Rd";
  a.city = "Hangzhou";
  a.country_code = "CN";
  absl::StatusOr<Address> created = svc().AddAddress(alice, a);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->is_default);
  EXPECT_EQ(created->user_id, alice.user_id);

  EXPECT_EQ(svc().GetAddress(bob, created->id).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(svc().DeleteAddress(bob, created->id).code(),
            absl::StatusCode::kNotFound);
  Address hijack = *created;
  hijack.city = "Elsewhere";
  EXPECT_EQ(svc().UpdateAddress(bob, hijack).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(svc().GetAddress(alice, created->id)->city, "Hangzhou");

  Address bad = a;
  bad.country_code = "china";
  EXPECT_EQ(svc().AddAddress(alice, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = a;
  bad.phone = "call me";
  EXPECT_EQ(svc().AddAddress(alice, bad).status().code(),
            absl::StatusCode::kInvalidArgument);

  ASSERT_TRUE(svc().UpdateAddress(alice, hijack).ok());
  EXPECT_EQ(svc().ListAddresses(alice)->at(0).city, "Elsewhere");
  EXPECT_TRUE(svc().ListAddresses(bob)->empty());
  ASSERT_TRUE(svc().DeleteAddress(alice, created->id).ok());
  EXPECT_TRUE(svc().ListAddresses(alice)->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountServiceTest,
                         ::testing::ValuesIn(SqlStorages()), StorageTestName);

}  // namespace
}  // namespace tokkit::account
