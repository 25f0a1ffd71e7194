// Isolated databases for tests that run the same cases on every backend.
//
//   INSTANTIATE_TEST_SUITE_P(Backends, MyRepoTest,
//                            ::testing::ValuesIn(TestBackends()));
//
// SQLite always runs. PostgreSQL runs when TOKKIT_TEST_POSTGRES holds a
// server URL, MySQL/MariaDB when TOKKIT_TEST_MYSQL does (tools/test.sh starts
// both); with
// TOKKIT_TEST_REQUIRE_ALL_BACKENDS=1 a missing server fails the test instead of
// being skipped, so CI can never pass on SQLite alone. TOKKIT_TEST_BACKENDS
// (e.g. "sqlite,postgresql") names the backends exactly instead.
#ifndef TOKKIT_LIB_STORE_SQL_TESTING_TEST_DATABASE_H_
#define TOKKIT_LIB_STORE_SQL_TESTING_TEST_DATABASE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/store/sql/database.h"

namespace tokkit::testing {

std::vector<std::string> TestBackends();

// The URL of the test server `env_var` names (TOKKIT_TEST_REDIS,
// TOKKIT_TEST_S3, ...): NOT_FOUND when it is not set (the test skips), and
// FAILED_PRECONDITION instead when every backend is required (it fails).
absl::StatusOr<std::string> TestServerUrl(const char* env_var);

class TestDatabase {
 public:
  // A fresh, empty database: a new SQLite file under TEST_TMPDIR, a new
  // schema on the PostgreSQL server or a new database on the MySQL server
  // (dropped again by the destructor).
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create(
      const std::string& backend, int pool_size = 4);
  ~TestDatabase();

  Database& db() { return *db_; }
  const std::string& url() const { return url_; }

 private:
  TestDatabase() = default;
  std::string backend_;
  std::string url_;
  std::string admin_url_;
  std::string schema_;
  std::unique_ptr<Database> db_;
};

}  // namespace tokkit::testing

#endif  // TOKKIT_LIB_STORE_SQL_TESTING_TEST_DATABASE_H_
