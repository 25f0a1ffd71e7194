#include "lib/feed/view_counter.h"

namespace tokkit::feed {

ViewCounter::ViewCounter(Sink sink, absl::Duration interval)
    : sink_(std::move(sink)), interval_(interval) {
  if (interval_ <= absl::ZeroDuration()) return;
  thread_ = std::thread([this] {
    while (true) {
      {
        absl::MutexLock lock(&stop_mu_);
        auto stop = [this]() ABSL_SHARED_LOCKS_REQUIRED(stop_mu_) {
          return stopping_;
        };
        if (stop_mu_.AwaitWithTimeout(absl::Condition(&stop), interval_))
          return;
      }
      (void)Flush();  // a failure keeps the counts for the next round
    }
  });
}

ViewCounter::~ViewCounter() {
  {
    absl::MutexLock lock(&stop_mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  (void)Flush();
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
