#include <soci/soci.h>

#include "lib/account/sql_repository.h"
#include "lib/core/status_macros.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit::account {
namespace {

class SqlThrottleRepository : public ThrottleRepository {
 public:
  explicit SqlThrottleRepository(Database* db) : db_(db) {}

  absl::StatusOr<ThrottleState> Get(absl::string_view key) override {
    ThrottleState state;
    const std::string k(key);
    RETURN_IF_ERROR(
        db_->Run([&](soci::session& sql) { return Read(sql, k, &state); }));
    return state;
  }

  absl::StatusOr<ThrottleState> RecordFailure(
      absl::string_view key, absl::Time now, absl::Duration window,
      int max_failures, absl::Duration lock_for) override {
    ThrottleState state;
    const std::string k(key);
    const int64_t now_ms = ToMillis(now);
    const int64_t cutoff_ms = ToMillis(now - window);
    const int64_t lock_until_ms = ToMillis(now + lock_for);
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) {
      // One upsert both counts and rolls the window, so concurrent failures
      // on several replicas are all counted (the row lock serialises them).
      // `failures` is assigned first and reads the old window_start_ms
      // (MySQL evaluates assignments in order).
      sql << Upsert(sql,
                    "login_throttle (throttle_key, failures, "
                    "window_start_ms, locked_until_ms) VALUES (:k, 1, :n, 0)",
                    "throttle_key",
                    "failures = CASE WHEN login_throttle.window_start_ms < "
                    ":c1 THEN 1 ELSE login_throttle.failures + 1 END, "
                    "window_start_ms = CASE WHEN "
                    "login_throttle.window_start_ms < :c2 THEN :n2 ELSE "
                    "login_throttle.window_start_ms END"),
          soci::use(k), soci::use(now_ms), soci::use(cutoff_ms),
          soci::use(cutoff_ms), soci::use(now_ms);
      sql << "UPDATE login_throttle SET locked_until_ms = :l WHERE "
             "throttle_key = :k AND failures >= :m",
          soci::use(lock_until_ms), soci::use(k), soci::use(max_failures);
      return Read(sql, k, &state);
    }));
    return state;
  }

  absl::Status Reset(absl::string_view key) override {
    const std::string k(key);
    return db_->Run([&](soci::session& sql) {
      sql << "DELETE FROM login_throttle WHERE throttle_key = :k", soci::use(k);
      return absl::OkStatus();
    });
  }

 private:
  static absl::Status Read(soci::session& sql, const std::string& key,
                           ThrottleState* state) {
    soci::row r;
    sql << "SELECT failures, window_start_ms, locked_until_ms FROM "
           "login_throttle WHERE throttle_key = :k",
        soci::use(key), soci::into(r);
    if (sql.got_data()) {
      state->failures = static_cast<int>(RowInt(r, 0));
      state->window_start = FromMillis(RowInt(r, 1));
      state->locked_until = FromMillis(RowInt(r, 2));
    }
    return absl::OkStatus();
  }

  Database* const db_;
};

}  // namespace

std::unique_ptr<ThrottleRepository> NewSqlThrottleRepository(Database* db) {
  return std::make_unique<SqlThrottleRepository>(db);
}

}  // namespace tokkit::account
