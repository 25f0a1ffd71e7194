// Leases a unique worker id (for IdGenerator) from the database, so replicas
// never share one by accident. A lease expires unless renewed; the holder
// renews it in the background and releases it on shutdown. A replica that
// dies frees its id after `ttl`.
#ifndef TOKKIT_LIB_STORE_SQL_WORKER_LEASE_H_
#define TOKKIT_LIB_STORE_SQL_WORKER_LEASE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "lib/core/clock.h"
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

  int64_t worker_id() const { return worker_id_; }

 private:
  WorkerLease(Database* db, const Clock* clock, absl::Duration ttl,
              int64_t worker_id, std::string holder);
  absl::Status Renew();

  Database* const db_;
  const Clock* const clock_;
  const absl::Duration ttl_;
  const int64_t worker_id_;
  const std::string holder_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread renewer_;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_SQL_WORKER_LEASE_H_
