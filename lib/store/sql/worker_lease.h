// Leases a unique worker id (for IdGenerator) from the database, so replicas
// never share one by accident. A lease expires unless renewed; the holder
// renews it in the background (a PeriodicTask, every ttl/3) and releases it
// on shutdown. A replica that dies frees its id after `ttl`.
//
// Fail closed: the attached IdGenerator may draw ids only until the last
// renewal plus two thirds of the ttl (the last third absorbs clock skew), so
// a replica whose renewals stall (database down, process paused) stops
// creating records before anyone else can take its id. A lease found lost
// fences the generator at once; the renewer then leases a free id (possibly
// another) and lifts the fence.
#ifndef TOKKIT_LIB_STORE_SQL_WORKER_LEASE_H_
#define TOKKIT_LIB_STORE_SQL_WORKER_LEASE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "lib/core/clock.h"
#include "lib/core/id_generator.h"
#include "lib/core/periodic_task.h"
#include "lib/store/sql/database.h"

namespace tokkit {

inline constexpr char kWorkerLeaseModule[] = "worker_lease";
const std::vector<Migration>& WorkerLeaseMigrations();

class WorkerLease {
 public:
  // RESOURCE_EXHAUSTED when all `max_workers` ids are held.
  static absl::StatusOr<std::unique_ptr<WorkerLease>> Acquire(
      Database* db, const Clock* clock, absl::Duration ttl = absl::Seconds(60),
      int64_t max_workers = 1024);
  ~WorkerLease();  // stops renewing and releases the id

  int64_t worker_id() const;

  // Keeps `ids` (built with worker_id()) valid only while the lease is,
  // and starts renewing. `ids` must outlive the lease.
  void Attach(IdGenerator* ids);

  // One renewal (what the background task does), for tests.
  absl::Status RenewNow();

 private:
  WorkerLease(Database* db, const Clock* clock, absl::Duration ttl,
              int64_t max_workers, int64_t worker_id, std::string holder);
  absl::Status Renew();
  static absl::StatusOr<int64_t> TryAcquire(Database* db, const Clock* clock,
                                            absl::Duration ttl,
                                            int64_t max_workers,
                                            const std::string& holder);
  absl::Time ValidUntil(absl::Time renewed_at) const;

  Database* const db_;
  const Clock* const clock_;
  const absl::Duration ttl_;
  const int64_t max_workers_;
  const std::string holder_;
  mutable absl::Mutex mu_;
  int64_t worker_id_ ABSL_GUARDED_BY(mu_);
  bool lost_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<IdGenerator*> ids_{nullptr};
  std::unique_ptr<PeriodicTask> renewer_;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_SQL_WORKER_LEASE_H_
