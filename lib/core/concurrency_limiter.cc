#include "lib/core/concurrency_limiter.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "lib/core/log.h"

namespace tokkit {

ConcurrencyLimiter::ConcurrencyLimiter(std::string name, int max_active,
                                       int max_waiting, absl::Duration max_wait)
    : name_(std::move(name)),
      max_active_(std::max(1, max_active)),
      max_waiting_(std::max(0, max_waiting)),
      max_wait_(max_wait) {}

ConcurrencyLimiter::Permit::~Permit() {
  if (owner_ != nullptr) owner_->Release();
}

absl::StatusOr<ConcurrencyLimiter::Permit> ConcurrencyLimiter::Acquire(
    absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  if (active_ < max_active_ && waiting_ == 0) {
    ++active_;
    return Permit(this);
  }
  if (waiting_ >= max_waiting_) {
    log::Debug("concurrency_limit_refused", {{"limiter", name_}});
    return absl::ResourceExhaustedError(
        absl::StrCat("the server is busy with ", name_, "; retry in a moment"));
  }
  ++waiting_;
  auto free = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return active_ < max_active_;
  };
  const absl::Time until = std::min(deadline, absl::Now() + max_wait_);
  const bool got = mu_.AwaitWithDeadline(absl::Condition(&free), until);
  --waiting_;
  if (!got) {
    log::Debug("concurrency_limit_timed_out", {{"limiter", name_}});
    return absl::DeadlineExceededError(
        absl::StrCat("timed out waiting for ", name_, "; retry in a moment"));
  }
  ++active_;
  return Permit(this);
}

void ConcurrencyLimiter::Release() {
  absl::MutexLock lock(&mu_);
  --active_;
}

int ConcurrencyLimiter::active() const {
  absl::MutexLock lock(&mu_);
  return active_;
}

int ConcurrencyLimiter::waiting() const {
  absl::MutexLock lock(&mu_);
  return waiting_;
}

}  // namespace tokkit
