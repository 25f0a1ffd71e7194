// Chat rules and live delivery, on every SQL backend.
#include "lib/social/chat_service.h"

#include <atomic>
#include <cstdlib>
#include <deque>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "lib/core/metrics.h"
#include "lib/platform/testing/test_platform.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit::social {
namespace {

using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;
using ::tokkit::testing::TestPlatform;

constexpr char kPassword[] = "blue-kettle-42";

class Inbox : public ChatSink {
 public:
  void Deliver(const Message& m) override {
    absl::MutexLock lock(&mu_);
    got_.push_back(m);
  }
  // Waits (real time) until `n` messages arrived.
  std::vector<Message> WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return got_.size() >= n;
    };
    mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(10));
    return got_;
  }

 private:
  absl::Mutex mu_;
  std::vector<Message> got_ ABSL_GUARDED_BY(mu_);
};

class ChatTest
    : public ::testing::TestWithParam<::tokkit::testing::StorageUnderTest> {
 protected:
  void SetUp() override {
    auto t = TestPlatform::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status();
    tp_ = std::move(*t);
  }
  ChatService& chat() { return tp_->platform().chat(); }

  Principal User(const std::string& name) {
    auto login = tp_->SignUp(name);
    EXPECT_TRUE(login.ok()) << login.status();
    return login->principal;
  }

  std::unique_ptr<TestPlatform> tp_;
};

