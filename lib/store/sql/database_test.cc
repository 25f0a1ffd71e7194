// Contract tests for the SQL port, run on every backend.
#include "lib/store/sql/database.h"

#include <soci/soci.h>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/core/request_context.h"
#include "lib/core/status_macros.h"
#include "lib/store/sql/sql_util.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit {
namespace {

using ::tokkit::testing::TestBackends;
using ::tokkit::testing::TestDatabase;

const std::vector<Migration>& Schema() {
  static const auto* m = new std::vector<Migration>{
      {1, "create items",
       "CREATE TABLE items (\n"
       "  id BIGINT PRIMARY KEY,\n"
       "  name VARCHAR(64) NOT NULL UNIQUE,\n"
       "  stock BIGINT NOT NULL\n"
       ");\n"},
  };
  return *m;
}

const std::vector<Migration>& Schema2() {
  static const auto* m = new std::vector<Migration>{
      {1, "create things", "CREATE TABLE things (id BIGINT PRIMARY KEY);\n"},
      {2, "index things", "CREATE INDEX things_idx ON things (id);\n"},
  };
  return *m;
}

class DatabaseTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto t = TestDatabase::Create(GetParam(), /*pool_size=*/8);
    ASSERT_TRUE(t.ok()) << t.status();
    test_db_ = std::move(*t);
    absl::Status migrated = db().Migrate("test", Schema());
    ASSERT_TRUE(migrated.ok()) << migrated;
  }
  Database& db() { return test_db_->db(); }

  absl::StatusOr<long long> Stock(int64_t id) {
    long long stock = -1;
    RETURN_IF_ERROR(db().Run([&](soci::session& sql) {
      sql << "SELECT stock FROM items WHERE id = :id", soci::use(id),
          soci::into(stock);
      return absl::OkStatus();
    }));
    return stock;
  }

  absl::Status Insert(int64_t id, const std::string& name, long long stock) {
    return db().Run([&](soci::session& sql) {
      sql << "INSERT INTO items (id, name, stock) VALUES (:i, :n, :s)",
          soci::use(id), soci::use(name), soci::use(stock);
      return absl::OkStatus();
    });
  }

  std::unique_ptr<TestDatabase> test_db_;
};

TEST(DatabaseOpen, RejectsUnknownUrlsAndMemory) {
  DatabaseOptions o;
  o.url = "mongodb://x";
  EXPECT_EQ(Database::Open(o).status().code(),
            absl::StatusCode::kInvalidArgument);
  o.url = "sqlite::memory:";
  EXPECT_EQ(Database::Open(o).status().code(),
            absl::StatusCode::kInvalidArgument);
  o.url = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2";
  EXPECT_EQ(Database::Open(o).status().code(), absl::StatusCode::kUnavailable);
}

