// The account repositories' contract (users, sessions and refresh tokens,
// addresses, the login throttle), as a suite every storage backend
// instantiates with its StorageUnderTest (lib/platform/testing).
#ifndef TOKKIT_LIB_ACCOUNT_TESTING_REPOSITORY_CONFORMANCE_H_
#define TOKKIT_LIB_ACCOUNT_TESTING_REPOSITORY_CONFORMANCE_H_

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/account/repository.h"
#include "lib/core/crypto.h"
#include "lib/platform/testing/storage_under_test.h"

namespace tokkit::account {

inline constexpr absl::Time kConformanceNow = absl::FromUnixSeconds(1767225600);

class AccountRepositoryConformance
    : public ::testing::TestWithParam<::tokkit::testing::StorageUnderTest> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    auto t = ::tokkit::testing::TestStorage::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status();
    storage_ = std::move(*t);
    users_ = std::move(storage_->repos().users);
    sessions_ = std::move(storage_->repos().sessions);
    addresses_ = std::move(storage_->repos().addresses);
    throttle_ = std::move(storage_->repos().throttle);
  }

  User MakeUser(int64_t id, const std::string& name) {
    NewUser n;
    n.id = id;
    n.username = name;
    n.email = name + "@example.com";
    n.display_name = "Name " + name;
    n.password_hash = "$argon2id$fake";
    n.now = kConformanceNow;
    absl::StatusOr<User> u = users_->Create(n);
    EXPECT_TRUE(u.ok()) << u.status();
    return u.value_or(User{});
  }

  Address MakeAddress(int64_t id, int64_t user_id, bool is_default = false) {
    Address a;
    a.id = id;
    a.user_id = user_id;
    a.recipient = "R";
    a.phone = "+8613800000000";
    a.line1 = "1 Road";
    a.city = "Hangzhou";
    a.country_code = "CN";
    a.is_default = is_default;
    a.created_at = a.updated_at = kConformanceNow;
    return a;
  }

  std::unique_ptr<::tokkit::testing::TestStorage> storage_;
  std::unique_ptr<UserRepository> users_;
  std::unique_ptr<SessionRepository> sessions_;
  std::unique_ptr<AddressRepository> addresses_;
  std::unique_ptr<ThrottleRepository> throttle_;
};

}  // namespace tokkit::account

#endif  // TOKKIT_LIB_ACCOUNT_TESTING_REPOSITORY_CONFORMANCE_H_
