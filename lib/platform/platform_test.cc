#include "lib/platform/platform.h"

#include <soci/soci.h>

#include "gtest/gtest.h"
#include "lib/platform/testing/test_platform.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit {
namespace {

using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;
using ::tokkit::testing::TestPlatform;

class PlatformTest
    : public ::testing::TestWithParam<::tokkit::testing::StorageUnderTest> {};

TEST_P(PlatformTest, ReplicasLeaseDistinctWorkerIds) {
  auto first = TestPlatform::Create(GetParam(), [](PlatformConfig& c) {
    c.worker_id = PlatformConfig::kLeaseWorkerId;
  });
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = Platform::Open((*first)->config());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE((*first)->platform().worker_id(), (*second)->worker_id());
  // Ids drawn by the two replicas cannot collide.
  auto a = (*first)->SignUp("alice");
  auto b = (*second)->accounts().Register(
      {"bob", "bob@example.com", TestPlatform::kPassword, ""});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(IdGenerator::WorkerOf(a->user.id),
            (*first)->platform().worker_id());
  EXPECT_EQ(IdGenerator::WorkerOf(b->id), (*second)->worker_id());
}

TEST_P(PlatformTest, RefreshesPlannerStatisticsAtStart) {
  auto t = TestPlatform::Create(GetParam(), [](PlatformConfig& c) {
    c.statistics_interval = absl::Hours(1);
  });
  ASSERT_TRUE(t.ok()) << t.status();
  Database& db = (*t)->platform().database();
  if (db.dialect() == SqlDialect::kSqlite) {
    // ANALYZE creates SQLite's statistics table: it ran in the background
    // as soon as Open returned.
    int64_t tables = 0;
    for (int i = 0; i < 500 && tables == 0; ++i) {
      ASSERT_TRUE(db.Run([&](soci::session& sql) {
                      sql << "SELECT COUNT(*) FROM sqlite_master WHERE name = "
                             "'sqlite_stat1'",
                          soci::into(tables);
                      return absl::OkStatus();
                    }).ok());
      if (tables == 0) absl::SleepFor(absl::Milliseconds(10));
    }
    EXPECT_EQ(tables, 1);
  }
  EXPECT_TRUE(db.RefreshStatistics().ok());
}

TEST_P(PlatformTest, RejectsBadConfiguration) {
  auto t = TestPlatform::Create(GetParam());
  ASSERT_TRUE(t.ok());
  PlatformConfig c = (*t)->config();
  c.worker_id = 5000;
  EXPECT_EQ(Platform::Open(c).status().code(),
            absl::StatusCode::kInvalidArgument);
  c = (*t)->config();
  c.signing_keys = {};
  EXPECT_EQ(Platform::Open(c).status().code(),
            absl::StatusCode::kInvalidArgument);
  c = (*t)->config();
  c.blob_dir = "";
  EXPECT_EQ(Platform::Open(c).status().code(),
            absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, PlatformTest,
                         ::testing::ValuesIn(SqlStorages()), StorageTestName);

}  // namespace
}  // namespace tokkit
