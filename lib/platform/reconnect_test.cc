// A database server restart in the middle of a load of orders and chat
// messages is survived without restarting tokkit: broken pooled connections
// are detected and reopened, transactions that failed before committing are
// retried, and every write that was acknowledged is there afterwards. Run on
// PostgreSQL and on MariaDB.
//
// The test runs its own servers (tools/testenv/postgres.sh, mariadb.sh) so it
// can stop and start them.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "lib/core/crypto.h"
#include "lib/platform/platform.h"

namespace tokkit {
namespace {

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A throwaway server started by tools/testenv/<kind>.sh.
class Server {
 public:
  explicit Server(std::string kind) : kind_(std::move(kind)) {}
  bool Start() {
    if (dir_.empty()) {
      char tmpl[] = "/tmp/tokkit-reconnect-XXXXXX";
      dir_ = mkdtemp(tmpl);
      port_ = FreePort();
    }
    return Run("start") == 0;
  }
  bool Stop() { return Run("stop") == 0; }
  ~Server() {
    Stop();
    std::system(absl::StrCat("rm -rf ", dir_).c_str());
  }
  std::string url() const {
    return kind_ == "postgres"
               ? absl::StrCat("postgresql://tokkit@127.0.0.1:", port_,
                              "/tokkit")
               : absl::StrCat("mysql://tokkit:tokkit@127.0.0.1:", port_,
                              "/tokkit");
  }

 private:
  int Run(const std::string& what) {
    return std::system(absl::StrCat("tools/testenv/", kind_, ".sh ", what, " ",
                                    dir_, " ", port_, " >/dev/null")
                           .c_str());
  }
  const std::string kind_;
  std::string dir_;
  int port_ = 0;
};

class ReconnectTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ReconnectTest, AServerRestartMidLoadIsSurvived) {
  const char* installed = std::getenv(
      GetParam() == "postgres" ? "TOKKIT_TEST_POSTGRES" : "TOKKIT_TEST_MYSQL");
  if (installed == nullptr) {
    GTEST_SKIP() << GetParam() << " is not installed for tests";
  }
  ASSERT_TRUE(InitCrypto().ok());
  Server pg(GetParam());
  ASSERT_TRUE(pg.Start());
  PlatformConfig config;
  config.database_url = pg.url();
  config.database_pool_size = 6;
  config.blob_dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/blobs");
  config.signing_keys = {{"k", RandomBytes(32)}};
  config.worker_id = 1;
  config.password_hashing = account::PasswordHashOptions::ForTesting();
  auto platform = Platform::Open(config);
  ASSERT_TRUE(platform.ok()) << platform.status();
  Platform& p = **platform;
  auto& accounts = p.accounts();

  // A shop, buyers with addresses, and chat partners.
  auto sign_up = [&](const std::string& name) {
    EXPECT_TRUE(
        accounts.Register({name, name + "@example.com", "blue-kettle-42", ""})
            .ok());
    return accounts.Login({name, "blue-kettle-42", "", "", ""})->principal;
  };
  account::Principal admin = sign_up("boss");
  ASSERT_TRUE(accounts.GrantAdmin("boss").ok());
  admin.role = account::Role::kAdmin;
  account::Principal merchant = sign_up("shop");
  ASSERT_TRUE(
      accounts.SetRole(admin, merchant.user_id, account::Role::kMerchant).ok());
  merchant.role = account::Role::kMerchant;
  const int64_t category = p.commerce().CreateCategory(admin, "All")->id;
  commerce::NewProduct product;
  product.category_id = category;
  product.name = "Tea";
  product.for_sale = true;
  product.skus = {{"box", 100, 1000000}};
  const int64_t sku = p.commerce().CreateProduct(merchant, product)->skus[0].id;
  account::Principal buyer = sign_up("buyer"), friend_ = sign_up("friend");
  account::Address home;
  home.recipient = "R";
  home.phone = "+86 138 0000 0000";
  home.line1 = "1 Road";
  home.city = "Hangzhou";
  home.country_code = "CN";
  const int64_t address = accounts.AddAddress(buyer, home)->id;

  absl::Mutex mu;
  std::vector<int64_t> orders, messages;
  std::atomic<int> failures{0}, wrong_codes{0};
  std::atomic<bool> running{true};
  std::atomic<int64_t> last_success_ms{0};
  auto note = [&](const absl::Status& st) {
    if (st.ok()) {
      last_success_ms = absl::ToUnixMillis(absl::Now());
      return;
    }
    ++failures;
    // During the outage: unavailable (or a deadline), never a driver error
    // dressed as INTERNAL.
    if (st.code() != absl::StatusCode::kUnavailable &&
        st.code() != absl::StatusCode::kDeadlineExceeded) {
      ++wrong_codes;
      ADD_FAILURE() << st;
    }
  };
  std::vector<std::thread> load;
  for (int t = 0; t < 2; ++t) {
    load.emplace_back([&, t] {
      for (int i = 0; running; ++i) {
        order::CreateOrderRequest r;
        r.lines = {{sku, 1}};
        r.address_id = address;
        r.idempotency_key = absl::StrCat("o", t, "-", i);
        absl::StatusOr<order::Order> o = p.orders().CreateOrder(buyer, r);
        note(o.status());
        if (o.ok()) {
          absl::MutexLock lock(&mu);
          orders.push_back(o->id);
        }
        absl::SleepFor(absl::Milliseconds(5));
      }
    });
    load.emplace_back([&, t] {
      for (int i = 0; running; ++i) {
        absl::StatusOr<social::Message> m = p.chat().Send(
            t == 0 ? buyer : friend_, t == 0 ? friend_.user_id : buyer.user_id,
            absl::StrCat("hello ", i), "");
        note(m.status());
        if (m.ok()) {
          absl::MutexLock lock(&mu);
          messages.push_back(m->id);
        }
        absl::SleepFor(absl::Milliseconds(5));
      }
    });
  }
  absl::SleepFor(absl::Seconds(1));
  ASSERT_TRUE(pg.Stop());  // every connection is cut
  absl::SleepFor(absl::Milliseconds(500));
  ASSERT_TRUE(pg.Start());
  const int64_t restarted_ms = absl::ToUnixMillis(absl::Now());
  // Serving again within seconds, without restarting tokkit.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (last_success_ms.load() < restarted_ms && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  const int64_t recovered_after = last_success_ms.load() - restarted_ms;
  EXPECT_GE(recovered_after, 0) << "no write succeeded after the restart";
  EXPECT_LT(recovered_after, 5000);
  absl::SleepFor(absl::Seconds(1));  // and keeps serving
  running = false;
  for (std::thread& t : load) t.join();
  EXPECT_EQ(wrong_codes.load(), 0);

  // Every acknowledged write is there.
  absl::MutexLock lock(&mu);
  EXPECT_GT(orders.size(), 50u);
  EXPECT_GT(messages.size(), 20u);
  for (int64_t id : orders) {
    EXPECT_TRUE(p.orders().GetOrder(buyer, id).ok()) << id;
  }
  for (int64_t id : messages) {
    auto missed = p.chat().MissedSince(buyer, id - 1, 1);
    ASSERT_TRUE(missed.ok());
    ASSERT_FALSE(missed->empty());
    EXPECT_EQ(missed->front().id, id);
  }
  std::printf(
      "orders %zu, messages %zu, failed calls %d, recovered %lld ms "
      "after the restart\n",
      orders.size(), messages.size(), failures.load(),
      static_cast<long long>(recovered_after));
}

INSTANTIATE_TEST_SUITE_P(Servers, ReconnectTest,
                         ::testing::Values("postgres", "mariadb"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tokkit
