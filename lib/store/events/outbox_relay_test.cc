#include "lib/store/events/outbox_relay.h"

#include <atomic>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "lib/core/id_generator.h"
#include "lib/core/request_context.h"
#include "lib/store/events/outbox.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit {
namespace {

using ::tokkit::testing::TestBackends;
using ::tokkit::testing::TestDatabase;

class Recorder {
 public:
  void Add(const Event& e) {
    absl::MutexLock lock(&mu_);
    ids_.push_back(e.id);
  }
  std::vector<int64_t> ids() {
    absl::MutexLock lock(&mu_);
    return ids_;
  }
  EventBus::Handler Handler() {
    return [this](const Event& e) {
      Add(e);
      return absl::OkStatus();
    };
  }

 private:
  absl::Mutex mu_;
  std::vector<int64_t> ids_;
};

class OutboxRelayTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto t = TestDatabase::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status();
    db_ = std::move(*t);
    ASSERT_TRUE(db_->db().Migrate(kEventsModule, EventMigrations()).ok());
    ids_ = std::move(*IdGenerator::Create(1, &clock_));
  }

  absl::Status Append(int64_t id, const std::string& topic,
                      bool commit = true) {
    return db_->db().Transact([&](soci::session& sql) {
      AppendToOutbox(sql, {id, topic, "k", "p", clock_.Now()});
      return commit ? absl::OkStatus() : absl::AbortedError("rolled back");
    });
  }

  OutboxRelayOptions Manual() {
    OutboxRelayOptions o;
    o.poll_interval = absl::Hours(1);  // tests poll by hand
    return o;
  }

  SimulatedClock clock_{absl::FromUnixSeconds(1767225600)};
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<IdGenerator> ids_;
};

TEST_P(OutboxRelayTest, DeliversCommittedEventsOnceToMatchingTopics) {
  OutboxRelay relay(&db_->db(), &clock_, Manual());
  Recorder likes, follows;
  auto s1 = relay.Subscribe("test", "like", likes.Handler());
  auto s2 = relay.Subscribe("test", "follow", follows.Handler());
  const int64_t a = *ids_->Next(), b = *ids_->Next(), c = *ids_->Next();
  ASSERT_TRUE(Append(a, "like").ok());
  ASSERT_TRUE(Append(b, "follow").ok());
  ASSERT_FALSE(Append(c, "like", /*commit=*/false).ok());
  ASSERT_TRUE(relay.PollOnce().ok());
  ASSERT_TRUE(relay.PollOnce().ok());  // nothing twice
  EXPECT_EQ(likes.ids(), std::vector<int64_t>{a});
  EXPECT_EQ(follows.ids(), std::vector<int64_t>{b});
}

TEST_P(OutboxRelayTest, LateCommitWithinLookbackIsStillDelivered) {
  OutboxRelay relay(&db_->db(), &clock_, Manual());
  Recorder got;
  auto sub = relay.Subscribe("test", "t", got.Handler());
  const int64_t early = *ids_->Next();  // drawn first...
  clock_.Advance(absl::Milliseconds(10));
  const int64_t later = *ids_->Next();
  ASSERT_TRUE(Append(later, "t").ok());
  ASSERT_TRUE(relay.PollOnce().ok());
  ASSERT_TRUE(Append(early, "t").ok());  // ...committed last
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(relay.PollOnce().ok());
  EXPECT_EQ(got.ids(), (std::vector<int64_t>{later, early}));
}

