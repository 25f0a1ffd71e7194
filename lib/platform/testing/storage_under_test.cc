#include "lib/platform/testing/storage_under_test.h"

#include "lib/core/status_macros.h"

namespace tokkit::testing {

std::vector<StorageUnderTest> SqlStorages() {
  std::vector<StorageUnderTest> out;
  for (const std::string& engine : TestBackends()) {
    out.push_back({engine, engine, nullptr});
  }
  return out;
}

std::string StorageTestName(
    const ::testing::TestParamInfo<StorageUnderTest>& info) {
  return info.param.name;
}

absl::StatusOr<std::unique_ptr<StorageBackend>> OpenStorage(
    const StorageUnderTest& s, const DatabaseOptions& options) {
  return s.open ? s.open(options) : OpenStorageBackend(options);
}

absl::StatusOr<std::unique_ptr<TestStorage>> TestStorage::Create(
    const StorageUnderTest& s, int pool_size) {
  std::unique_ptr<TestStorage> t(new TestStorage());
  ASSIGN_OR_RETURN(t->database_, TestDatabase::Create(s.engine, 1));
  DatabaseOptions options;
  options.url = t->database_->url();
  options.pool_size = pool_size;
  ASSIGN_OR_RETURN(t->backend_, OpenStorage(s, options));
  RETURN_IF_ERROR(t->backend_->Migrate());
  t->repos_ = t->backend_->NewRepositories();
  return t;
}

}  // namespace tokkit::testing
