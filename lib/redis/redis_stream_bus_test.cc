// The Redis client and the Redis Streams event bus against a real Redis
// (started by tools/test.sh), with the outbox on every SQL backend.
#include "lib/redis/redis_stream_bus.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "lib/core/crypto.h"
#include "lib/core/id_generator.h"
#include "lib/store/events/outbox.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit::redis {
namespace {

using ::tokkit::testing::TestBackends;
using ::tokkit::testing::TestDatabase;

// The test Redis, or "" to skip (a failure when every backend is required).
std::string RedisUrl() {
  absl::StatusOr<std::string> url =
      ::tokkit::testing::TestServerUrl("TOKKIT_TEST_REDIS");
  if (absl::IsFailedPrecondition(url.status())) ADD_FAILURE() << url.status();
  return url.value_or("");
}

#define REQUIRE_REDIS(url)            \
  const std::string url = RedisUrl(); \
  if (url.empty()) GTEST_SKIP() << "no test Redis"

class Inbox {
 public:
  void Add(const Event& e) {
    absl::MutexLock lock(&mu_);
    ids_.push_back(e.id);
  }
  EventBus::Handler Handler() {
    return [this](const Event& e) {
      Add(e);
      return absl::OkStatus();
    };
  }
  std::vector<int64_t> WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return ids_.size() >= n;
    };
    mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(10));
    return ids_;
  }

 private:
  absl::Mutex mu_;
  std::vector<int64_t> ids_ ABSL_GUARDED_BY(mu_);
};

