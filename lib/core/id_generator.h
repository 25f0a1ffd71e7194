// 64-bit, time-ordered, unique ids (snowflake layout):
//   1 sign bit (always 0) | 41 bits ms since 2025-01-01 UTC | 10 bits worker |
//   12 bits sequence
// Ids from one generator are strictly increasing; generators with distinct
// worker ids never collide. Each replica must be configured with its own
// worker id (0..1023).
#ifndef TOKKIT_LIB_CORE_ID_GENERATOR_H_
#define TOKKIT_LIB_CORE_ID_GENERATOR_H_

#include <cstdint>

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
  static absl::StatusOr<IdGenerator*> Create(int64_t worker_id,
                                             const Clock* clock);

  IdGenerator(const IdGenerator&) = delete;
  IdGenerator& operator=(const IdGenerator&) = delete;

  // Thread-safe. If more than 4096 ids are asked for in one millisecond, or
  // the clock goes backwards, the generator borrows from the next millisecond
  // instead of blocking or repeating.
  int64_t Next();

  // The creation time encoded in an id (millisecond precision).
  static absl::Time TimeOf(int64_t id);
  static int64_t WorkerOf(int64_t id);

 private:
  IdGenerator(int64_t worker_id, const Clock* clock)
      : worker_id_(worker_id), clock_(clock) {}

  const int64_t worker_id_;
  const Clock* const clock_;
  absl::Mutex mu_;
  int64_t last_ms_ ABSL_GUARDED_BY(mu_) = -1;
  int64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_CORE_ID_GENERATOR_H_
