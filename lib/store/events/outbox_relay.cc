#include "lib/store/events/outbox_relay.h"

#include "lib/core/status_macros.h"
#include "lib/store/events/outbox.h"

namespace tokkit {

OutboxRelay::OutboxRelay(Database* db, const Clock* clock,
                         OutboxRelayOptions options)
    : options_(options),
      tailer_(db, clock,
              {options.lookback, options.retention, options.batch_size},
              clock->Now()),
      dispatcher_(clock, DeadLetterTable(db, clock), options.dispatch) {
  absl::Duration interval = options_.poll_interval;
  if (options_.listen && db->dialect() == SqlDialect::kPostgresql) {
    absl::StatusOr<std::unique_ptr<Database::Listener>> listener =
        db->Listen(kOutboxChannel, [this] {
          absl::MutexLock lock(&task_mu_);
          if (task_ != nullptr) task_->Wake();
        });
    if (listener.ok()) {
      listener_ = *std::move(listener);
      interval = std::max(interval, options_.listening_poll_interval);
    }
  }
  absl::MutexLock lock(&task_mu_);
  task_ = std::make_unique<PeriodicTask>("events.relay",
                                         PeriodicTask::Options{interval, 0.1},
                                         [this] { return PollOnce(); });
}

OutboxRelay::~OutboxRelay() {
  listener_.reset();  // no more wake-ups
  task_->Stop();
}

std::unique_ptr<Subscription> OutboxRelay::Subscribe(absl::string_view consumer,
                                                     absl::string_view topic,
                                                     Handler handler) {
  return dispatcher_.Subscribe(consumer, topic, std::move(handler));
}

void OutboxRelay::Poke() { task_->Wake(); }

absl::Status OutboxRelay::PollOnce() {
  absl::MutexLock lock(&poll_mu_);
  dispatcher_.RetryDue();
  ASSIGN_OR_RETURN(std::vector<Event> fresh, tailer_.Poll());
  for (const Event& e : fresh) dispatcher_.Dispatch(e);
  return absl::OkStatus();
}

absl::Duration OutboxRelay::Lag() const { return tailer_.Lag(); }

}  // namespace tokkit
