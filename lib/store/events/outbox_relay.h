// EventBus that tails the outbox table. Every process (every replica) runs
// one and sees every event, which is what fan-out consumers such as live chat
// delivery need; with only a shared PostgreSQL, replicas need no broker.
//
// Ids are time-ordered but transactions commit out of id order: the tailer
// (outbox_tailer.h) reads rows above its high-water mark and only the ids of
// a short settle window below it, and sweeps the ids of a lookback window
// (default 5 s) every second. An event committed more than the lookback
// after its id was drawn could be missed by live delivery; consumers that
// must see everything (chat reconnect) also read durable state.
//
// The poll is a PeriodicTask ("events.relay"); Poke() runs it at once. On
// PostgreSQL a LISTEN on the outbox channel pokes it when any replica
// commits events, so delivery across replicas does not wait for a poll.
// Handlers that fail are retried and dead-lettered (dispatcher.h).
#ifndef TOKKIT_LIB_STORE_EVENTS_OUTBOX_RELAY_H_
#define TOKKIT_LIB_STORE_EVENTS_OUTBOX_RELAY_H_

#include <memory>

#include "absl/synchronization/mutex.h"
#include "lib/core/clock.h"
#include "lib/core/periodic_task.h"
#include "lib/store/events/dispatcher.h"
#include "lib/store/events/event_bus.h"
#include "lib/store/events/outbox_tailer.h"
#include "lib/store/sql/database.h"

namespace tokkit {

struct OutboxRelayOptions {
  absl::Duration poll_interval = absl::Milliseconds(100);
  // PostgreSQL: polls wake on LISTEN/NOTIFY (commits anywhere notify the
  // outbox channel), and the timed poll becomes a fallback this far apart.
  bool listen = true;
  absl::Duration listening_poll_interval = absl::Seconds(1);
  absl::Duration lookback = absl::Seconds(5);
  // Outbox rows older than this are deleted by the relay.
  absl::Duration retention = absl::Hours(24);
  int batch_size = 500;
  DispatcherOptions dispatch;
};

class OutboxRelay : public EventBus {
 public:
  // Starts delivering events committed from now on (history is not replayed).
  OutboxRelay(Database* db, const Clock* clock,
              OutboxRelayOptions options = {});
  ~OutboxRelay() override;  // stops the poll; waits for a running one

  std::unique_ptr<Subscription> Subscribe(absl::string_view consumer,
                                          absl::string_view topic,
                                          Handler handler) override;
  void Poke() override;

  // One poll and its deliveries (and due retries), on the caller's thread;
  // never concurrently with the task's.
  absl::Status PollOnce();
  // The age of the oldest event this relay has not delivered yet: outbox
  // rows newer than its position (metrics: outbox lag).
  absl::Duration Lag() const;
  // Whether commits wake this relay now (PostgreSQL LISTEN in effect);
  // otherwise only the timed poll finds them.
  bool listening() const {
    return listener_ != nullptr && listener_->listening();
  }

 private:
  const OutboxRelayOptions options_;
  OutboxTailer tailer_;
  Dispatcher dispatcher_;
  absl::Mutex poll_mu_;
  // The listener's thread may wake the task before the constructor made it.
  absl::Mutex task_mu_;
  std::unique_ptr<PeriodicTask> task_;
  std::unique_ptr<Database::Listener> listener_;  // last: stops first
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_EVENTS_OUTBOX_RELAY_H_
