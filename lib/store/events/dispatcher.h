// The subscriber side every event bus shares: topic matching, RAII
// subscriptions that wait for in-flight handlers, retries with backoff for
// failed handlers, dead letters for ones that keep failing, and the trace of
// the event installed as the handler's request context.
#ifndef TOKKIT_LIB_STORE_EVENTS_DISPATCHER_H_
#define TOKKIT_LIB_STORE_EVENTS_DISPATCHER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "lib/core/clock.h"
#include "lib/store/events/event_bus.h"

namespace tokkit {

struct DispatcherOptions {
  // Attempts before an event is dead-lettered for a consumer (the first
  // delivery included); retries wait 100 ms, doubling, at most 30 s.
  int max_attempts = 8;
  absl::Duration first_retry = absl::Milliseconds(100);
  absl::Duration max_retry = absl::Seconds(30);
  // At most this many events wait for a retry; past it the oldest is
  // dead-lettered early (memory stays bounded when a consumer is down).
  size_t max_pending_retries = 10000;
};

class Dispatcher {
 public:
  // Records an event a consumer gave up on (the dead_letters table).
  using DeadLetterSink = std::function<absl::Status(
      const std::string& consumer, const Event& event,
      const absl::Status& error, int attempts)>;

  Dispatcher(const Clock* clock, DeadLetterSink dead_letters,
             DispatcherOptions options = {});
  ~Dispatcher();

  std::unique_ptr<Subscription> Subscribe(absl::string_view consumer,
                                          absl::string_view topic,
                                          EventBus::Handler handler);
  // Delivers to every matching subscription; failures are queued for retry.
  void Dispatch(const Event& event);
  // Runs the retries that are due. Call it from the delivery loop.
  void RetryDue();
  size_t pending_retries() const;

  struct Stats {
    int64_t delivered = 0, failed = 0, dead_lettered = 0;
  };
  Stats stats() const;

 private:
  class Sub;
  struct Retry {
    std::shared_ptr<Sub> sub;
    Event event;
    int attempts = 0;
    absl::Status last_error;
    absl::Time due;
  };
  // True if handled; otherwise schedules a retry or dead-letters it.
  void Deliver(const std::shared_ptr<Sub>& sub, const Event& event,
               int attempts_before);
  void GiveUp(const std::string& consumer, const Event& event,
              const absl::Status& error, int attempts);

  const Clock* const clock_;
  const DeadLetterSink dead_letters_;
  const DispatcherOptions options_;
  mutable absl::Mutex mu_;
  std::map<int64_t, std::shared_ptr<Sub>> subs_ ABSL_GUARDED_BY(mu_);
  int64_t next_sub_ ABSL_GUARDED_BY(mu_) = 1;
  std::multimap<absl::Time, Retry> retries_ ABSL_GUARDED_BY(mu_);
  Stats stats_ ABSL_GUARDED_BY(mu_);
  absl::Mutex retry_run_mu_;  // one RetryDue at a time
};

// Process-wide totals of every dispatcher, by consumer (metrics).
struct ConsumerStats {
  std::string consumer;
  int64_t delivered = 0, failed = 0, dead_lettered = 0;
};
std::vector<ConsumerStats> AllConsumerStats();

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_EVENTS_DISPATCHER_H_
