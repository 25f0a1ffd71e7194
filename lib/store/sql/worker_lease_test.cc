#include "lib/store/sql/worker_lease.h"

#include "gtest/gtest.h"
#include "lib/core/crypto.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit {
namespace {

using ::tokkit::testing::TestBackends;
using ::tokkit::testing::TestDatabase;

class WorkerLeaseTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    auto t = TestDatabase::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status();
    db_ = std::move(*t);
  }
  std::unique_ptr<TestDatabase> db_;
  SimulatedClock clock_;
};

TEST_P(WorkerLeaseTest, ReplicasGetDistinctIdsAndReuseFreedOnes) {
  auto a = WorkerLease::Acquire(&db_->db(), &clock_, absl::Seconds(60), 3);
  auto b = WorkerLease::Acquire(&db_->db(), &clock_, absl::Seconds(60), 3);
  auto c = WorkerLease::Acquire(&db_->db(), &clock_, absl::Seconds(60), 3);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ((*a)->worker_id(), 0);
  EXPECT_EQ((*b)->worker_id(), 1);
  EXPECT_EQ((*c)->worker_id(), 2);
  EXPECT_EQ(WorkerLease::Acquire(&db_->db(), &clock_, absl::Seconds(60), 3)
                .status()
                .code(),
            absl::StatusCode::kResourceExhausted);
  b->reset();  // released on shutdown
  auto d = WorkerLease::Acquire(&db_->db(), &clock_, absl::Seconds(60), 3);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->worker_id(), 1);
}

TEST_P(WorkerLeaseTest, ExpiredLeasesAreTakenOver) {
  auto a = WorkerLease::Acquire(&db_->db(), &clock_, absl::Seconds(60), 1);
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(
      WorkerLease::Acquire(&db_->db(), &clock_, absl::Seconds(60), 1).ok());
  clock_.Advance(
      absl::Seconds(61));  // the holder stopped renewing (it is frozen)
  auto b = WorkerLease::Acquire(&db_->db(), &clock_, absl::Seconds(60), 1);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ((*b)->worker_id(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkerLeaseTest,
                         ::testing::ValuesIn(TestBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tokkit
