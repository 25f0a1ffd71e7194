#ifndef TOKKIT_LIB_PLATFORM_TESTING_TEST_PLATFORM_H_
#define TOKKIT_LIB_PLATFORM_TESTING_TEST_PLATFORM_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "lib/core/clock.h"
#include "lib/platform/platform.h"
#include "lib/platform/testing/storage_under_test.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit::testing {

// A Platform on an isolated database of a storage backend under test, a
// private blob directory, fast password hashing and a SimulatedClock the test
// can move.
class TestPlatform {
 public:
  static absl::StatusOr<std::unique_ptr<TestPlatform>> Create(
      const StorageUnderTest& storage,
      const std::function<void(PlatformConfig&)>& customize = nullptr);
  // The SQL engine `engine` ("sqlite", "postgresql", "mysql") opened by URL.
  static absl::StatusOr<std::unique_ptr<TestPlatform>> Create(
      const std::string& engine,
      const std::function<void(PlatformConfig&)>& customize = nullptr);

  // The password every test user gets.
  static constexpr char kPassword[] = "blue-kettle-42";

  // Registers `name` (email <name>@example.com) and logs in.
  absl::StatusOr<account::LoginResult> SignUp(const std::string& name);

  Platform& platform() { return *platform_; }
  SimulatedClock& clock() { return clock_; }
  const PlatformConfig& config() const { return config_; }

 private:
  TestPlatform() = default;
  SimulatedClock clock_;
  PlatformConfig config_;
  std::unique_ptr<TestDatabase> database_;  // outlives platform_
  std::unique_ptr<Platform> platform_;
};

}  // namespace tokkit::testing

#endif  // TOKKIT_LIB_PLATFORM_TESTING_TEST_PLATFORM_H_
