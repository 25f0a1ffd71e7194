// Storage backends as conformance suites take them (tensorstore style).
//
// A conformance suite is a value-parameterized test over StorageUnderTest,
// defined once beside the ports it checks (lib/account/testing/...,
// lib/feed/testing/...) and instantiated by every backend that must pass it:
//
//   INSTANTIATE_TEST_SUITE_P(Sql, AccountRepositoryConformance,
//                            ::testing::ValuesIn(SqlStorages()),
//                            StorageTestName);
//
// The service, gRPC and HTTP suites take the same parameter through
// TestPlatform. A new backend, or a decorator in front of one (a cache),
// runs all of them by adding its own StorageUnderTest.
#ifndef TOKKIT_LIB_PLATFORM_TESTING_STORAGE_UNDER_TEST_H_
#define TOKKIT_LIB_PLATFORM_TESTING_STORAGE_UNDER_TEST_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "lib/platform/storage_backend.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit::testing {

struct StorageUnderTest {
  // The test-name suffix: "sqlite", "postgresql", "mysql", ...
  std::string name;
  // The empty, isolated database it is opened on (a TestDatabase backend).
  std::string engine;
  // Opens the backend on that database; unset: OpenStorageBackend.
  std::function<absl::StatusOr<std::unique_ptr<StorageBackend>>(
      const DatabaseOptions&)>
      open;
};

inline void PrintTo(const StorageUnderTest& s, std::ostream* os) {
  *os << s.name;
}

// Every SQL engine TestBackends() selects, each opened by its URL.
std::vector<StorageUnderTest> SqlStorages();

std::string StorageTestName(
    const ::testing::TestParamInfo<StorageUnderTest>& info);

// Opens `s` on `options` (its `open`, or OpenStorageBackend).
absl::StatusOr<std::unique_ptr<StorageBackend>> OpenStorage(
    const StorageUnderTest& s, const DatabaseOptions& options);

// A migrated backend on a fresh database, with one set of repositories.
class TestStorage {
 public:
  static absl::StatusOr<std::unique_ptr<TestStorage>> Create(
      const StorageUnderTest& s, int pool_size = 8);

  StorageBackend& backend() { return *backend_; }
  Repositories& repos() { return repos_; }

 private:
  TestStorage() = default;
  std::unique_ptr<TestDatabase> database_;  // outlives backend_
  std::unique_ptr<StorageBackend> backend_;
  Repositories repos_;
};

}  // namespace tokkit::testing

#endif  // TOKKIT_LIB_PLATFORM_TESTING_STORAGE_UNDER_TEST_H_
