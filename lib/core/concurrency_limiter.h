// Bounds how many callers run an expensive section at once (argon2id takes
// 64 MiB and a core for ~0.1 s; anyone can ask for it without an account).
// At most `max_active` hold a permit; up to `max_waiting` more wait, each no
// later than its deadline (the request's, capped by `max_wait`); anyone past
// that is refused at once with RESOURCE_EXHAUSTED, so memory and CPU stay
// bounded however many arrive.
#ifndef TOKKIT_LIB_CORE_CONCURRENCY_LIMITER_H_
#define TOKKIT_LIB_CORE_CONCURRENCY_LIMITER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace tokkit {

class ConcurrencyLimiter {
 public:
  ConcurrencyLimiter(std::string name, int max_active, int max_waiting,
                     absl::Duration max_wait);

  class Permit {
   public:
    Permit(Permit&& other) noexcept : owner_(other.owner_) {
      other.owner_ = nullptr;
    }
    Permit& operator=(Permit&&) = delete;
    ~Permit();

   private:
    friend class ConcurrencyLimiter;
    explicit Permit(ConcurrencyLimiter* owner) : owner_(owner) {}
    ConcurrencyLimiter* owner_;
  };

  // RESOURCE_EXHAUSTED when the queue is full; DEADLINE_EXCEEDED when the
  // deadline (or max_wait) passes while waiting.
  absl::StatusOr<Permit> Acquire(absl::Time deadline = absl::InfiniteFuture());

  int active() const;
  int waiting() const;

 private:
  void Release();

  const std::string name_;
  const int max_active_;
  const int max_waiting_;
  const absl::Duration max_wait_;
  mutable absl::Mutex mu_;
  int active_ ABSL_GUARDED_BY(mu_) = 0;
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_CORE_CONCURRENCY_LIMITER_H_
