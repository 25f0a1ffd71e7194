#include "lib/store/sql/worker_lease.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "lib/core/crypto.h"
#include "lib/core/log.h"
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

absl::StatusOr<int64_t> WorkerLease::TryAcquire(Database* db,
                                                const Clock* clock,
                                                absl::Duration ttl,
                                                int64_t max_workers,
                                                const std::string& holder) {
  for (int64_t id = 0; id < max_workers; ++id) {
    long long taken = 0;
    RETURN_IF_ERROR(db->Run([&](soci::session& sql) {
      const int64_t now = ToMillis(clock->Now());
      const int64_t expires = ToMillis(clock->Now() + ttl);
      // Free (the insert wins), or held by a lease that lapsed (the
      // conditional update wins); each is atomic, and a lost race in
      // between only means trying the next id.
      taken = ExecAffected(
          sql,
          InsertIgnoringDuplicate(sql,
                                  "worker_leases (worker_id, holder, "
                                  "expires_at_ms) VALUES (:w, :h, :e)"),
          id, holder, expires);
      if (taken != 1) {
        taken = ExecAffected(
            sql,
            "UPDATE worker_leases SET holder = :h, expires_at_ms = :e "
            "WHERE worker_id = :w AND expires_at_ms < :n",
            holder, expires, id, now);
      }
      return absl::OkStatus();
    }));
    if (taken == 1) return id;
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("all ", max_workers, " worker ids are leased"));
}

absl::StatusOr<std::unique_ptr<WorkerLease>> WorkerLease::Acquire(
    Database* db, const Clock* clock, absl::Duration ttl, int64_t max_workers) {
  RETURN_IF_ERROR(db->Migrate(kWorkerLeaseModule, WorkerLeaseMigrations()));
  const std::string holder = RandomToken(16);
  ASSIGN_OR_RETURN(int64_t id, TryAcquire(db, clock, ttl, max_workers, holder));
  return std::unique_ptr<WorkerLease>(
      new WorkerLease(db, clock, ttl, max_workers, id, holder));
}

WorkerLease::WorkerLease(Database* db, const Clock* clock, absl::Duration ttl,
                         int64_t max_workers, int64_t worker_id,
                         std::string holder)
    : db_(db),
      clock_(clock),
      ttl_(ttl),
      max_workers_(max_workers),
      holder_(std::move(holder)),
      worker_id_(worker_id) {
  renewer_ = std::make_unique<PeriodicTask>(
      "worker_lease.renew", PeriodicTask::Options{ttl_ / 3, 0.1},
      [this] { return Renew(); });
}

WorkerLease::~WorkerLease() {
  renewer_->Stop();
  const int64_t id = worker_id();
  absl::Status released = db_->Run([&](soci::session& sql) {
    sql << "DELETE FROM worker_leases WHERE worker_id = :w AND holder = :h",
        soci::use(id), soci::use(holder_);
    return absl::OkStatus();
  });
  if (!released.ok()) {
    // It lapses after the ttl anyway.
    log::Warning("worker_lease_release_failed",
                 {{"worker_id", id}, {"error", released}});
  }
}

int64_t WorkerLease::worker_id() const {
  absl::MutexLock lock(&mu_);
  return worker_id_;
}

absl::Time WorkerLease::ValidUntil(absl::Time renewed_at) const {
  return renewed_at + ttl_ * 2 / 3;
}

void WorkerLease::Attach(IdGenerator* ids) {
  ids->HoldUntil(ValidUntil(clock_->Now()));
  ids_.store(ids);
}

absl::Status WorkerLease::RenewNow() { return renewer_->RunOnce(); }

absl::Status WorkerLease::Renew() {
  const absl::Time now = clock_->Now();
  bool lost;
  int64_t id;
  {
    absl::MutexLock lock(&mu_);
    lost = lost_;
    id = worker_id_;
  }
  if (lost) {
    // Lease any free id; the generator may resume with it.
    absl::StatusOr<int64_t> fresh =
        TryAcquire(db_, clock_, ttl_, max_workers_, holder_);
    if (!fresh.ok()) return fresh.status();
    {
      absl::MutexLock lock(&mu_);
      worker_id_ = *fresh;
      lost_ = false;
    }
    if (IdGenerator* ids = ids_.load()) ids->Rebind(*fresh, ValidUntil(now));
    log::Warning("worker_lease_regained", {{"worker_id", *fresh}});
    return absl::OkStatus();
  }
  long long renewed = 0;
  RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
    const int64_t expires = ToMillis(now + ttl_);
    renewed = ExecAffected(sql,
                           "UPDATE worker_leases SET expires_at_ms = :e WHERE "
                           "worker_id = :w AND holder = :h",
                           expires, id, holder_);
    return absl::OkStatus();
  }));
  if (renewed != 1) {
    // Only possible after stalling past the ttl: another replica may hold
    // this id now. Stop drawing ids at once.
    {
      absl::MutexLock lock(&mu_);
      lost_ = true;
    }
    if (IdGenerator* ids = ids_.load()) {
      ids->Fence("its worker-id lease was lost; it is being re-acquired");
    }
    log::Error("worker_lease_lost", {{"worker_id", id}});
    return absl::DataLossError(
        absl::StrCat("worker-id lease ", id, " was lost; re-acquiring"));
  }
  if (IdGenerator* ids = ids_.load()) ids->HoldUntil(ValidUntil(now));
  return absl::OkStatus();
}

}  // namespace tokkit
