// Write-behind view counting. A view is one increment in memory; a flush
// (every `interval`, and on Flush() or destruction) writes all pending counts
// in one transaction. A crash loses at most the views of one interval;
// after a flush the stored counts are exact. A failed flush keeps its counts
// pending for the next one.
#ifndef TOKKIT_LIB_FEED_VIEW_COUNTER_H_
#define TOKKIT_LIB_FEED_VIEW_COUNTER_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/core/periodic_task.h"

namespace tokkit::feed {

class ViewCounter {
 public:
  using Sink =
      std::function<absl::Status(const absl::flat_hash_map<int64_t, int64_t>&)>;

  // `sink` persists a batch, every `interval` on a PeriodicTask
  // ("feed.view_flush"); interval <= 0 disables it (tests flush by hand).
  ViewCounter(Sink sink, absl::Duration interval);
  ~ViewCounter();  // flushes

  void Record(int64_t video_id, int64_t n = 1);
  absl::Status Flush();
  int64_t pending() const;

 private:
  Sink sink_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<int64_t, int64_t> pending_ ABSL_GUARDED_BY(mu_);
  absl::Mutex flush_mu_;                // one flush at a time
  std::unique_ptr<PeriodicTask> task_;  // last: stops first
};

}  // namespace tokkit::feed

#endif  // TOKKIT_LIB_FEED_VIEW_COUNTER_H_
