#include "lib/core/periodic_task.h"

#include <random>

#include "absl/container/flat_hash_map.h"
#include "absl/time/clock.h"
#include "lib/core/log.h"

namespace tokkit {
namespace {

class StatsRegistry {
 public:
  static StatsRegistry& Get() {
    static StatsRegistry* const r = new StatsRegistry();
    return *r;
  }
  void Record(const std::string& name, bool ok, absl::Duration took) {
    absl::MutexLock lock(&mu_);
    TaskStats& s = stats_[name];
    s.name = name;
    ++s.runs;
    if (!ok) ++s.failures;
    s.last_duration = took;
    if (ok) s.last_success = absl::Now();
  }
  std::vector<TaskStats> All() {
    absl::MutexLock lock(&mu_);
    std::vector<TaskStats> out;
    for (const auto& [name, s] : stats_) out.push_back(s);
    return out;
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, TaskStats> stats_ ABSL_GUARDED_BY(mu_);
};

absl::Duration Jittered(absl::Duration interval, double jitter) {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  std::uniform_real_distribution<double> d(1.0 - jitter, 1.0 + jitter);
  return interval * d(engine);
}

}  // namespace

PeriodicTask::PeriodicTask(std::string name, Options options,
                           std::function<absl::Status()> body)
    : name_(std::move(name)), options_(options), body_(std::move(body)) {
  if (options_.interval > absl::ZeroDuration()) {
    thread_ = std::thread([this] { Loop(); });
  }
}

PeriodicTask::~PeriodicTask() { Stop(); }

void PeriodicTask::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

void PeriodicTask::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::Status PeriodicTask::RunOnce() {
  absl::MutexLock lock(&run_mu_);
  const absl::Time start = absl::Now();
  absl::Status st;
  try {
    st = body_();
  } catch (const std::exception& e) {
    st = absl::InternalError(std::string("exception: ") + e.what());
  }
  StatsRegistry::Get().Record(name_, st.ok(), absl::Now() - start);
  if (!st.ok()) {
    log::Warning("periodic_task_failed", {{"task", name_}, {"error", st}});
  }
  return st;
}

void PeriodicTask::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return woken_ || stopping_;
      };
      mu_.AwaitWithTimeout(absl::Condition(&ready),
                           Jittered(options_.interval, options_.jitter));
      if (stopping_) return;
      woken_ = false;
    }
    RunOnce().IgnoreError();  // logged and counted by RunOnce
  }
}

std::vector<TaskStats> AllTaskStats() { return StatsRegistry::Get().All(); }

}  // namespace tokkit