TEST_P(OutboxRelayTest, LateCommitsComeWithinTheSettleWindowOrTheNextSweep) {
  OutboxRelay relay(&db_->db(), &clock_, Manual());
  Recorder got;
  auto sub = relay.Subscribe("test", "t", got.Handler());
  ASSERT_TRUE(relay.PollOnce().ok());  // the first poll sweeps
  const int64_t slow = *ids_->Next();
  clock_.Advance(absl::Milliseconds(500));
  const int64_t quick = *ids_->Next();
  clock_.Advance(absl::Milliseconds(100));
  const int64_t newest = *ids_->Next();
  ASSERT_TRUE(Append(newest, "t").ok());
  ASSERT_TRUE(relay.PollOnce().ok());
  // Two drawn earlier commit now: `quick` is inside the settle window (the
  // last 250 ms), `slow` is not and waits for the sweep.
  ASSERT_TRUE(Append(quick, "t").ok());
  ASSERT_TRUE(Append(slow, "t").ok());
  ASSERT_TRUE(relay.PollOnce().ok());
  EXPECT_EQ(got.ids(), (std::vector<int64_t>{newest, quick}));
  clock_.Advance(absl::Milliseconds(300));
  ASSERT_TRUE(relay.PollOnce().ok());
  EXPECT_EQ(got.ids().size(), 2u);
  clock_.Advance(absl::Milliseconds(300));  // a sweep is due
  ASSERT_TRUE(relay.PollOnce().ok());
  EXPECT_EQ(got.ids(), (std::vector<int64_t>{newest, quick, slow}));
}

TEST(OutboxTailerTest, APollReadsNewRowsOnceWhateverTheWindowHolds) {
  auto t = TestDatabase::Create("sqlite");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_TRUE((*t)->db().Migrate(kEventsModule, EventMigrations()).ok());
  SimulatedClock clock{absl::FromUnixSeconds(1767225600)};
  auto ids = std::move(*IdGenerator::Create(1, &clock));
  OutboxTailer tailer(&(*t)->db(), &clock, {}, clock.Now());
  int delivered = 0;
  for (int round = 0; round < 10; ++round) {
    ASSERT_TRUE(
        (*t)->db()
            .Transact([&](soci::session& sql) {
              for (int i = 0; i < 300; ++i) {
                AppendToOutbox(sql, {*ids->Next(), "t", "k", "p", clock.Now()});
              }
              return absl::OkStatus();
            })
            .ok());
    for (int poll = 0; poll < 5; ++poll) {
      auto fresh = tailer.Poll();
      ASSERT_TRUE(fresh.ok()) << fresh.status();
      delivered += static_cast<int>(fresh->size());
      clock.Advance(absl::Milliseconds(100));
    }
  }
  EXPECT_EQ(delivered, 3000);
  const OutboxTailer::ReadStats stats = tailer.read_stats();
  // Every row is read whole once; the 5 s window (up to 3,000 rows) is
  // scanned by id only, and only by the once-a-second sweeps.
  EXPECT_EQ(stats.rows, 3000);
  EXPECT_LE(stats.ids, 5 * 3000 + 300 * 50);
}

// Another replica's commit (no Poke here, and no timed poll within the
// test) reaches this relay through PostgreSQL's LISTEN/NOTIFY.
TEST_P(OutboxRelayTest, ACommitNotifiesTheRelayOnPostgres) {
  if (GetParam() != "postgresql") {
    EXPECT_EQ(db_->db().Listen("x", [] {}).status().code(),
              absl::StatusCode::kUnimplemented);
    return;
  }
  OutboxRelay relay(&db_->db(), &clock_, Manual());
  Recorder got;
  auto sub = relay.Subscribe("test", "t", got.Handler());
  // Regression: a fixed 300 ms for the listener to connect was too short
  // on a loaded CI machine, and the commit went unheard.
  for (absl::Time until = absl::Now() + absl::Seconds(10);
       !relay.listening() && absl::Now() < until;) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_TRUE(relay.listening());
  const int64_t id = *ids_->Next();
  ASSERT_TRUE(Append(id, "t").ok());
  const absl::Time start = absl::Now();
  while (got.ids().empty() && absl::Now() - start < absl::Seconds(5)) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(got.ids(), std::vector<int64_t>{id});
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST_P(OutboxRelayTest, ClockJumpDoesNotRedeliver) {
  OutboxRelay relay(&db_->db(), &clock_, Manual());
  Recorder got;
  auto sub = relay.Subscribe("test", "t", got.Handler());
  const int64_t before = *ids_->Next();
  ASSERT_TRUE(Append(before, "t").ok());
  ASSERT_TRUE(relay.PollOnce().ok());
  clock_.Advance(absl::Minutes(20));  // far past the lookback window
  ASSERT_TRUE(relay.PollOnce().ok());
  const int64_t after = *ids_->Next();
  ASSERT_TRUE(Append(after, "t").ok());
  ASSERT_TRUE(relay.PollOnce().ok());
  EXPECT_EQ(got.ids(), (std::vector<int64_t>{before, after}));
}

TEST_P(OutboxRelayTest, EveryReplicaSeesEveryEventAndPagesLargeBacklogs) {
  OutboxRelayOptions o = Manual();
  o.batch_size = 7;  // force paging
  OutboxRelay replica_a(&db_->db(), &clock_, o);
  OutboxRelay replica_b(&db_->db(), &clock_, o);
  Recorder a, b;
  auto sa = replica_a.Subscribe("test", "t", a.Handler());
  auto sb = replica_b.Subscribe("test", "t", b.Handler());
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(Append(*ids_->Next(), "t").ok());
  ASSERT_TRUE(replica_a.PollOnce().ok());
  ASSERT_TRUE(replica_b.PollOnce().ok());
  EXPECT_EQ(a.ids().size(), 30u);
  EXPECT_EQ(a.ids(), b.ids());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Append(*ids_->Next(), "t").ok());
  ASSERT_TRUE(replica_a.PollOnce().ok());
  EXPECT_EQ(a.ids().size(), 33u);
}