TEST_P(ChatTest, SendValidatesAndIsIdempotentByClientId) {
  Principal a = User("anna"), b = User("ben");
  EXPECT_EQ(chat().Send(a, a.user_id, "me", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(chat().Send(a, b.user_id, "", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      chat().Send(a, b.user_id, std::string(2001, 'x'), "").status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(chat().Send(a, 123456, "hello?", "").status().code(),
            absl::StatusCode::kNotFound);

  Message m1 = *chat().Send(a, b.user_id, "hi ben", "c-1");
  Message retry = *chat().Send(a, b.user_id, "hi ben", "c-1");
  EXPECT_EQ(retry.id, m1.id);
  Message m2 = *chat().Send(a, b.user_id, "hi again", "c-2");
  EXPECT_GT(m2.id, m1.id);
  EXPECT_EQ(chat()
                .History(b, a.user_id, HistoryDirection::kOlder, "", 10)
                ->items.size(),
            2u);
}

TEST_P(ChatTest, BannedUsersCannotBeMessaged) {
  Principal a = User("anna"), b = User("ben");
  User("boss");
  ASSERT_TRUE(tp_->platform().accounts().GrantAdmin("boss").ok());
  auto admin =
      tp_->platform().accounts().Login({"boss", kPassword, "", "", ""});
  ASSERT_TRUE(tp_->platform().accounts().Ban(admin->principal, b.user_id).ok());
  absl::Status st = chat().Send(a, b.user_id, "hi", "").status();
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  // The banned side cannot send either (an embedding caller holding a stale
  // principal still goes through this check).
  EXPECT_EQ(chat().Send(b, a.user_id, "hi", "").status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_P(ChatTest, HistoryPagesBothWaysAndUnreadCountsAreExact) {
  Principal a = User("anna"), b = User("ben");
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(chat()
                      .Send(i % 2 ? b : a, i % 2 ? a.user_id : b.user_id,
                            "m" + std::to_string(i), "")
                      ->id);
  }
  Page<Message> older =
      *chat().History(a, b.user_id, HistoryDirection::kOlder, "", 2);
  ASSERT_EQ(older.items.size(), 2u);
  EXPECT_EQ(older.items[0].id, ids[4]);
  older = *chat().History(a, b.user_id, HistoryDirection::kOlder,
                          older.next_page_token, 2);
  EXPECT_EQ(older.items[0].id, ids[2]);
  Page<Message> newer =
      *chat().History(a, b.user_id, HistoryDirection::kNewer, "", 3);
  ASSERT_EQ(newer.items.size(), 3u);
  EXPECT_EQ(newer.items[0].id, ids[0]);
  const std::string newer_token = newer.next_page_token;
  newer =
      *chat().History(a, b.user_id, HistoryDirection::kNewer, newer_token, 3);
  ASSERT_EQ(newer.items.size(), 2u);
  EXPECT_EQ(newer.items[1].id, ids[4]);
  EXPECT_TRUE(newer.next_page_token.empty());
  EXPECT_EQ(chat()
                .History(a, b.user_id, HistoryDirection::kOlder, newer_token, 3)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);

  // b received m0, m2, m4; a received m1, m3.
  std::vector<ConversationView> bc = *chat().ListConversations(b, 10);
  ASSERT_EQ(bc.size(), 1u);
  EXPECT_EQ(bc[0].peer.username, "anna");
  EXPECT_EQ(bc[0].conversation.unread_count, 3);
  EXPECT_EQ(bc[0].last_message.id, ids[4]);
  EXPECT_EQ(chat().ListConversations(a, 10)->at(0).conversation.unread_count,
            2);

  Conversation read = *chat().MarkRead(b, a.user_id, ids[2]);
  EXPECT_EQ(read.unread_count, 1);
  read = *chat().MarkRead(b, a.user_id, ids[0]);  // never moves back
  EXPECT_EQ(read.unread_count, 1);
  EXPECT_EQ(chat().MarkRead(b, a.user_id, ids[4])->unread_count, 0);
  EXPECT_EQ(chat().MarkRead(b, 99999, ids[4]).status().code(),
            absl::StatusCode::kNotFound);

  std::vector<Message> missed = *chat().MissedSince(a, ids[1], 100);
  ASSERT_EQ(missed.size(), 3u);  // m2, m3, m4: sent and received
  EXPECT_EQ(missed[0].id, ids[2]);
}

// Messages of one conversation kept by when they were sent: [since, until),
// paged both ways, the window bound to its page tokens.
TEST_P(ChatTest, HistoryByTimeWindow) {
  Principal a = User("anna"), b = User("ben");
  std::vector<Message> sent;
  std::vector<absl::Time> at;
  for (int i = 0; i < 6; ++i) {
    at.push_back(tp_->clock().Now());
    sent.push_back(*chat().Send(a, b.user_id, "m" + std::to_string(i), ""));
    tp_->clock().Advance(absl::Hours(1));
  }
  // An hour apart: [at[1], at[4]) holds m1, m2, m3.
  const TimeWindow window{at[1], at[4]};
  Page<Message> newer =
      *chat().History(b, a.user_id, HistoryDirection::kNewer, "", 2, window);
  ASSERT_EQ(newer.items.size(), 2u);
  EXPECT_EQ(newer.items[0].id, sent[1].id);
  EXPECT_EQ(newer.items[1].id, sent[2].id);
  newer = *chat().History(b, a.user_id, HistoryDirection::kNewer,
                          newer.next_page_token, 2, window);
  ASSERT_EQ(newer.items.size(), 1u);
  EXPECT_EQ(newer.items[0].id, sent[3].id);
  EXPECT_TRUE(newer.next_page_token.empty());

  Page<Message> older =
      *chat().History(a, b.user_id, HistoryDirection::kOlder, "", 2, window);
  ASSERT_EQ(older.items.size(), 2u);
  EXPECT_EQ(older.items[0].id, sent[3].id);
  EXPECT_EQ(older.items[1].id, sent[2].id);
  // The token carries its window: another one (or none) is refused.
  EXPECT_EQ(chat()
                .History(a, b.user_id, HistoryDirection::kOlder,
                         older.next_page_token, 2)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  older = *chat().History(a, b.user_id, HistoryDirection::kOlder,
                          older.next_page_token, 2, window);
  ASSERT_EQ(older.items.size(), 1u);
  EXPECT_EQ(older.items[0].id, sent[1].id);

  // Open ends; an exact bound; empty and reversed windows.
  EXPECT_EQ(chat()
                .History(a, b.user_id, HistoryDirection::kNewer, "", 10,
                         TimeWindow{at[4], absl::InfiniteFuture()})
                ->items.size(),
            2u);
  EXPECT_EQ(chat()
                .History(a, b.user_id, HistoryDirection::kNewer, "", 10,
                         TimeWindow{absl::InfinitePast(), at[1]})
                ->items.size(),
            1u);
  EXPECT_EQ(
      chat()
          .History(a, b.user_id, HistoryDirection::kOlder, "", 10,
                   TimeWindow{at[5] + absl::Minutes(1), absl::InfiniteFuture()})
          ->items.size(),
      0u);
  EXPECT_EQ(chat()
                .History(a, b.user_id, HistoryDirection::kOlder, "", 10,
                         TimeWindow{at[3], at[3]})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ChatTest, LiveDeliveryReachesEveryOpenConnectionOnEveryReplica) {
  Principal a = User("anna"), b = User("ben");
  // A second replica: its own Platform (own relay, own id worker) on the
  // same database.
  PlatformConfig second = tp_->config();
  second.worker_id = 2;
  auto replica = Platform::Open(second);
  ASSERT_TRUE(replica.ok()) << replica.status();

  Inbox b_phone, b_laptop_on_replica, a_phone;
  auto c1 = chat().Connect(b.user_id, &b_phone);
  auto c2 = (*replica)->chat().Connect(b.user_id, &b_laptop_on_replica);
  auto c3 = chat().Connect(a.user_id, &a_phone);
  Message sent = *chat().Send(a, b.user_id, "ping", "");
  ASSERT_EQ(b_phone.WaitFor(1).size(), 1u);
  std::vector<Message> far = b_laptop_on_replica.WaitFor(1);
  ASSERT_EQ(far.size(), 1u);
  EXPECT_EQ(far[0].id, sent.id);
  EXPECT_EQ(far[0].body, "ping");
  EXPECT_EQ(a_phone.WaitFor(1).size(), 1u);  // the sender's other devices too

  // Sent through the replica, delivered here.
  Message back = *(*replica)->chat().Send(b, a.user_id, "pong", "");
  std::vector<Message> a_got = a_phone.WaitFor(2);
  ASSERT_EQ(a_got.size(), 2u);
  EXPECT_EQ(a_got[1].id, back.id);
  c2.reset();
  c1.reset();
  c3.reset();
}

TEST_P(ChatTest, LiveDeliveryAcrossReplicasOverRedis) {
  const char* redis = std::getenv("TOKKIT_TEST_REDIS");
  if (redis == nullptr || *redis == '\0') GTEST_SKIP() << "no test Redis";
  // Two replicas that share the database and a Redis stream.
  PlatformConfig config = tp_->config();
  config.redis_url = redis;
  auto first = Platform::Open(config);
  config.worker_id = 2;
  auto second = Platform::Open(config);
  ASSERT_TRUE(first.ok() && second.ok());
  Principal a = User("anna"), b = User("ben");
  Inbox b_on_second;
  auto c = (*second)->chat().Connect(b.user_id, &b_on_second);
  absl::SleepFor(absl::Milliseconds(300));  // stream readers in place
  Message sent = *(*first)->chat().Send(a, b.user_id, "via redis", "");
  std::vector<Message> got = b_on_second.WaitFor(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, sent.id);
  c.reset();
}

// Transactions retried after a lost race, process-wide (from /metrics).
double ConflictRetries() {
  return metrics::ScrapedValue(
      "tokkit_db_transaction_retries_total{reason=\"conflict\"}");
}

// Regression: each send upserted the recipient's conversation row, then the
// sender's; two people writing to each other at once locked the two rows in
// opposite orders and PostgreSQL broke the deadlock after a second (chat
// ran at ~1 message/s). Rows are now locked in one order.
TEST_P(ChatTest, PeopleWritingToEachOtherAtOnceDoNotDeadlock) {
  Principal a = User("anna"), b = User("ben");
  const double before = ConflictRetries();
  std::atomic<int> failed{0};
  auto talk = [&](const Principal& from, const Principal& to) {
    for (int i = 0; i < 40; ++i) {
      if (!chat().Send(from, to.user_id, absl::StrCat("hi ", i), "").ok()) {
        ++failed;
      }
    }
  };
  std::thread one(talk, a, b), two(talk, b, a);
  one.join();
  two.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(ConflictRetries() - before, 0) << "sends retried after deadlocks";
  auto convs = chat().ListConversations(a, 10);
  ASSERT_TRUE(convs.ok()) << convs.status();
  ASSERT_EQ(convs->size(), 1u);
  EXPECT_EQ((*convs)[0].conversation.unread_count, 40);
}

INSTANTIATE_TEST_SUITE_P(Backends, ChatTest, ::testing::ValuesIn(SqlStorages()),
                         StorageTestName);

}  // namespace
}  // namespace tokkit::social
