#include "lib/store/events/dispatcher.h"

#include <optional>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "lib/core/log.h"
#include "lib/core/request_context.h"

namespace tokkit {
namespace {

class ConsumerRegistry {
 public:
  static ConsumerRegistry& Get() {
    static ConsumerRegistry* const r = new ConsumerRegistry();
    return *r;
  }
  void Count(const std::string& consumer, int delivered, int failed, int dead) {
    absl::MutexLock lock(&mu_);
    ConsumerStats& s = stats_[consumer];
    s.consumer = consumer;
    s.delivered += delivered;
    s.failed += failed;
    s.dead_lettered += dead;
  }
  std::vector<ConsumerStats> All() {
    absl::MutexLock lock(&mu_);
    std::vector<ConsumerStats> out;
    for (const auto& [name, s] : stats_) out.push_back(s);
    return out;
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, ConsumerStats> stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::vector<ConsumerStats> AllConsumerStats() {
  return ConsumerRegistry::Get().All();
}

// One subscription. Calls bracket themselves with Enter/Leave; Close stops
// new calls and waits for a running one (unless it is the caller itself:
// a handler may drop its own subscription).
class Dispatcher::Sub : public Subscription {
 public:
  Sub(std::string consumer, std::string topic, EventBus::Handler handler)
      : consumer(std::move(consumer)),
        topic(std::move(topic)),
        handler(std::move(handler)) {}
  ~Sub() override { Close(); }

  bool Enter() {
    absl::MutexLock lock(&mu_);
    if (!active_) return false;
    ++in_flight_;
    running_on_ = std::this_thread::get_id();
    return true;
  }
  void Leave() {
    absl::MutexLock lock(&mu_);
    --in_flight_;
    running_on_ = std::thread::id();
  }
  bool active() {
    absl::MutexLock lock(&mu_);
    return active_;
  }
  void Close() {
    absl::MutexLock lock(&mu_);
    active_ = false;
    if (running_on_ == std::this_thread::get_id()) return;
    auto idle = [this]()
                    ABSL_SHARED_LOCKS_REQUIRED(mu_) { return in_flight_ == 0; };
    mu_.Await(absl::Condition(&idle));
  }

  const std::string consumer;
  const std::string topic;
  const EventBus::Handler handler;

 private:
  absl::Mutex mu_;
  bool active_ ABSL_GUARDED_BY(mu_) = true;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread::id running_on_ ABSL_GUARDED_BY(mu_);
};

Dispatcher::Dispatcher(const Clock* clock, DeadLetterSink dead_letters,
                       DispatcherOptions options)
    : clock_(clock),
      dead_letters_(std::move(dead_letters)),
      options_(options) {}

Dispatcher::~Dispatcher() = default;

std::unique_ptr<Subscription> Dispatcher::Subscribe(absl::string_view consumer,
                                                    absl::string_view topic,
                                                    EventBus::Handler handler) {
  auto sub = std::make_shared<Sub>(std::string(consumer), std::string(topic),
                                   std::move(handler));
  absl::MutexLock lock(&mu_);
  subs_.emplace(next_sub_++, sub);
  // The dispatcher keeps a shared reference too; the handle's destruction
  // closes it (and waits), after which it is dropped from subs_ lazily.
  struct Closer : Subscription {
    explicit Closer(std::shared_ptr<Sub> s) : sub(std::move(s)) {}
    ~Closer() override { sub->Close(); }
    std::shared_ptr<Sub> sub;
  };
  return std::make_unique<Closer>(std::move(sub));
}

void Dispatcher::Dispatch(const Event& event) {
  std::vector<std::shared_ptr<Sub>> targets;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = subs_.begin(); it != subs_.end();) {
      if (!it->second->active()) {
        it = subs_.erase(it);
        continue;
      }
      if (it->second->topic == event.topic) targets.push_back(it->second);
      ++it;
    }
  }
  for (const std::shared_ptr<Sub>& sub : targets) Deliver(sub, event, 0);
}

void Dispatcher::Deliver(const std::shared_ptr<Sub>& sub, const Event& event,
                         int attempts_before) {
  if (!sub->Enter()) return;  // unsubscribed meanwhile
  absl::Status st;
  {
    // The consumer works on behalf of the request that caused the event.
    RequestContext context;
    context.request_id = absl::StrCat("event-", event.id);
    context.traceparent = ChildTraceparent(event.traceparent);
    ScopedRequest scope(std::move(context));
    try {
      st = sub->handler(event);
    } catch (const std::exception& e) {
      st = absl::InternalError(absl::StrCat("handler threw: ", e.what()));
    }
  }
  sub->Leave();
  const int attempts = attempts_before + 1;
  if (st.ok()) {
    ConsumerRegistry::Get().Count(sub->consumer, 1, 0, 0);
    absl::MutexLock lock(&mu_);
    ++stats_.delivered;
    return;
  }
  ConsumerRegistry::Get().Count(sub->consumer, 0, 1, 0);
  log::Warning("event_handler_failed", {{"consumer", sub->consumer},
                                        {"event_id", event.id},
                                        {"topic", event.topic},
                                        {"attempt", attempts},
                                        {"error", st}});
  if (attempts >= options_.max_attempts) {
    GiveUp(sub->consumer, event, st, attempts);
    return;
  }
  absl::Duration wait = options_.first_retry;
  for (int i = 1; i < attempts && wait < options_.max_retry; ++i) wait *= 2;
  wait = std::min(wait, options_.max_retry);
  std::optional<Retry> evicted;
  {
    absl::MutexLock lock(&mu_);
    ++stats_.failed;
    const absl::Time due = clock_->Now() + wait;
    retries_.emplace(due, Retry{sub, event, attempts, st, due});
    if (retries_.size() > options_.max_pending_retries) {
      evicted = std::move(retries_.begin()->second);
      retries_.erase(retries_.begin());
    }
  }
  if (evicted) {
    GiveUp(
        evicted->sub->consumer, evicted->event,
        absl::ResourceExhaustedError(absl::StrCat(
            "retry queue full; last error: ", evicted->last_error.ToString())),
        evicted->attempts);
  }
}

void Dispatcher::GiveUp(const std::string& consumer, const Event& event,
                        const absl::Status& error, int attempts) {
  ConsumerRegistry::Get().Count(consumer, 0, 0, 1);
  {
    absl::MutexLock lock(&mu_);
    ++stats_.dead_lettered;
  }
  log::Error("event_dead_lettered", {{"consumer", consumer},
                                     {"event_id", event.id},
                                     {"topic", event.topic},
                                     {"attempts", attempts},
                                     {"error", error}});
  if (dead_letters_) {
    absl::Status st = dead_letters_(consumer, event, error, attempts);
    if (!st.ok()) {
      log::Error(
          "dead_letter_write_failed",
          {{"consumer", consumer}, {"event_id", event.id}, {"error", st}});
    }
  }
}

void Dispatcher::RetryDue() {
  absl::MutexLock run(&retry_run_mu_);
  std::vector<Retry> due;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_->Now();
    while (!retries_.empty() && retries_.begin()->first <= now) {
      due.push_back(std::move(retries_.begin()->second));
      retries_.erase(retries_.begin());
    }
  }
  for (Retry& r : due) {
    if (!r.sub->active()) continue;
    Deliver(r.sub, r.event, r.attempts);
  }
}

size_t Dispatcher::pending_retries() const {
  absl::MutexLock lock(&mu_);
  return retries_.size();
}

Dispatcher::Stats Dispatcher::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace tokkit
