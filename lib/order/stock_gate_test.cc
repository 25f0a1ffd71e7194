// The Redis stock gate in front of orders, on every backend with a real
// Redis: it never lets the database oversell or lose an order, refuses
// sold-out orders without a write transaction, keeps idempotent retries
// answering with their order, and follows the database after a re-sync.
#include <atomic>
#include <thread>

#include "lib/order/testing/shop_test.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit::order {
namespace {

using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;

class StockGateTest : public testing::ShopTest {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> redis =
        ::tokkit::testing::TestServerUrl("TOKKIT_TEST_REDIS");
    if (absl::IsNotFound(redis.status())) GTEST_SKIP() << redis.status();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *redis;
    ShopTest::SetUp();
  }
  void Customize(PlatformConfig& c) override {
    c.redis_url = redis_;
    c.stock_gate = true;
    c.stock_gate_resync = absl::Milliseconds(300);
  }
  std::string redis_;
};

TEST_P(StockGateTest, NeverOversellsAndRefusesSoldOutWithoutAWriteTransaction) {
  const commerce::Sku sku = Product(1000, 5);
  std::vector<Principal> buyers;
  for (int i = 0; i < 12; ++i) {
    buyers.push_back(User("buyer" + std::to_string(i)));
  }
  for (const Principal& b : buyers) AddressOf(b);
  std::atomic<int> bought{0}, sold_out{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&, i] {
      absl::StatusOr<Order> o = Buy(buyers[i], sku.id, 1, "k");
      if (o.ok()) {
        bought.fetch_add(1);
      } else if (absl::IsFailedPrecondition(o.status())) {
        sold_out.fetch_add(1);
      } else {
        other.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(bought.load(), 5);
  EXPECT_EQ(sold_out.load(), 7);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(commerce().GetProduct(sku.spu_id)->skus[0].stock, 0);

  // Sold out per the gate: refused with no write transaction (SQLite counts
  // them), and a retry of a bought order still returns it.
  Database& db = tp_->platform().storage().database();
  const int64_t before = db.group_commit_stats().transactions;
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(absl::IsFailedPrecondition(
        Buy(buyers[0], sku.id, 1, "late" + std::to_string(i)).status()));
  }
  if (GetParam().engine == "sqlite") {
    EXPECT_EQ(db.group_commit_stats().transactions, before);
  }
  int retried = 0;
  for (const Principal& b : buyers) {
    absl::StatusOr<Order> again = Buy(b, sku.id, 1, "k");
    retried += again.ok();
  }
  EXPECT_EQ(retried, 5) << "each bought order is returned to its retry";
}

TEST_P(StockGateTest, StockThatComesBackIsSoldAgainAfterTheResync) {
  const commerce::Sku sku = Product(1000, 1);
  const Principal a = User("ann"), b = User("ben");
  absl::StatusOr<Order> first = Buy(a, sku.id, 1, "a1");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(absl::IsFailedPrecondition(Buy(b, sku.id, 1, "b1").status()));
  ASSERT_TRUE(orders().CancelOrder(a, first->id).ok());  // stock back in SQL
  absl::SleepFor(absl::Milliseconds(400));               // past the re-sync
  absl::StatusOr<Order> second = Buy(b, sku.id, 1, "b2");
  EXPECT_TRUE(second.ok()) << second.status();
  // A failed order gives its admission back: the gate still has none left
  // and the database agrees.
  EXPECT_TRUE(absl::IsFailedPrecondition(Buy(a, sku.id, 1, "a2").status()));
  EXPECT_EQ(commerce().GetProduct(sku.spu_id)->skus[0].stock, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, StockGateTest,
                         ::testing::ValuesIn(SqlStorages()), StorageTestName);

}  // namespace
}  // namespace tokkit::order
