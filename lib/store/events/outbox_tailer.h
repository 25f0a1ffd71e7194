// Reads new events from the outbox table, each once: the polling half of
// every relay. Ids are time-ordered but transactions commit out of id order
// (an id is drawn before its transaction commits), so a row can appear below
// the high-water mark after it was passed. Each poll reads the rows above
// the mark, plus only the ids (an index-only scan) of the last `settle`
// below it, fetching the rows of ids not returned yet; every
// `sweep_interval` it checks the ids of the whole `lookback` that way. A
// poll's cost is the new rows and a short id range, not every row of the
// lookback window, so it no longer grows with the write rate; a transaction
// that commits more than `settle` after drawing its id is delivered by the
// next sweep.
#ifndef TOKKIT_LIB_STORE_EVENTS_OUTBOX_TAILER_H_
#define TOKKIT_LIB_STORE_EVENTS_OUTBOX_TAILER_H_

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "lib/core/clock.h"
#include "lib/store/events/event_bus.h"
#include "lib/store/sql/database.h"

namespace tokkit {

struct OutboxTailerOptions {
  absl::Duration lookback = absl::Seconds(5);
  // Outbox rows older than this are deleted as the tailer goes.
  absl::Duration retention = absl::Hours(24);
  int batch_size = 500;
  absl::Duration settle = absl::Milliseconds(250);
  absl::Duration sweep_interval = absl::Seconds(1);
};

class OutboxTailer {
 public:
  // Starts at `start`: events with older ids are not returned (except those
  // inside the first lookback window).
  OutboxTailer(Database* db, const Clock* clock, OutboxTailerOptions options,
               absl::Time start);

  // Events committed since the last call, in id order. Thread-safe.
  absl::StatusOr<std::vector<Event>> Poll();

  // Marks ids as already returned (a new relay leader seeds what its
  // predecessor published), so Poll() skips them.
  void MarkReturned(const std::vector<int64_t>& ids);

  // How far behind the outbox's newest row this tailer is: zero when it has
  // returned everything up to the last poll; the age of the oldest row
  // committed but not yet returned otherwise (as of that poll).
  absl::Duration Lag() const;

  // What polls read so far (tests and metrics): whole rows and ids alone.
  struct ReadStats {
    int64_t rows = 0;
    int64_t ids = 0;
  };
  ReadStats read_stats() const;

 private:
  Database* const db_;
  const Clock* const clock_;
  const OutboxTailerOptions options_;
  mutable absl::Mutex mu_;
  int64_t high_water_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_poll_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Duration lag_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<int64_t> seen_ ABSL_GUARDED_BY(mu_);
  absl::Time last_cleanup_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  ReadStats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_EVENTS_OUTBOX_TAILER_H_
