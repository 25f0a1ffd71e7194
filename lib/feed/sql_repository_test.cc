// The video repository's conformance suite on every SQL backend, and the
// popularity arithmetic.
#include "lib/feed/sql_repository.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"
#include "lib/feed/testing/repository_conformance.h"

namespace tokkit::feed {
namespace {

using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;

INSTANTIATE_TEST_SUITE_P(Sql, VideoRepositoryConformance,
                         ::testing::ValuesIn(SqlStorages()), StorageTestName);

TEST(Log2Add, AddsInLinearSpace) {
  EXPECT_NEAR(std::exp2(Log2Add(std::log2(3.0), std::log2(5.0))), 8.0, 1e-12);
  EXPECT_NEAR(Log2Add(-std::numeric_limits<double>::infinity(), 4.0), 4.0,
              1e-12);
  EXPECT_EQ(PopularityKey(Log2Popularity(PopularityKey(3.25))),
            PopularityKey(3.25));
  EXPECT_EQ(PopularityKey(-std::numeric_limits<double>::infinity()),
            kNoPopularity);
  EXPECT_NEAR(Log2Add(2000.0, 2000.0), 2001.0, 1e-9);  // no overflow
}

}  // namespace
}  // namespace tokkit::feed
