// Background work that runs every `interval` on its own thread, the one way
// tokkit runs loops (sweepers, relays, flushes, lease renewals), after
// userver's PeriodicTask:
//   - named: its failures are logged as `periodic_task_failed task=<name>`
//     and every run and failure is counted (TaskStats, exported as metrics);
//   - jittered, so replicas started together do not run in lockstep;
//   - Wake() runs the next iteration now; Stop() (and the destructor) waits
//     for a running iteration to finish, so what the task uses may be
//     destroyed right after;
//   - RunOnce() runs an iteration on the caller's thread (tests), never
//     concurrently with the thread's own.
#ifndef TOKKIT_LIB_CORE_PERIODIC_TASK_H_
#define TOKKIT_LIB_CORE_PERIODIC_TASK_H_

#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace tokkit {

class PeriodicTask {
 public:
  struct Options {
    absl::Duration interval = absl::Seconds(1);
    // Each wait is interval * (1 +/- jitter), uniformly.
    double jitter = 0.1;
    // 0 interval: no thread; only RunOnce() runs the body (tests).
  };

  PeriodicTask(std::string name, Options options,
               std::function<absl::Status()> body);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Runs the next iteration without waiting out the interval.
  void Wake();
  // Stops the thread after any running iteration; idempotent.
  void Stop();
  // One iteration on the caller's thread; failures are logged and counted.
  absl::Status RunOnce();

  const std::string& name() const { return name_; }

 private:
  void Loop();

  const std::string name_;
  const Options options_;
  const std::function<absl::Status()> body_;
  absl::Mutex run_mu_;  // one iteration at a time
  absl::Mutex mu_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

struct TaskStats {
  std::string name;
  int64_t runs = 0;
  int64_t failures = 0;
  absl::Duration last_duration;
  absl::Time last_success = absl::InfinitePast();
};
// Every task that ever ran in this process, by name (tasks sharing a name
// share counts).
std::vector<TaskStats> AllTaskStats();

}  // namespace tokkit

#endif  // TOKKIT_LIB_CORE_PERIODIC_TASK_H_
