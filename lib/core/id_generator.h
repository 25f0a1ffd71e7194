// 64-bit, time-ordered, unique ids (snowflake layout):
//   1 sign bit (always 0) | 41 bits ms since 2025-01-01 UTC | 10 bits worker |
//   12 bits sequence
// Ids from one generator are strictly increasing; generators with distinct
// worker ids never collide. Each replica must hold its own worker id
// (0..1023): configured, or leased from the database (WorkerLease), in which
// case the generator fails closed: past the lease's validity, or once the
// lease is known to be lost, Next() is UNAVAILABLE rather than risk drawing
// ids another replica may draw too.
#ifndef TOKKIT_LIB_CORE_ID_GENERATOR_H_
#define TOKKIT_LIB_CORE_ID_GENERATOR_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/core/clock.h"

namespace tokkit {

class IdGenerator {
 public:
  static constexpr int kWorkerBits = 10;
  static constexpr int kSequenceBits = 12;
  static constexpr int64_t kMaxWorkerId = (int64_t{1} << kWorkerBits) - 1;
  static absl::Time Epoch();

  // Fails with INVALID_ARGUMENT when worker_id is out of range.
  static absl::StatusOr<std::unique_ptr<IdGenerator>> Create(
      int64_t worker_id, const Clock* clock);

  IdGenerator(const IdGenerator&) = delete;
  IdGenerator& operator=(const IdGenerator&) = delete;

  // Thread-safe. If more than 4096 ids are asked for in one millisecond, or
  // the clock goes backwards, the generator borrows from the next millisecond
  // instead of blocking or repeating. UNAVAILABLE while fenced.
  absl::StatusOr<int64_t> Next();

  // For a leased worker id: ids may be drawn until `valid_until`.
  void HoldUntil(absl::Time valid_until);
  // The lease is lost: refuse until Rebind.
  void Fence(const std::string& why);
  // A (possibly different) worker id, held until `valid_until`.
  void Rebind(int64_t worker_id, absl::Time valid_until);
  int64_t worker_id() const { return worker_id_.load(); }

  // The creation time encoded in an id (millisecond precision).
  static absl::Time TimeOf(int64_t id);
  // The smallest id a generator could draw at `t` (0 before the epoch,
  // INT64_MAX past the last representable millisecond): ids at or after `t`
  // are >= it, so a time bound becomes an index range on ids.
  static int64_t FirstIdAt(absl::Time t);
  static int64_t WorkerOf(int64_t id);

 private:
  IdGenerator(int64_t worker_id, const Clock* clock)
      : worker_id_(worker_id), clock_(clock) {}

  std::atomic<int64_t> worker_id_;
  const Clock* const clock_;
  absl::Mutex mu_;
  // Unix ms; INT64_MAX for a configured (unleased) worker id, INT64_MIN when
  // fenced.
  int64_t valid_until_ms_ ABSL_GUARDED_BY(mu_) = INT64_MAX;
  std::string fence_reason_ ABSL_GUARDED_BY(mu_);
  int64_t last_ms_ ABSL_GUARDED_BY(mu_) = -1;
  int64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_CORE_ID_GENERATOR_H_