TEST_P(DatabaseTest, MigrationsApplyOnceAndInOrder) {
  // Re-running the same list is a no-op (the CREATE TABLE would fail).
  ASSERT_TRUE(db().Migrate("test", Schema()).ok());
  std::vector<Migration> more = Schema();
  more.push_back({3, "third", "CREATE INDEX items_stock ON items (stock);"});
  more.push_back(
      {2, "second", "ALTER TABLE items ADD COLUMN note VARCHAR(10);"});
  ASSERT_TRUE(db().Migrate("test", more).ok());
  EXPECT_EQ(*db().AppliedMigrations("test"), (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(db().AppliedMigrations("other")->empty());
}

// Regression: replicas starting together on an empty PostgreSQL failed about
// 1 time in 10 (CREATE TABLE IF NOT EXISTS schema_migrations ran before the
// advisory lock: unique violation in pg_type).
TEST_P(DatabaseTest, ReplicasMigrateAnEmptyDatabaseTogether) {
  for (int round = 0; round < 10; ++round) {
    auto fresh = TestDatabase::Create(GetParam(), 1);
    ASSERT_TRUE(fresh.ok()) << fresh.status();
    constexpr int kReplicas = 4;
    std::vector<std::unique_ptr<Database>> replicas;
    for (int i = 0; i < kReplicas; ++i) {
      DatabaseOptions o;
      o.url = (*fresh)->url();
      o.pool_size = 2;
      auto d = Database::Open(o);
      ASSERT_TRUE(d.ok()) << d.status();
      replicas.push_back(std::move(*d));
    }
    std::atomic<int> ready{0};
    std::vector<absl::Status> results(kReplicas);
    std::vector<std::thread> threads;
    for (int i = 0; i < kReplicas; ++i) {
      threads.emplace_back([&, i] {
        ++ready;
        while (ready < kReplicas) {
        }  // all start within microseconds of each other
        results[i] = replicas[i]->Migrate("test", Schema());
        if (results[i].ok()) {
          results[i] = replicas[i]->Migrate("other", Schema2());
        }
      });
    }
    for (std::thread& t : threads) t.join();
    for (const absl::Status& st : results) {
      EXPECT_TRUE(st.ok()) << "round " << round << ": " << st;
    }
    EXPECT_EQ(*replicas[0]->AppliedMigrations("test"), std::vector<int>{1});
    EXPECT_EQ(*replicas[0]->AppliedMigrations("other"),
              (std::vector<int>{1, 2}));
  }
}

TEST(DatabaseUrl, MysqlUrlsBecomeSociOptions) {
  absl::StatusOr<ParsedDatabaseUrl> p = ParseDatabaseUrl(
      "mysql://shop:p%40ss%20word@db.internal:3307/tokkit?connect_timeout=5");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->dialect, SqlDialect::kMysql);
  EXPECT_EQ(p->connect,
            "db='tokkit' user='shop' password='p@ss word' host='db.internal' "
            "port='3307' connect_timeout='5' charset='utf8mb4'");
  p = ParseDatabaseUrl("mariadb://u@h/d?unix_socket=/run/mysqld/s.sock");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->dialect, SqlDialect::kMysql);
  EXPECT_EQ(p->connect,
            "db='d' user='u' host='h' unix_socket='/run/mysqld/s.sock' "
            "charset='utf8mb4'");
  // Refused with a message that does not repeat the password: no database,
  // options SOCI would not understand (sslcapath and sslcipher made it
  // refuse the whole string at connect time), a quote SOCI cannot pass.
  for (const char* url :
       {"mysql://u:secret1@h:1/", "mysql://u:secret1@h:1/d?ssl_mode=x",
        "mysql://u:secret1@h:1/d?sslcapath=/etc/ssl",
        "mysql://u:secret1@h:1/d?sslcipher=AES256-SHA",
        "mysql://u:se'cret1@h:1/d"}) {
    p = ParseDatabaseUrl(url);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(p.status().message().find("secret1"), std::string::npos)
        << p.status();
  }
}

TEST(DatabaseOpen, UnreachableMysqlIsUnavailable) {
  DatabaseOptions o;
  o.url = "mysql://nobody:pw@127.0.0.1:1/none?connect_timeout=2";
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(o);
  EXPECT_EQ(db.status().code(), absl::StatusCode::kUnavailable) << db.status();
}

