// Flash sale: concurrent buyers ordering one hot SKU through the full order
// path (idempotency check, price snapshot, conditional stock decrement, order
// and item rows, outbox event, one transaction), against the floor measured
// in the same run on the same database: the same rows written by hand in raw
// SQL (conditional decrement, order row, item row, one transaction). On
// SQLite, and on PostgreSQL and MySQL/MariaDB when TOKKIT_TEST_POSTGRES /
// TOKKIT_TEST_MYSQL name a server.
//
//   bazel run -c opt //tools/bench:flash_sale_bench
#include <soci/mysql/soci-mysql.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "benchmark/benchmark.h"
#include "lib/core/crypto.h"
#include "lib/platform/platform.h"
#include "lib/store/sql/testing/test_database.h"

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

// The backends to measure: SQLite always; PostgreSQL and MySQL/MariaDB when
// TOKKIT_TEST_POSTGRES / TOKKIT_TEST_MYSQL name a server (tools/testenv
// starts them). Each run gets a fresh schema or database of its own.
std::vector<std::string> Backends() {
  // Read in main before any benchmark thread starts.
  // NOLINTNEXTLINE(concurrency-mt-unsafe)
  const char* postgres = std::getenv("TOKKIT_TEST_POSTGRES");
  // NOLINTNEXTLINE(concurrency-mt-unsafe)
  const char* mysql = std::getenv("TOKKIT_TEST_MYSQL");
  std::vector<std::string> out = {"sqlite"};
  if (postgres != nullptr) out.push_back("postgresql");
  if (mysql != nullptr) out.push_back("mysql");
  return out;
}

testing::TestDatabase& FreshDatabase(const std::string& backend) {
  static auto* dbs =
      new std::map<std::string, std::unique_ptr<testing::TestDatabase>>();
  std::unique_ptr<testing::TestDatabase>& db = (*dbs)[backend];
  if (db == nullptr) {
    absl::StatusOr<std::unique_ptr<testing::TestDatabase>> made =
        testing::TestDatabase::Create(backend, 1);
    if (!made.ok()) {
      std::fprintf(stderr, "%s: %s\n", backend.c_str(),
                   std::string(made.status().message()).c_str());
      std::abort();
    }
    db = *std::move(made);
  }
  return *db;
}

struct Shop {
  std::unique_ptr<Platform> platform;
  std::vector<account::Principal> buyers;
  std::vector<int64_t> addresses;
  int64_t sku_id = 0;
  int64_t sold_out_sku_id = 0;  // stock 0
  std::atomic<int64_t> next_key{0};
};

// Redis for the stock gate's runs (read in main before threads start).
std::string& RedisUrl() {
  static std::string url;
  return url;
}

