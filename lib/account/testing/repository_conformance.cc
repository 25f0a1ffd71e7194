// The cases of AccountRepositoryConformance; instantiated by each backend's
// test.
#include "lib/account/testing/repository_conformance.h"

#include <atomic>
#include <thread>
#include <vector>

#include "lib/core/crypto.h"

namespace tokkit::account {
namespace {
constexpr absl::Time kNow = kConformanceNow;
}  // namespace

TEST_P(AccountRepositoryConformance, CreateAndFindUser) {
  User u = MakeUser(10, "alice");
  EXPECT_EQ(u.id, 10);
  EXPECT_EQ(u.username, "alice");
  EXPECT_EQ(u.created_at, kNow);
  EXPECT_EQ(u.role, Role::kUser);
  EXPECT_FALSE(u.totp_enabled);
  EXPECT_EQ(users_->FindByUsername("alice")->user.id, 10);
  EXPECT_EQ(users_->FindByEmail("alice@example.com")->user.id, 10);
  EXPECT_EQ(users_->FindById(10)->credentials.password_hash, "$argon2id$fake");
  EXPECT_EQ(users_->FindById(11).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(users_->FindByUsername("bob").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(AccountRepositoryConformance, FindByIdsReturnsExistingOnes) {
  MakeUser(1, "alice");
  MakeUser(2, "bob");
  std::vector<User> users = *users_->FindByIds({2, 1, 99});
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].id + users[1].id, 3);
  EXPECT_TRUE(users_->FindByIds({})->empty());
  EXPECT_EQ(users_->FindByIds(std::vector<int64_t>(1001, 1)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(AccountRepositoryConformance, DatabaseEnforcesUniqueUsernameAndEmail) {
  MakeUser(1, "alice");
  NewUser n;
  n.id = 2;
  n.username = "alice";
  n.email = "other@example.com";
  n.display_name = "x";
  n.password_hash = "h";
  n.now = kNow;
  absl::Status st = users_->Create(n).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(st.message(), "username is taken");
  n.username = "alice2";
  n.email = "alice@example.com";
  st = users_->Create(n).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(st.message(), "email is already registered");
}

TEST_P(AccountRepositoryConformance,
       ConcurrentRegistrationOfOneNameHasOneWinner) {
  std::atomic<int> created{0}, taken{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      NewUser n;
      n.id = 100 + i;
      n.username = "race";
      n.email = "race" + std::to_string(i) + "@example.com";
      n.display_name = "r";
      n.password_hash = "h";
      n.now = kNow;
      absl::Status st = users_->Create(n).status();
      if (st.ok()) created++;
      if (st.code() == absl::StatusCode::kAlreadyExists) taken++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(taken.load(), 7);
}

TEST_P(AccountRepositoryConformance, ProfileAvatarRoleStatus) {
  MakeUser(1, "alice");
  ProfileUpdate up;
  up.bio = "hello\nworld";
  absl::StatusOr<User> u =
      users_->UpdateProfile(1, up, kNow + absl::Seconds(5));
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->bio, "hello\nworld");
  EXPECT_EQ(u->display_name, "Name alice");  // untouched
  EXPECT_EQ(u->updated_at, kNow + absl::Seconds(5));
  EXPECT_EQ(users_->UpdateProfile(99, up, kNow).status().code(),
            absl::StatusCode::kNotFound);

  EXPECT_EQ(*users_->SetAvatar(1, "avatars/1/a.png", kNow), "");
  EXPECT_EQ(*users_->SetAvatar(1, "avatars/1/b.png", kNow), "avatars/1/a.png");
  EXPECT_EQ(users_->FindById(1)->user.avatar_key, "avatars/1/b.png");

  ASSERT_TRUE(users_->SetRole(1, Role::kMerchant, kNow).ok());
  ASSERT_TRUE(users_->SetStatus(1, UserStatus::kBanned, kNow).ok());
  EXPECT_EQ(users_->FindById(1)->user.role, Role::kMerchant);
  EXPECT_EQ(users_->FindById(1)->user.status, UserStatus::kBanned);
  EXPECT_EQ(users_->SetRole(2, Role::kAdmin, kNow).code(),
            absl::StatusCode::kNotFound);
}

TEST_P(AccountRepositoryConformance, TotpLifecycleAndReplayGuard) {
  MakeUser(1, "alice");
  EXPECT_EQ(users_->EnableTotp(1, 5, kNow).code(),
            absl::StatusCode::kFailedPrecondition);
  const std::string secret("\x01\x02\xff secret bytes", 16);
  ASSERT_TRUE(users_->SetPendingTotp(1, secret, kNow).ok());
  EXPECT_FALSE(users_->FindById(1)->user.totp_enabled);
  EXPECT_EQ(users_->FindById(1)->credentials.totp_pending_secret, secret);
  ASSERT_TRUE(users_->EnableTotp(1, 100, kNow).ok());
  UserRecord rec = *users_->FindById(1);
  EXPECT_TRUE(rec.user.totp_enabled);
  EXPECT_EQ(rec.credentials.totp_secret, secret);
  EXPECT_EQ(rec.credentials.totp_pending_secret, "");
  EXPECT_EQ(rec.credentials.totp_last_step, 100);

  EXPECT_FALSE(*users_->ConsumeTotpStep(1, 100));  // used at enrolment
  EXPECT_FALSE(*users_->ConsumeTotpStep(1, 99));   // older
  EXPECT_TRUE(*users_->ConsumeTotpStep(1, 101));
  EXPECT_FALSE(*users_->ConsumeTotpStep(1, 101));  // replay

  ASSERT_TRUE(users_->DisableTotp(1, kNow).ok());
  EXPECT_FALSE(users_->FindById(1)->user.totp_enabled);
}

TEST_P(AccountRepositoryConformance, ConcurrentTotpStepIsConsumedOnce) {
  MakeUser(1, "alice");
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      absl::StatusOr<bool> ok = users_->ConsumeTotpStep(1, 500);
      if (ok.ok() && *ok) accepted++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 1);
}

TEST_P(AccountRepositoryConformance, RefreshRotationAndReuseDetection) {
  MakeUser(1, "alice");
  Session s{.id = 50, .user_id = 1, .client = "test", .created_at = kNow};
  RefreshTokenRecord t1{"h1", 50, 1, kNow + absl::Hours(1)};
  ASSERT_TRUE(sessions_->Create(s, t1).ok());
  EXPECT_TRUE(sessions_->LoadAccessState(1, 50)->session_live);
  EXPECT_EQ(*sessions_->SessionOfToken("h1"), 50);

  auto r = sessions_->Rotate("h1", {"h2", 0, 0, kNow + absl::Hours(1)}, kNow);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, SessionRepository::RotateOutcome::kRotated);
  EXPECT_EQ(r->session.id, 50);
  EXPECT_EQ(r->session.user_id, 1);

  EXPECT_EQ(sessions_->Rotate("nope", {"h9", 0, 0, kNow}, kNow)->outcome,
            SessionRepository::RotateOutcome::kUnknown);
  // Presenting h1 again is theft or a bug: the whole session dies.
  EXPECT_EQ(sessions_->Rotate("h1", {"h3", 0, 0, kNow}, kNow)->outcome,
            SessionRepository::RotateOutcome::kReused);
  EXPECT_FALSE(sessions_->LoadAccessState(1, 50)->session_live);
  EXPECT_EQ(sessions_->Rotate("h2", {"h4", 0, 0, kNow}, kNow)->outcome,
            SessionRepository::RotateOutcome::kRevoked);
}

TEST_P(AccountRepositoryConformance, ExpiredRefreshTokenIsRefused) {
  MakeUser(1, "alice");
  Session s{.id = 7, .user_id = 1, .client = "", .created_at = kNow};
  ASSERT_TRUE(
      sessions_->Create(s, {"old", 7, 1, kNow + absl::Minutes(1)}).ok());
  EXPECT_EQ(
      sessions_->Rotate("old", {"new", 0, 0, kNow}, kNow + absl::Minutes(2))
          ->outcome,
      SessionRepository::RotateOutcome::kExpired);
}

TEST_P(AccountRepositoryConformance, ConcurrentRotationOfOneTokenHasOneWinner) {
  MakeUser(1, "alice");
  Session s{.id = 7, .user_id = 1, .client = "", .created_at = kNow};
  ASSERT_TRUE(sessions_->Create(s, {"t0", 7, 1, kNow + absl::Hours(1)}).ok());
  std::atomic<int> rotated{0}, reused{0}, revoked{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      auto r = sessions_->Rotate(
          "t0", {"n" + std::to_string(i), 0, 0, kNow + absl::Hours(1)}, kNow);
      ASSERT_TRUE(r.ok()) << r.status();
      if (r->outcome == SessionRepository::RotateOutcome::kRotated) rotated++;
      if (r->outcome == SessionRepository::RotateOutcome::kReused) reused++;
      if (r->outcome == SessionRepository::RotateOutcome::kRevoked) revoked++;
    });
  }
  for (auto& t : threads) t.join();
  // One wins; the first loser detects reuse and revokes the session, later
  // ones find it revoked. Either way the winner's new token is dead too.
  EXPECT_EQ(rotated.load(), 1);
  EXPECT_GE(reused.load(), 1);
  EXPECT_EQ(reused.load() + revoked.load(), 5);
  EXPECT_FALSE(sessions_->LoadAccessState(1, 7)->session_live);
}

TEST_P(AccountRepositoryConformance, RevokeIsScopedToOwner) {
  MakeUser(1, "alice");
  MakeUser(2, "bob");
  ASSERT_TRUE(
      sessions_
          ->Create({.id = 10, .user_id = 1, .client = "", .created_at = kNow},
                   {"a", 10, 1, kNow + absl::Hours(1)})
          .ok());
  ASSERT_TRUE(
      sessions_
          ->Create({.id = 11, .user_id = 1, .client = "", .created_at = kNow},
                   {"b", 11, 1, kNow + absl::Hours(1)})
          .ok());
  EXPECT_EQ(sessions_->Revoke(2, 10, kNow).code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(sessions_->LoadAccessState(1, 10)->session_live);
  // Bob cannot borrow Alice's session id either.
  EXPECT_FALSE(sessions_->LoadAccessState(2, 10)->session_live);
  ASSERT_TRUE(sessions_->Revoke(1, 10, kNow).ok());
  EXPECT_FALSE(sessions_->LoadAccessState(1, 10)->session_live);
  EXPECT_TRUE(sessions_->LoadAccessState(1, 11)->session_live);
  ASSERT_TRUE(sessions_->RevokeAll(1, kNow).ok());
  EXPECT_FALSE(sessions_->LoadAccessState(1, 11)->session_live);
  EXPECT_EQ(sessions_->LoadAccessState(3, 11).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(AccountRepositoryConformance, AddressesOwnedWithSingleDefault) {
  MakeUser(1, "alice");
  MakeUser(2, "bob");
  Address first = *addresses_->Create(MakeAddress(100, 1), 3);
  EXPECT_TRUE(first.is_default);  // first address becomes the default
  Address second = *addresses_->Create(MakeAddress(101, 1, true), 3);
  EXPECT_TRUE(second.is_default);
  EXPECT_FALSE(addresses_->Get(1, 100)->is_default);
  ASSERT_TRUE(addresses_->Create(MakeAddress(102, 1), 3).ok());
  EXPECT_EQ(addresses_->Create(MakeAddress(103, 1), 3).status().code(),
            absl::StatusCode::kResourceExhausted);

  std::vector<Address> list = *addresses_->List(1);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].id, 101);  // default first

  EXPECT_EQ(addresses_->Get(2, 100).status().code(),
            absl::StatusCode::kNotFound);
  Address steal = MakeAddress(100, 2);
  EXPECT_EQ(addresses_->Update(steal).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(addresses_->Delete(2, 100).code(), absl::StatusCode::kNotFound);

  Address edit = MakeAddress(100, 1, true);
  edit.city = "Shanghai";
  Address updated = *addresses_->Update(edit);
  EXPECT_EQ(updated.city, "Shanghai");
  EXPECT_TRUE(updated.is_default);
  EXPECT_FALSE(addresses_->Get(1, 101)->is_default);

  ASSERT_TRUE(addresses_->Delete(1, 100).ok());
  list = *addresses_->List(1);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, 101);  // oldest remaining promoted
  EXPECT_TRUE(list[0].is_default);
}

TEST_P(AccountRepositoryConformance, ThrottleCountsWindowsAndLocks) {
  const absl::Duration window = absl::Minutes(15);
  for (int i = 1; i <= 2; ++i) {
    ThrottleState s =
        *throttle_->RecordFailure("acct:1", kNow, window, 3, window);
    EXPECT_EQ(s.failures, i);
    EXPECT_EQ(s.locked_until, absl::InfinitePast());
  }
  ThrottleState s =
      *throttle_->RecordFailure("acct:1", kNow, window, 3, window);
  EXPECT_EQ(s.failures, 3);
  EXPECT_EQ(s.locked_until, kNow + window);
  EXPECT_EQ(throttle_->Get("acct:1")->failures, 3);
  EXPECT_EQ(throttle_->Get("acct:2")->failures, 0);

  // A failure after the window starts a new count.
  s = *throttle_->RecordFailure("acct:1", kNow + window + absl::Seconds(1),
                                window, 3, window);
  EXPECT_EQ(s.failures, 1);
  ASSERT_TRUE(throttle_->Reset("acct:1").ok());
  EXPECT_EQ(throttle_->Get("acct:1")->failures, 0);
}

TEST_P(AccountRepositoryConformance, ConcurrentFailuresAreAllCounted) {
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 5; ++k) {
        ASSERT_TRUE(throttle_
                        ->RecordFailure("src:1.2.3.4", kNow, absl::Hours(1),
                                        1000, absl::Hours(1))
                        .ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(throttle_->Get("src:1.2.3.4")->failures, 40);
}

}  // namespace tokkit::account
