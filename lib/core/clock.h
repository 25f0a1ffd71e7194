// Injectable time source. Everything time-dependent in tokkit (token expiry,
// TOTP windows, throttling, order timeouts, ids) reads time from a Clock so
// tests can move it.
#ifndef TOKKIT_LIB_CORE_CLOCK_H_
#define TOKKIT_LIB_CORE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace tokkit {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;

  // The process-wide wall clock. Never null, never destroyed.
  static Clock* Real();
};

// A clock that only moves when told to. Thread-safe.
class SimulatedClock : public Clock {
 public:
  explicit SimulatedClock(absl::Time start = absl::FromUnixSeconds(1767225600))
      : now_(start) {}

  absl::Time Now() const override;
  void Advance(absl::Duration d);
  void Set(absl::Time t);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_CORE_CLOCK_H_
