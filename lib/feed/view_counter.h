// Write-behind view counting. A view is one increment in memory; a flush
// (every `interval`, and on Flush() or destruction) writes all pending counts
// in one transaction. A crash loses at most the views of one interval;
// after a flush the stored counts are exact. A failed flush keeps its counts
// pending for the next one.
#ifndef TOKKIT_LIB_FEED_VIEW_COUNTER_H_
#define TOKKIT_LIB_FEED_VIEW_COUNTER_H_

#include <cstdint>
#include <functional>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace tokkit::feed {

class ViewCounter {
 public:
  using Sink =
      std::function<absl::Status(const absl::flat_hash_map<int64_t, int64_t>&)>;

  // `sink` persists a batch. interval <= 0 disables the background thread
  // (tests flush by hand).
  ViewCounter(Sink sink, absl::Duration interval);
  ~ViewCounter();  // flushes

  void Record(int64_t video_id, int64_t n = 1);
  absl::Status Flush();
  int64_t pending() const;

 private:
  Sink sink_;
  const absl::Duration interval_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<int64_t, int64_t> pending_ ABSL_GUARDED_BY(mu_);
  absl::Mutex flush_mu_;  // one flush at a time
  absl::Mutex stop_mu_;
  bool stopping_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::thread thread_;
};

}  // namespace tokkit::feed

#endif  // TOKKIT_LIB_FEED_VIEW_COUNTER_H_