TEST_P(DatabaseTest, MysqlUrlOptionsReachTheServer) {
  if (db().dialect() != SqlDialect::kMysql) GTEST_SKIP() << "MySQL only";
  DatabaseOptions o;
  o.url = test_db_->url() +
          "?connect_timeout=5&read_timeout=30&write_timeout=30&charset=utf8mb4";
  o.pool_size = 1;
  absl::StatusOr<std::unique_ptr<Database>> opened = Database::Open(o);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_TRUE((*opened)
                  ->Run([](soci::session& sql) {
                    int one = 0;
                    sql << "SELECT 1", soci::into(one);
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_P(DatabaseTest, TextKeysAreExactOnEveryBackend) {
  // Case, trailing spaces and accents all make different keys (MySQL's
  // usual collations would call these duplicates).
  EXPECT_TRUE(Insert(1, "alice", 1).ok());
  EXPECT_TRUE(Insert(2, "Alice", 1).ok());
  EXPECT_TRUE(Insert(3, "alice ", 1).ok());
  EXPECT_TRUE(Insert(4, "alicé", 1).ok());
  EXPECT_TRUE(IsUniqueViolation(Insert(5, "alice", 1)));
  int64_t found = 0;
  ASSERT_TRUE(db().Run([&](soci::session& sql) {
                    std::string name = "ALICE";
                    sql << "SELECT COUNT(*) FROM items WHERE name = :n",
                        soci::use(name), soci::into(found);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(found, 0);
}

TEST_P(DatabaseTest, RefreshStatisticsGivesThePlannerRowCounts) {
  for (int i = 1; i <= 50; ++i) {
    ASSERT_TRUE(Insert(i, absl::StrCat("item", i), i).ok());
  }
  absl::Status refreshed = db().RefreshStatistics();
  ASSERT_TRUE(refreshed.ok()) << refreshed;
  double rows = -1;
  ASSERT_TRUE(db().Run([&](soci::session& sql) {
                    if (db().dialect() == SqlDialect::kSqlite) {
                      int64_t n = 0;
                      sql << "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = "
                             "'items'",
                          soci::into(n);
                      rows = n > 0 ? 50 : 0;
                    } else if (db().dialect() == SqlDialect::kPostgresql) {
                      // -1 until the table is first analyzed.
                      sql << "SELECT reltuples::float8 FROM pg_class WHERE "
                             "oid = 'items'::regclass",
                          soci::into(rows);
                    } else {
                      int64_t n = 0;
                      sql << "SELECT n_rows FROM mysql.innodb_table_stats "
                             "WHERE database_name = DATABASE() AND table_name "
                             "= 'items'",
                          soci::into(n);
                      rows = static_cast<double>(n);
                    }
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(rows, 50);
  // Again, on tables that already have statistics.
  EXPECT_TRUE(db().RefreshStatistics().ok());
}

TEST_P(DatabaseTest, FailedMigrationIsRolledBackAndReported) {
  std::vector<Migration> bad = Schema();
  bad.push_back(
      {2, "broken", "CREATE TABLE half (id BIGINT);\nTHIS IS NOT SQL;\n"});
  absl::Status st = db().Migrate("test", bad);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("test/2"), std::string::npos) << st;
  EXPECT_EQ(*db().AppliedMigrations("test"), (std::vector<int>{1}));
  if (db().dialect() == SqlDialect::kPostgresql) {
    // Transactional DDL: the first statement of the step is gone too.
    absl::Status probe = db().Run([](soci::session& sql) {
      sql << "SELECT COUNT(*) FROM half";
      return absl::OkStatus();
    });
    EXPECT_FALSE(probe.ok());
  }
}

TEST_P(DatabaseTest, DuplicateMigrationVersionsAreRejected) {
  std::vector<Migration> dup = Schema();
  dup.push_back({1, "again", "SELECT 1;"});
  EXPECT_EQ(db().Migrate("dup", dup).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(DatabaseTest, TransactionCommitsOrRollsBack) {
  ASSERT_TRUE(Insert(1, "a", 10).ok());
  absl::Status st = db().Transact([](soci::session& sql) {
    sql << "UPDATE items SET stock = 0 WHERE id = 1";
    return absl::FailedPreconditionError("changed my mind");
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(*Stock(1), 10);

  st = db().Transact([](soci::session& sql) {
    sql << "UPDATE items SET stock = 0 WHERE id = 1";
    sql << "THIS IS NOT SQL";  // throws inside the callback
    return absl::OkStatus();
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(*Stock(1), 10);

  ASSERT_TRUE(db().Transact([](soci::session& sql) {
                    sql << "UPDATE items SET stock = 3 WHERE id = 1";
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(*Stock(1), 3);
}

TEST_P(DatabaseTest, UniqueViolationIsAlreadyExists) {
  ASSERT_TRUE(Insert(1, "same", 1).ok());
  absl::Status st = Insert(2, "same", 1);
  EXPECT_TRUE(IsUniqueViolation(st)) << st;
  EXPECT_FALSE(IsUniqueViolation(absl::AlreadyExistsError("other")));
  // The pool session is still usable afterwards.
  EXPECT_TRUE(Insert(3, "other", 1).ok());
}

TEST_P(DatabaseTest, ConcurrentConditionalDecrementsNeverGoNegative) {
  constexpr int kStock = 200;
  constexpr int kThreads = 8;
  constexpr int kAttemptsPerThread = 40;  // 320 attempts for 200 units
  ASSERT_TRUE(Insert(7, "hot", kStock).ok());
  std::atomic<int> sold{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kAttemptsPerThread; ++i) {
        long long changed = 0;
        absl::Status st = db().Transact([&](soci::session& sql) {
          changed = ExecAffected(sql,
                                 "UPDATE items SET stock = stock - 1 WHERE id "
                                 "= :id AND stock >= 1",
                                 int64_t{7});
          return absl::OkStatus();
        });
        if (!st.ok()) {
          errors.fetch_add(1);
        } else if (changed == 1) {
          sold.fetch_add(1);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(sold.load(), kStock);
  EXPECT_EQ(*Stock(7), 0);
}

// Writers racing on every backend; on SQLite they share commits (group
// commit), which must keep each one all-or-nothing, give each its own
// outcome, and run each under its own request context.
TEST_P(DatabaseTest, ConcurrentWritersAreEachAllOrNothing) {
  ASSERT_TRUE(Insert(1, "taken", 1).ok());
  constexpr int kThreads = 8, kPerThread = 40;
  std::atomic<int> wrong_outcome{0}, wrong_request{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      RequestContext context;
      context.request_id = absl::StrCat("thread-", t);
      ScopedRequest request(context);
      for (int i = 0; i < kPerThread; ++i) {
        const int64_t id = 1000 + t * kPerThread + i;
        absl::Status st = db().Transact([&](soci::session& sql) {
          if (CurrentRequest() == nullptr ||
              CurrentRequest()->request_id != context.request_id) {
            wrong_request.fetch_add(1);
          }
          const std::string name = absl::StrCat("n", id);
          sql << "INSERT INTO items (id, name, stock) VALUES (:i, :n, 1)",
              soci::use(id), soci::use(name);
          if (id % 5 == 0) return absl::FailedPreconditionError("no");
          if (id % 7 == 0) {
            // Its own row went in; this one breaks a unique key.
            sql << "INSERT INTO items (id, name, stock) VALUES (:i, 'taken', "
                   "1)",
                soci::use(id + 100000);
          }
          return absl::OkStatus();
        });
        const absl::StatusCode want =
            id % 5 == 0   ? absl::StatusCode::kFailedPrecondition
            : id % 7 == 0 ? absl::StatusCode::kAlreadyExists
                          : absl::StatusCode::kOk;
        if (st.code() != want) wrong_outcome.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong_outcome.load(), 0);
  EXPECT_EQ(wrong_request.load(), 0);
  int rows = 0;
  ASSERT_TRUE(db().Run([&](soci::session& sql) {
                    soci::rowset<soci::row> rs =
                        (sql.prepare << "SELECT id FROM items WHERE id > 1");
                    for (const soci::row& r : rs) {
                      const int64_t id = RowInt(r, 0);
                      ++rows;
                      EXPECT_TRUE(id < 100000 && id % 5 != 0 && id % 7 != 0)
                          << id;
                    }
                    return absl::OkStatus();
                  })
                  .ok());
  int expected = 0;
  for (int64_t id = 1000; id < 1000 + kThreads * kPerThread; ++id) {
    expected += id % 5 != 0 && id % 7 != 0;
  }
  EXPECT_EQ(rows, expected);
  if (GetParam() == "sqlite") {
    const Database::GroupCommitStats stats = db().group_commit_stats();
    EXPECT_GT(stats.transactions, stats.commits)
        << "8 racing writers never shared a commit";
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest,
                         ::testing::ValuesIn(TestBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tokkit
