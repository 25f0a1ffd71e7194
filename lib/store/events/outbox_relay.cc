#include "lib/store/events/outbox_relay.h"

#include "lib/core/status_macros.h"

namespace tokkit {

OutboxRelay::OutboxRelay(Database* db, const Clock* clock,
                         OutboxRelayOptions options)
    : options_(options),
      tailer_(db, clock,
              {options.lookback, options.retention, options.batch_size},
              clock->Now()) {
  thread_ = std::thread([this] { Loop(); });
}

OutboxRelay::~OutboxRelay() {
  {
    absl::MutexLock lock(&wake_mu_);
    stopping_ = true;
  }
  thread_.join();
}

EventBus::SubscriptionId OutboxRelay::Subscribe(absl::string_view topic,
                                                Handler handler) {
  absl::MutexLock lock(&handlers_mu_);
  const SubscriptionId id = next_id_++;
  handlers_.emplace(id, std::make_pair(std::string(topic), std::move(handler)));
  return id;
}

void OutboxRelay::Unsubscribe(SubscriptionId id) {
  absl::MutexLock lock(&handlers_mu_);
  handlers_.erase(id);
}

void OutboxRelay::Poke() {
  absl::MutexLock lock(&wake_mu_);
  poked_ = true;
}

void OutboxRelay::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&wake_mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(wake_mu_) {
        return poked_ || stopping_;
      };
      wake_mu_.AwaitWithTimeout(absl::Condition(&ready),
                                options_.poll_interval);
      if (stopping_) return;
      poked_ = false;
    }
    // A failed poll (database briefly down) is retried on the next tick.
    (void)PollOnce();
  }
}

absl::Status OutboxRelay::PollOnce() {
  absl::MutexLock lock(&poll_mu_);
  absl::StatusOr<std::vector<Event>> fresh = tailer_.Poll();
  if (!fresh.ok()) return fresh.status();
  for (const Event& e : *fresh) {
    std::vector<Handler> targets;
    {
      absl::MutexLock hl(&handlers_mu_);
      for (const auto& [id, sub] : handlers_) {
        if (sub.first == e.topic) targets.push_back(sub.second);
      }
    }
    for (const Handler& h : targets) h(e);
  }
  return absl::OkStatus();
}

}  // namespace tokkit
