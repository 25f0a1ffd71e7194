// Flash sale: concurrent buyers ordering one hot SKU through the full order
// path (idempotency check, price snapshot, conditional stock decrement, order
// and item rows, outbox event, one transaction), against the floor measured
// in the same run: raw SQLite conditional decrements of a stock column.
//
//   bazel run -c opt //tools/bench:flash_sale_bench
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "lib/core/crypto.h"
#include "lib/platform/platform.h"

namespace tokkit {
namespace {

std::string TempDir() {
  static const std::string dir = [] {
    std::string d = absl::StrCat("/tmp/tokkit-bench-", getpid());
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

struct Shop {
  std::unique_ptr<Platform> platform;
  std::vector<account::Principal> buyers;
  std::vector<int64_t> addresses;
  int64_t sku_id = 0;
  std::atomic<int64_t> next_key{0};
};

Shop& TheShop() {
  static Shop* shop = [] {
    auto* s = new Shop();
    (void)InitCrypto();
    PlatformConfig c;
    c.database_url = absl::StrCat("sqlite:", TempDir(), "/shop.db");
    c.blob_dir = TempDir() + "/blobs";
    c.signing_keys = {{"bench", RandomBytes(32)}};
    c.password_hashing = account::PasswordHashOptions::ForTesting();
    c.orders.expiry_sweep_interval = absl::ZeroDuration();
    s->platform = *Platform::Open(c);
    auto& accounts = s->platform->accounts();
    (void)accounts.Register({"boss", "boss@example.com", "bench-pass-1", ""});
    (void)accounts.GrantAdmin("boss");
    account::Principal admin =
        accounts.Login({"boss", "bench-pass-1", "", "", ""})->principal;
    (void)accounts.Register(
        {"seller", "seller@example.com", "bench-pass-1", ""});
    account::Principal seller =
        accounts.Login({"seller", "bench-pass-1", "", "", ""})->principal;
    (void)accounts.SetRole(admin, seller.user_id, account::Role::kMerchant);
    seller.role = account::Role::kMerchant;
    admin.role = account::Role::kAdmin;
    const int64_t category =
        s->platform->commerce().CreateCategory(admin, "Hot")->id;
    commerce::NewProduct p;
    p.category_id = category;
    p.name = "Limited sneaker";
    p.skus = {{"size=42", 49900, 100'000'000}};
    s->sku_id = s->platform->commerce().CreateProduct(seller, p)->skus[0].id;
    for (int i = 0; i < 8; ++i) {
      const std::string name = absl::StrCat("buyer", i);
      (void)accounts.Register(
          {name, name + "@example.com", "bench-pass-1", ""});
      account::Principal b =
          accounts.Login({name, "bench-pass-1", "", "", ""})->principal;
      account::Address a;
      a.recipient = "B";
      a.phone = "+1 555 0100";
      a.line1 = "1 Main St";
      a.city = "Springfield";
      a.country_code = "US";
      s->addresses.push_back(accounts.AddAddress(b, a)->id);
      s->buyers.push_back(b);
    }
    return s;
  }();
  return *shop;
}

void BM_FlashSaleOrders(benchmark::State& state) {
  Shop& shop = TheShop();
  const size_t who =
      static_cast<size_t>(state.thread_index()) % shop.buyers.size();
  int64_t failures = 0;
  for (auto _ : state) {
    order::CreateOrderRequest r;
    r.lines = {{shop.sku_id, 1}};
    r.address_id = shop.addresses[who];
    r.idempotency_key = absl::StrCat("k", shop.next_key.fetch_add(1));
    if (!shop.platform->orders().CreateOrder(shop.buyers[who], r).ok())
      ++failures;
  }
  state.counters["orders/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["failed"] = static_cast<double>(failures);
}
BENCHMARK(BM_FlashSaleOrders)->Threads(1)->Threads(4)->UseRealTime();

// The floor: the same engine and settings, one UPDATE per transaction.
void BM_RawSqliteConditionalDecrement(benchmark::State& state) {
  static const std::string path = absl::StrCat(TempDir(), "/raw.db");
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_busy_timeout(db, 10000);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
               nullptr, nullptr, nullptr);
  if (state.thread_index() == 0) {
    sqlite3_exec(db,
                 "CREATE TABLE IF NOT EXISTS skus (id INTEGER PRIMARY KEY, "
                 "stock INTEGER);"
                 "INSERT OR REPLACE INTO skus VALUES (1, 100000000);",
                 nullptr, nullptr, nullptr);
  }
  sqlite3_stmt* st = nullptr;
  for (auto _ : state) {
    if (st == nullptr) {
      sqlite3_prepare_v2(
          db, "UPDATE skus SET stock = stock - 1 WHERE id = 1 AND stock >= 1",
          -1, &st, nullptr);
    }
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  state.counters["orders/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RawSqliteConditionalDecrement)
    ->Threads(1)
    ->Threads(4)
    ->UseRealTime();

}  // namespace
}  // namespace tokkit

BENCHMARK_MAIN();
