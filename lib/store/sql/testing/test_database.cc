#include "lib/store/sql/testing/test_database.h"

#include <soci/soci.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/core/status_macros.h"

namespace tokkit::testing {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  return absl::StrCat(getpid(), "_", counter.fetch_add(1), "_",
                      absl::ToUnixMicros(absl::Now()) % 1000000000);
}

absl::Status RunAdmin(const std::string& url, const std::string& statement) {
  DatabaseOptions options;
  options.url = url;
  options.pool_size = 1;
  ASSIGN_OR_RETURN(std::unique_ptr<Database> admin, Database::Open(options));
  return admin->Run([&](soci::session& sql) {
    sql << statement;
    return absl::OkStatus();
  });
}

}  // namespace

std::vector<std::string> TestBackends() {
  // An explicit list narrows a run (the ASan run skips MySQL for time).
  if (const std::string only = Env("TOKKIT_TEST_BACKENDS"); !only.empty()) {
    return absl::StrSplit(only, ',', absl::SkipEmpty());
  }
  std::vector<std::string> out = {"sqlite"};
  if (!Env("TOKKIT_TEST_POSTGRES").empty() ||
      Env("TOKKIT_TEST_REQUIRE_ALL_BACKENDS") == "1") {
    out.push_back("postgresql");
  }
  if (!Env("TOKKIT_TEST_MYSQL").empty() ||
      Env("TOKKIT_TEST_REQUIRE_ALL_BACKENDS") == "1") {
    out.push_back("mysql");
  }
  return out;
}

absl::StatusOr<std::string> TestServerUrl(const char* env_var) {
  std::string url = Env(env_var);
  if (!url.empty()) return url;
  const std::string why = absl::StrCat(
      env_var, " is not set (tools/test.sh starts the test servers)");
  if (Env("TOKKIT_TEST_REQUIRE_ALL_BACKENDS") == "1") {
    return absl::FailedPreconditionError(why);
  }
  return absl::NotFoundError(why);
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create(
    const std::string& backend, int pool_size) {
  std::unique_ptr<TestDatabase> t(new TestDatabase());
  t->backend_ = backend;
  if (backend == "sqlite") {
    std::string dir = Env("TEST_TMPDIR");
    if (dir.empty()) dir = "/tmp";
    t->url_ =
        absl::StrCat("sqlite:", dir, "/tokkit_test_", UniqueSuffix(), ".db");
  } else if (backend == "postgresql") {
    t->admin_url_ = Env("TOKKIT_TEST_POSTGRES");
    if (t->admin_url_.empty()) {
      return absl::FailedPreconditionError(
          "TOKKIT_TEST_POSTGRES is not set but all backends are required; "
          "run the tests through tools/test.sh");
    }
    t->schema_ = absl::StrCat("t_", UniqueSuffix());
    absl::Status created =
        RunAdmin(t->admin_url_, "CREATE SCHEMA " + t->schema_);
    if (!created.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "cannot prepare PostgreSQL test schema: ", created.message()));
    }
    t->url_ = absl::StrCat(t->admin_url_,
                           absl::StrContains(t->admin_url_, "?") ? "&" : "?",
                           "options=-csearch_path%3D", t->schema_);
  } else if (backend == "mysql") {
    t->admin_url_ = Env("TOKKIT_TEST_MYSQL");
    if (t->admin_url_.empty()) {
      return absl::FailedPreconditionError(
          "TOKKIT_TEST_MYSQL is not set but all backends are required; "
          "run the tests through tools/test.sh");
    }
    // A database of its own: mysql://u:p@host:port/<db>[?options]. Its
    // default collation is the usual case-insensitive one, as an operator's
    // database may have: tokkit's tables must be exact regardless.
    t->schema_ = absl::StrCat("t_", UniqueSuffix());
    absl::Status created = RunAdmin(
        t->admin_url_, "CREATE DATABASE " + t->schema_ +
                           " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
    if (!created.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "cannot prepare MySQL test database: ", created.message()));
    }
    const size_t query = t->admin_url_.find('?');
    const std::string base = t->admin_url_.substr(0, query);
    const size_t slash = base.find('/', base.find("://") + 3);
    t->url_ = absl::StrCat(
        base.substr(0, slash), "/", t->schema_,
        query == std::string::npos ? "" : t->admin_url_.substr(query));
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown backend ", backend));
  }
  DatabaseOptions options;
  options.url = t->url_;
  options.pool_size = pool_size;
  ASSIGN_OR_RETURN(t->db_, Database::Open(options));
  return t;
}

TestDatabase::~TestDatabase() {
  db_.reset();
  if (backend_ == "postgresql" && !schema_.empty()) {
    // A leftover schema would die with the throwaway test server anyway.
    (void)RunAdmin(admin_url_, "DROP SCHEMA " + schema_ + " CASCADE");
  } else if (backend_ == "mysql" && !schema_.empty()) {
    (void)RunAdmin(admin_url_, "DROP DATABASE " + schema_);
  } else if (backend_ == "sqlite") {
    const std::string path = url_.substr(std::string("sqlite:").size());
    for (const char* ext : {"", "-wal", "-shm"}) {
      unlink((path + ext).c_str());
    }
  }
}

}  // namespace tokkit::testing
