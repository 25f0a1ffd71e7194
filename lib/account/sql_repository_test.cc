// The account repositories' conformance suite on every SQL backend.
#include "gtest/gtest.h"
#include "lib/account/testing/repository_conformance.h"

namespace tokkit::account {
namespace {

using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;

INSTANTIATE_TEST_SUITE_P(Sql, AccountRepositoryConformance,
                         ::testing::ValuesIn(SqlStorages()), StorageTestName);

}  // namespace
}  // namespace tokkit::account
