#include "lib/feed/view_counter.h"

namespace tokkit::feed {

ViewCounter::ViewCounter(Sink sink, absl::Duration interval)
    : sink_(std::move(sink)) {
  // A failed flush keeps its counts for the next round (and is logged and
  // counted by the task).
  task_ = std::make_unique<PeriodicTask>("feed.view_flush",
                                         PeriodicTask::Options{interval, 0.1},
                                         [this] { return Flush(); });
}

ViewCounter::~ViewCounter() {
  task_->Stop();
  // The last counts; if the database is gone they are lost, but said so.
  task_->RunOnce().IgnoreError();
}

void ViewCounter::Record(int64_t video_id, int64_t n) {
  absl::MutexLock lock(&mu_);
  pending_[video_id] += n;
}

int64_t ViewCounter::pending() const {
  absl::MutexLock lock(&mu_);
  int64_t total = 0;
  for (const auto& [id, n] : pending_) total += n;
  return total;
}

absl::Status ViewCounter::Flush() {
  absl::MutexLock flush_lock(&flush_mu_);
  absl::flat_hash_map<int64_t, int64_t> batch;
  {
    absl::MutexLock lock(&mu_);
    batch.swap(pending_);
  }
  if (batch.empty()) return absl::OkStatus();
  absl::Status st = sink_(batch);
  if (!st.ok()) {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, n] : batch) pending_[id] += n;  // retry next time
  }
  return st;
}

}  // namespace tokkit::feed
