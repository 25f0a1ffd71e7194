#include "lib/store/sql/worker_lease.h"

#include <soci/soci.h>

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

// Fail closed: a replica whose renewals stall stops drawing ids before its
// lease can lapse, and one that finds its lease lost stops at once, until it
// holds a lease again.
TEST_P(WorkerLeaseTest, IdsStopWhenTheLeaseCannotBeTrusted) {
  auto lease = WorkerLease::Acquire(&db_->db(), &clock_, absl::Seconds(60), 2);
  ASSERT_TRUE(lease.ok());
  std::unique_ptr<IdGenerator> ids =
      std::move(*IdGenerator::Create((*lease)->worker_id(), &clock_));
  (*lease)->Attach(ids.get());
  EXPECT_TRUE(ids->Next().ok());

  // Renewals stall (database away, process paused): ids stop well before
  // the lease's 60 s are up, and resume after a renewal.
  clock_.Advance(absl::Seconds(41));
  absl::StatusOr<int64_t> stalled = ids->Next();
  EXPECT_EQ(stalled.status().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE((*lease)->RenewNow().ok());
  EXPECT_TRUE(ids->Next().ok());

  // Another replica took the id (ours lapsed while we were frozen).
  ASSERT_TRUE(db_->db()
                  .Run([](soci::session& sql) {
                    sql << "UPDATE worker_leases SET holder = 'thief'";
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ((*lease)->RenewNow().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ids->Next().status().code(), absl::StatusCode::kUnavailable);
  // Still lost even if a renewal would otherwise have extended it.
  EXPECT_EQ(ids->Next().status().code(), absl::StatusCode::kUnavailable);
  // The next renewal leases a free id; ids flow again, from the new worker.
  ASSERT_TRUE((*lease)->RenewNow().ok());
  EXPECT_NE((*lease)->worker_id(), 0);
  absl::StatusOr<int64_t> again = ids->Next();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(IdGenerator::WorkerOf(*again), (*lease)->worker_id());
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkerLeaseTest,
                         ::testing::ValuesIn(TestBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tokkit