TEST_P(OutboxRelayTest, BackgroundThreadDeliversAfterPoke) {
  OutboxRelayOptions o;
  o.poll_interval = absl::Seconds(30);
  OutboxRelay relay(&db_->db(), Clock::Real(), o);
  std::unique_ptr<IdGenerator> real_ids =
      std::move(*IdGenerator::Create(2, Clock::Real()));
  std::atomic<int> delivered{0};
  auto sub = relay.Subscribe("test", "t", [&](const Event&) {
    delivered++;
    return absl::OkStatus();
  });
  ASSERT_TRUE(db_->db()
                  .Transact([&](soci::session& sql) {
                    AppendToOutbox(
                        sql, {*real_ids->Next(), "t", "k", "p", absl::Now()});
                    return absl::OkStatus();
                  })
                  .ok());
  relay.Poke();
  for (int i = 0; i < 200 && delivered.load() == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(delivered.load(), 1);
}

// A consumer that keeps failing is retried with backoff, then recorded in
// dead_letters with its error; the event's trace travels with it.
TEST_P(OutboxRelayTest, FailingConsumersAreRetriedThenDeadLettered) {
  OutboxRelayOptions o = Manual();
  o.dispatch.max_attempts = 3;
  OutboxRelay relay(&db_->db(), &clock_, o);
  int calls = 0;
  std::string trace_seen;
  auto sub = relay.Subscribe("test.flaky", "t", [&](const Event& e) {
    ++calls;
    trace_seen = e.traceparent;
    return absl::UnavailableError("downstream is down");
  });
  const std::string trace =
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  const int64_t id = *ids_->Next();
  {
    // The event is appended while serving a request with that trace.
    ScopedRequest request({"req-1", trace, 0});
    ASSERT_TRUE(Append(id, "t").ok());
  }
  ASSERT_TRUE(relay.PollOnce().ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(trace_seen, trace);
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(absl::Seconds(1));
    ASSERT_TRUE(relay.PollOnce().ok());
  }
  EXPECT_EQ(calls, 3);
  std::string consumer, error, stored_trace;
  int attempts = 0;
  ASSERT_TRUE(db_->db()
                  .Run([&](soci::session& sql) {
                    sql << "SELECT consumer, error, attempts, traceparent FROM "
                           "dead_letters WHERE event_id = :i",
                        soci::use(id), soci::into(consumer), soci::into(error),
                        soci::into(attempts), soci::into(stored_trace);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(consumer, "test.flaky");
  EXPECT_EQ(attempts, 3);
  EXPECT_NE(error.find("downstream is down"), std::string::npos) << error;
  EXPECT_EQ(stored_trace, trace);
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboxRelayTest,
                         ::testing::ValuesIn(TestBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tokkit
