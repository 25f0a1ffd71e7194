#include "lib/core/id_generator.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tokkit {

absl::Time IdGenerator::Epoch() { return absl::FromUnixSeconds(1735689600); }

absl::StatusOr<std::unique_ptr<IdGenerator>> IdGenerator::Create(
    int64_t worker_id, const Clock* clock) {
  if (worker_id < 0 || worker_id > kMaxWorkerId) {
    return absl::InvalidArgumentError(absl::StrCat(
        "worker id must be in [0, ", kMaxWorkerId, "], got ", worker_id));
  }
  if (clock == nullptr) return absl::InvalidArgumentError("clock is null");
  return std::unique_ptr<IdGenerator>(new IdGenerator(worker_id, clock));
}

absl::StatusOr<int64_t> IdGenerator::Next() {
  const absl::Time now = clock_->Now();
  const int64_t now_ms =
      std::max<int64_t>(0, absl::ToInt64Milliseconds(now - Epoch()));
  absl::MutexLock lock(&mu_);
  if (valid_until_ms_ != INT64_MAX &&
      absl::ToUnixMillis(now) >= valid_until_ms_) {
    return absl::UnavailableError(absl::StrCat(
        "this replica cannot create records right now: ",
        fence_reason_.empty() ? "its worker-id lease was not renewed in time"
                              : fence_reason_));
  }
  if (now_ms > last_ms_) {
    last_ms_ = now_ms;
    sequence_ = 0;
  } else if (++sequence_ > (int64_t{1} << kSequenceBits) - 1) {
    // Sequence exhausted (or clock went backwards): move into the next
    // millisecond logically so ids stay unique and increasing.
    ++last_ms_;
    sequence_ = 0;
  }
  return (last_ms_ << (kWorkerBits + kSequenceBits)) |
         (worker_id_.load() << kSequenceBits) | sequence_;
}

void IdGenerator::HoldUntil(absl::Time valid_until) {
  absl::MutexLock lock(&mu_);
  if (valid_until_ms_ == INT64_MIN) return;  // fenced: only Rebind lifts it
  valid_until_ms_ = absl::ToUnixMillis(valid_until);
  fence_reason_.clear();
}

void IdGenerator::Fence(const std::string& why) {
  absl::MutexLock lock(&mu_);
  valid_until_ms_ = INT64_MIN;
  fence_reason_ = why;
}

void IdGenerator::Rebind(int64_t worker_id, absl::Time valid_until) {
  absl::MutexLock lock(&mu_);
  worker_id_.store(worker_id);
  valid_until_ms_ = absl::ToUnixMillis(valid_until);
  fence_reason_.clear();
}

absl::Time IdGenerator::TimeOf(int64_t id) {
  return Epoch() + absl::Milliseconds(id >> (kWorkerBits + kSequenceBits));
}

int64_t IdGenerator::FirstIdAt(absl::Time t) {
  constexpr int kShift = kWorkerBits + kSequenceBits;
  const int64_t ms =
      std::max<int64_t>(0, absl::ToInt64Milliseconds(t - Epoch()));
  if (ms > (INT64_MAX >> kShift)) return INT64_MAX;
  return ms << kShift;
}

int64_t IdGenerator::WorkerOf(int64_t id) {
  return (id >> kSequenceBits) & kMaxWorkerId;
}

}  // namespace tokkit
