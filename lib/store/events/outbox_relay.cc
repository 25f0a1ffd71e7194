#include "lib/store/events/outbox_relay.h"

#include "lib/core/status_macros.h"
#include "lib/store/events/outbox.h"

namespace tokkit {

OutboxRelay::OutboxRelay(Database* db, const Clock* clock,
                         OutboxRelayOptions options)
    : options_(options),
      clock_(clock),
      tailer_(db, clock,
              {options.lookback, options.retention, options.batch_size},
              clock->Now()),
      dispatcher_(clock, DeadLetterTable(db, clock), options.dispatch) {
  task_ = std::make_unique<PeriodicTask>(
      "events.relay", PeriodicTask::Options{options_.poll_interval, 0.1},
      [this] { return PollOnce(); });
}

OutboxRelay::~OutboxRelay() { task_->Stop(); }

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