TEST(RedisClient, CommandsRepliesAndErrors) {
  REQUIRE_REDIS(url);
  auto c = Client::Connect(url);
  ASSERT_TRUE(c.ok()) << c.status();
  const std::string key =
      absl::StrCat("tokkit:test:", HexEncode(RandomBytes(6)));
  const std::string binary("a\0b\r\n", 5);
  EXPECT_EQ((*c)->Command({"SET", key, binary})->str, "OK");
  EXPECT_EQ((*c)->Command({"GET", key})->str, binary);
  EXPECT_EQ((*c)->Command({"DEL", key})->integer, 1);
  EXPECT_TRUE((*c)->Command({"GET", key})->is_nil());
  EXPECT_EQ((*c)->Command({"INCRBY", key, "5"})->integer, 5);
  EXPECT_EQ((*c)->Command({"LPUSH", key, "x"}).status().code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ((*c)->Command({}).status().code(),
            absl::StatusCode::kInvalidArgument);
  (void)(*c)->Command({"DEL", key});
  EXPECT_EQ(Client::Connect("http://x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Client::Connect("redis://127.0.0.1:1", absl::Seconds(1)).status().code(),
      absl::StatusCode::kUnavailable);
}

class StreamBusTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    auto t = TestDatabase::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status();
    db_ = std::move(*t);
    ASSERT_TRUE(db_->db().Migrate(kEventsModule, EventMigrations()).ok());
    ids_ = std::move(*IdGenerator::Create(3, Clock::Real()));
    prefix_ = absl::StrCat("tokkit:test:", HexEncode(RandomBytes(6)));
  }

  StreamBusOptions Options(const std::string& url) {
    StreamBusOptions o;
    o.url = url;
    o.stream = prefix_ + ":events";
    o.lease_key = prefix_ + ":lease";
    o.lease = absl::Milliseconds(400);
    o.poll_interval = absl::Milliseconds(20);
    o.block = absl::Milliseconds(100);
    return o;
  }

  int64_t Append(const std::string& topic) {
    const int64_t id = *ids_->Next();
    EXPECT_TRUE(db_->db()
                    .Transact([&](soci::session& sql) {
                      AppendToOutbox(sql, {id, topic, "k", "p", absl::Now()});
                      return absl::OkStatus();
                    })
                    .ok());
    return id;
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<IdGenerator> ids_;
  std::string prefix_;
};

TEST_P(StreamBusTest, EveryReplicaGetsEachEventOnceFromOnePublisher) {
  REQUIRE_REDIS(url);
  auto a = StreamBus::Open(&db_->db(), Clock::Real(), Options(url));
  auto b = StreamBus::Open(&db_->db(), Clock::Real(), Options(url));
  ASSERT_TRUE(a.ok() && b.ok());
  Inbox in_a, in_b;
  auto sa = (*a)->Subscribe("test", "t", in_a.Handler());
  auto sb = (*b)->Subscribe("test", "t", in_b.Handler());
  auto so = (*b)->Subscribe("test", "other", [&](const Event&) {
    ADD_FAILURE() << "wrong topic";
    return absl::OkStatus();
  });
  absl::SleepFor(
      absl::Milliseconds(300));  // readers positioned, a leader elected
  EXPECT_NE((*a)->is_leader(), (*b)->is_leader());
  std::vector<int64_t> sent;
  for (int i = 0; i < 5; ++i) sent.push_back(Append("t"));
  (*a)->Poke();
  (*b)->Poke();
  EXPECT_EQ(in_a.WaitFor(5), sent);
  EXPECT_EQ(in_b.WaitFor(5), sent);
  auto c = Client::Connect(url);
  EXPECT_EQ((*c)->Command({"XLEN", prefix_ + ":events"})->integer,
            5);  // published once
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(in_a.WaitFor(5).size(), 5u);  // and nothing more arrives
  (void)(*c)->Command({"DEL", prefix_ + ":events"});
}

TEST_P(StreamBusTest, AnotherReplicaTakesOverWhenTheLeaderGoes) {
  REQUIRE_REDIS(url);
  auto a = StreamBus::Open(&db_->db(), Clock::Real(), Options(url));
  ASSERT_TRUE(a.ok());
  absl::SleepFor(absl::Milliseconds(200));
  ASSERT_TRUE((*a)->is_leader());
  auto b = StreamBus::Open(&db_->db(), Clock::Real(), Options(url));
  ASSERT_TRUE(b.ok());
  Inbox in_b;
  auto sb = (*b)->Subscribe("test", "t", in_b.Handler());
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_FALSE((*b)->is_leader());
  a->reset();  // the leader stops (and gives up its lease)
  const int64_t id = Append("t");
  EXPECT_EQ(in_b.WaitFor(1), std::vector<int64_t>{id});
  EXPECT_TRUE((*b)->is_leader());
  auto c = Client::Connect(url);
  (void)(*c)->Command({"DEL", prefix_ + ":events"});
}

// Regression: a reader started at "$" on its first XREAD, so an event
// published between Open and that read (a replica just started, a chat
// stream just opened) was never delivered to it.
TEST_P(StreamBusTest, AnEventPublishedRightAfterOpenIsRead) {
  REQUIRE_REDIS(url);
  auto leader = StreamBus::Open(&db_->db(), Clock::Real(), Options(url));
  ASSERT_TRUE(leader.ok());
  for (absl::Time until = absl::Now() + absl::Seconds(10);
       !(*leader)->is_leader() && absl::Now() < until;) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_TRUE((*leader)->is_leader());
  for (int round = 0; round < 5; ++round) {
    StreamBusOptions reader_options = Options(url);
    reader_options.lead = false;
    auto reader = StreamBus::Open(&db_->db(), Clock::Real(), reader_options);
    ASSERT_TRUE(reader.ok());
    Inbox inbox;
    auto sub = (*reader)->Subscribe("test", "t", inbox.Handler());
    const int64_t id = Append("t");
    (*leader)->Poke();
    EXPECT_EQ(inbox.WaitFor(1), std::vector<int64_t>{id}) << "round " << round;
  }
  auto c = Client::Connect(url);
  (void)(*c)->Command({"DEL", prefix_ + ":events"});
}

// A relay leader process killed (SIGKILL) at random points, while events are
// being committed, hands over to the next without losing or doubling a
// delivery. Regression: a new leader resumed from "now - lookback", which a
// lease longer than the lookback left behind events committed just before the
// kill (31-90 lost per 4,000).
TEST_P(StreamBusTest, KilledLeadersLoseAndDoubleNothing) {
  REQUIRE_REDIS(url);
  StreamBusOptions reader_options = Options(url);
  reader_options.lead = false;  // only the killed processes publish
  auto reader = StreamBus::Open(&db_->db(), Clock::Real(), reader_options);
  ASSERT_TRUE(reader.ok());
  absl::Mutex mu;
  std::vector<int64_t> received;
  auto sub = (*reader)->Subscribe("test", "t", [&](const Event& e) {
    absl::MutexLock lock(&mu);
    received.push_back(e.id);
    return absl::OkStatus();
  });

  // A lease longer than the tailer's lookback, as when the bug showed.
  const std::string lease_ms = "1500", lookback_ms = "1000";
  auto spawn = [&]() -> pid_t {
    std::string stream = prefix_ + ":events", lease = prefix_ + ":lease";
    std::string db_url = db_->url();
    const char* argv[] = {"lib/redis/stream_bus_replica",
                          db_url.c_str(),
                          url.c_str(),
                          stream.c_str(),
                          lease.c_str(),
                          lease_ms.c_str(),
                          lookback_ms.c_str(),
                          nullptr};
    pid_t pid = 0;
    EXPECT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr,
                          const_cast<char**>(argv), environ),
              0);
    return pid;
  };

  std::atomic<bool> appending{true};
  std::vector<int64_t> sent;
  std::thread appender([&] {
    while (appending) {
      sent.push_back(Append("t"));
      absl::SleepFor(absl::Milliseconds(2));
    }
  });
  std::mt19937 random(std::random_device{}());
  pid_t leader = spawn();
  for (int round = 0; round < 3; ++round) {
    // Let the new leader take over and publish for a random while.
    absl::SleepFor(absl::Milliseconds(1600 + random() % 700));
    kill(leader, SIGKILL);
    waitpid(leader, nullptr, 0);
    leader = spawn();
  }
  absl::SleepFor(absl::Milliseconds(300));
  appending = false;
  appender.join();
  // The last leader publishes what is left.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    {
      absl::MutexLock lock(&mu);
      if (received.size() >= sent.size()) break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  absl::SleepFor(absl::Milliseconds(300));  // anything doubled shows up too
  kill(leader, SIGKILL);
  waitpid(leader, nullptr, 0);
  absl::MutexLock lock(&mu);
  std::vector<int64_t> got = received;
  std::sort(got.begin(), got.end());
  EXPECT_EQ(std::adjacent_find(got.begin(), got.end()), got.end())
      << "an event was delivered twice";
  std::vector<int64_t> lost;
  std::set_difference(sent.begin(), sent.end(), got.begin(), got.end(),
                      std::back_inserter(lost));
  EXPECT_TRUE(lost.empty())
      << lost.size() << " of " << sent.size() << " events never delivered";
  EXPECT_GT(sent.size(), 1000u);
  auto c = Client::Connect(url);
  (void)(*c)->Command({"DEL", prefix_ + ":events", prefix_ + ":lease"});
}

INSTANTIATE_TEST_SUITE_P(Backends, StreamBusTest,
                         ::testing::ValuesIn(TestBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tokkit::redis