// `gate`: orders go through the Redis stock gate (a platform of its own on
// the same database).
Shop& TheShop(const std::string& backend, bool gate = false) {
  static auto* shops = new std::map<std::string, Shop*>();
  static absl::Mutex mu;
  absl::MutexLock lock(&mu);
  Shop*& shop = (*shops)[absl::StrCat(backend, gate ? "+gate" : "")];
  if (shop != nullptr) return *shop;
  auto* s = new Shop();
  (void)InitCrypto();
  PlatformConfig c;
  if (gate) {
    c.redis_url = RedisUrl();
    c.stock_gate = true;
    c.redis_key_prefix = absl::StrCat("tokkit-bench-", getpid());
  }
  c.database_url = FreshDatabase(backend).url();
  c.database_pool_size = 8;
  c.blob_dir = absl::StrCat(TempDir(), "/blobs-", backend, gate ? "g" : "");
  c.signing_keys = {{"bench", RandomBytes(32)}};
  c.password_hashing = account::PasswordHashOptions::ForTesting();
  c.orders.expiry_sweep_interval = absl::ZeroDuration();
  s->platform = *Platform::Open(c);
  auto& accounts = s->platform->accounts();
  const std::string tag = gate ? "g" : "";
  (void)accounts.Register(
      {"boss" + tag, "boss" + tag + "@example.com", "bench-pass-1", ""});
  (void)accounts.GrantAdmin("boss" + tag);
  account::Principal admin =
      accounts.Login({"boss" + tag, "bench-pass-1", "", "", ""})->principal;
  (void)accounts.Register(
      {"seller" + tag, "seller" + tag + "@example.com", "bench-pass-1", ""});
  account::Principal seller =
      accounts.Login({"seller" + tag, "bench-pass-1", "", "", ""})->principal;
  (void)accounts.SetRole(admin, seller.user_id, account::Role::kMerchant);
  seller.role = account::Role::kMerchant;
  admin.role = account::Role::kAdmin;
  const int64_t category =
      s->platform->commerce().CreateCategory(admin, "Hot" + tag)->id;
  commerce::NewProduct p;
  p.category_id = category;
  p.name = "Limited sneaker";
  p.skus = {{"size=42", 49900, 100'000'000}};
  s->sku_id = s->platform->commerce().CreateProduct(seller, p)->skus[0].id;
  p.name = "Sold-out sneaker";
  p.skus = {{"size=43", 49900, 0}};
  s->sold_out_sku_id =
      s->platform->commerce().CreateProduct(seller, p)->skus[0].id;
  for (int i = 0; i < 8; ++i) {
    const std::string name = absl::StrCat("buyer", tag, i);
    (void)accounts.Register({name, name + "@example.com", "bench-pass-1", ""});
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
  shop = s;
  return *shop;
}

// Orders `sku` as this thread's buyer for as long as the benchmark runs;
// returns how many orders went through. `rate` names the calls/s counter.
int64_t PlaceOrders(benchmark::State& state, Shop& shop, int64_t sku,
                    const char* rate) {
  const size_t who =
      static_cast<size_t>(state.thread_index()) % shop.buyers.size();
  int64_t placed = 0;
  for (auto _ : state) {
    order::CreateOrderRequest r;
    r.lines = {{sku, 1}};
    r.address_id = shop.addresses[who];
    r.idempotency_key = absl::StrCat("k", shop.next_key.fetch_add(1));
    placed += shop.platform->orders().CreateOrder(shop.buyers[who], r).ok();
  }
  state.counters[rate] = benchmark::Counter(
      static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  return placed;
}

void FlashSaleOrders(benchmark::State& state, const std::string& backend) {
  Shop& shop = TheShop(backend);
  const int64_t placed = PlaceOrders(state, shop, shop.sku_id, "orders/s");
  state.counters["failed"] =
      static_cast<double>(static_cast<int64_t>(state.iterations()) - placed);
}

// Orders for a SKU with no stock left: every one refused. Without the gate
// each is a database transaction that rolls back; with it, a Redis script
// and an indexed idempotency read.
void SoldOutOrders(benchmark::State& state, const std::string& backend,
                   bool gate) {
  Shop& shop = TheShop(backend, gate);
  state.counters["oversold"] = static_cast<double>(
      PlaceOrders(state, shop, shop.sold_out_sku_id, "requests/s"));
}

// The baseline, on the same engine and database in the same run: what a
// hand-written order costs in raw SQL through the driver (a conditional
// decrement of the stock row, an order row and an item row, one
// transaction), each thread on its own connection.
void RawSqlOrders(benchmark::State& state, const std::string& backend) {
  static absl::Mutex mu;
  Database& db = FreshDatabase(backend).db();
  {
    absl::MutexLock lock(&mu);
    static auto* made = new std::set<std::string>();
    if (made->insert(backend).second) {
      (void)db.Run([](soci::session& sql) {
        sql << "CREATE TABLE raw_skus (id BIGINT PRIMARY KEY, stock BIGINT "
               "NOT NULL)";
        sql << "CREATE TABLE raw_orders (id BIGINT PRIMARY KEY, buyer BIGINT "
               "NOT NULL, total BIGINT NOT NULL)";
        sql << "CREATE TABLE raw_items (order_id BIGINT NOT NULL, sku BIGINT "
               "NOT NULL, quantity BIGINT NOT NULL, PRIMARY KEY (order_id, "
               "sku))";
        sql << "INSERT INTO raw_skus VALUES (1, 100000000)";
        return absl::OkStatus();
      });
    }
  }
  ParsedDatabaseUrl url = *ParseDatabaseUrl(FreshDatabase(backend).url());
  soci::session sql;
  switch (url.dialect) {
    case SqlDialect::kSqlite:
      sql.open(soci::sqlite3, url.connect);
      sql << "PRAGMA journal_mode=WAL";
      sql << "PRAGMA synchronous=NORMAL";
      sql << "PRAGMA busy_timeout=10000";
      break;
    case SqlDialect::kPostgresql:
      sql.open(soci::postgresql, url.connect);
      break;
    case SqlDialect::kMysql:
      sql.open(soci::mysql, url.connect);
      sql << "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
      break;
  }
  const char* begin =
      url.dialect == SqlDialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN";
  static std::atomic<int64_t> next_id{1};
  const int64_t buyer = state.thread_index();
  int64_t failures = 0;
  for (auto _ : state) {
    const int64_t id = next_id.fetch_add(1);
    try {
      sql << begin;
      soci::statement dec =
          (sql.prepare << "UPDATE raw_skus SET stock = stock - 1 WHERE id = 1 "
                          "AND stock >= 1");
      dec.execute(true);
      if (dec.get_affected_rows() == 1) {
        sql << "INSERT INTO raw_orders VALUES (:i, :b, 49900)", soci::use(id),
            soci::use(buyer);
        sql << "INSERT INTO raw_items VALUES (:i, 1, 1)", soci::use(id);
      }
      sql << "COMMIT";
    } catch (const std::exception&) {
      ++failures;
      try {
        sql << "ROLLBACK";
      } catch (const std::exception&) {
      }
    }
  }
  state.counters["orders/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["failed"] = static_cast<double>(failures);
}

void RegisterAll() {
  for (const std::string& backend : Backends()) {
    for (int threads : {1, 8}) {
      benchmark::RegisterBenchmark(
          absl::StrCat("FlashSaleOrders/", backend).c_str(),
          [backend](benchmark::State& s) { FlashSaleOrders(s, backend); })
          ->Threads(threads)
          ->UseRealTime();
      benchmark::RegisterBenchmark(
          absl::StrCat("RawSqlOrders/", backend).c_str(),
          [backend](benchmark::State& s) { RawSqlOrders(s, backend); })
          ->Threads(threads)
          ->UseRealTime();
    }
    for (const bool gate : {false, true}) {
      if (gate && RedisUrl().empty()) continue;
      benchmark::RegisterBenchmark(
          absl::StrCat("SoldOutOrders/", backend,
                       gate ? "/redis_gate" : "/database")
              .c_str(),
          [backend, gate](benchmark::State& s) {
            SoldOutOrders(s, backend, gate);
          })
          ->Threads(8)
          ->UseRealTime();
    }
  }
}

}  // namespace
}  // namespace tokkit

int main(int argc, char** argv) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): before any thread starts
  if (const char* redis = std::getenv("TOKKIT_TEST_REDIS")) {
    tokkit::RedisUrl() = redis;
  }
  tokkit::RegisterAll();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
