#include "lib/store/sql/worker_lease.h"

#include <soci/soci.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "lib/core/crypto.h"
#include "lib/core/status_macros.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit {

const std::vector<Migration>& WorkerLeaseMigrations() {
  static const auto* migrations = new std::vector<Migration>{
      {1, "worker leases",
       R"sql(
CREATE TABLE worker_leases (
  worker_id BIGINT PRIMARY KEY,
  holder VARCHAR(64) NOT NULL,
  expires_at_ms BIGINT NOT NULL
);
)sql"},
  };
  return *migrations;
}

absl::StatusOr<std::unique_ptr<WorkerLease>> WorkerLease::Acquire(
    Database* db, const Clock* clock, absl::Duration ttl, int64_t max_workers) {
  RETURN_IF_ERROR(db->Migrate(kWorkerLeaseModule, WorkerLeaseMigrations()));
  const std::string holder = RandomToken(16);
  for (int64_t id = 0; id < max_workers; ++id) {
    long long taken = 0;
    RETURN_IF_ERROR(db->Run([&](soci::session& sql) {
      const int64_t now = ToMillis(clock->Now());
      const int64_t expires = ToMillis(clock->Now() + ttl);
      // Free, or held by a lease that lapsed: one atomic statement either way.
      taken = ExecAffected(
          sql,
          "INSERT INTO worker_leases (worker_id, holder, expires_at_ms) VALUES "
          "(:w, :h, :e) ON CONFLICT (worker_id) DO UPDATE SET holder = :h2, "
          "expires_at_ms = :e2 WHERE worker_leases.expires_at_ms < :n",
          id, holder, expires, holder, expires, now);
      return absl::OkStatus();
    }));
    if (taken == 1) {
      return std::unique_ptr<WorkerLease>(
          new WorkerLease(db, clock, ttl, id, holder));
    }
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("all ", max_workers, " worker ids are leased"));
}

WorkerLease::WorkerLease(Database* db, const Clock* clock, absl::Duration ttl,
                         int64_t worker_id, std::string holder)
    : db_(db),
      clock_(clock),
      ttl_(ttl),
      worker_id_(worker_id),
      holder_(std::move(holder)) {
  renewer_ = std::thread([this] {
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        auto stop = [this]()
                        ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
        if (mu_.AwaitWithTimeout(absl::Condition(&stop), ttl_ / 3)) return;
      }
      if (absl::Status st = Renew(); !st.ok()) {
        std::fprintf(stderr, "worker lease %lld: %s\n",
                     static_cast<long long>(worker_id_), st.ToString().c_str());
      }
    }
  });
}

WorkerLease::~WorkerLease() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  renewer_.join();
  (void)db_->Run([&](soci::session& sql) {
    sql << "DELETE FROM worker_leases WHERE worker_id = :w AND holder = :h",
        soci::use(worker_id_), soci::use(holder_);
    return absl::OkStatus();
  });
}

absl::Status WorkerLease::Renew() {
  long long renewed = 0;
  RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
    const int64_t expires = ToMillis(clock_->Now() + ttl_);
    renewed = ExecAffected(sql,
                           "UPDATE worker_leases SET expires_at_ms = :e WHERE "
                           "worker_id = :w AND holder = :h",
                           expires, worker_id_, holder_);
    return absl::OkStatus();
  }));
  if (renewed != 1) {
    // Only possible after stalling longer than the ttl. Ids this process
    // draws could now collide with the new holder's.
    return absl::DataLossError("lease was lost; restart this replica");
  }
  return absl::OkStatus();
}

}  // namespace tokkit
