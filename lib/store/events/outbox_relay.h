// EventBus that tails the outbox table. Every process (every replica) runs
// one and sees every event, which is what fan-out consumers such as live chat
// delivery need; with only a shared PostgreSQL, replicas need no broker.
//
// Ids are time-ordered but transactions commit out of id order, so each poll
// re-reads a lookback window (default 5 s) before its high-water mark and
// skips ids it already delivered. An event committed more than the lookback
// after its id was drawn could be missed by live delivery; consumers that
// must see everything (chat reconnect) also read durable state.
#ifndef TOKKIT_LIB_STORE_EVENTS_OUTBOX_RELAY_H_
#define TOKKIT_LIB_STORE_EVENTS_OUTBOX_RELAY_H_

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "lib/core/clock.h"
#include "lib/store/events/event_bus.h"
#include "lib/store/events/outbox_tailer.h"
#include "lib/store/sql/database.h"

namespace tokkit {

struct OutboxRelayOptions {
  absl::Duration poll_interval = absl::Milliseconds(100);
  absl::Duration lookback = absl::Seconds(5);
  // Outbox rows older than this are deleted by the relay.
  absl::Duration retention = absl::Hours(24);
  int batch_size = 500;
};

class OutboxRelay : public EventBus {
 public:
  // Starts delivering events committed from now on (history is not replayed).
  OutboxRelay(Database* db, const Clock* clock,
              OutboxRelayOptions options = {});
  ~OutboxRelay() override;  // stops the delivery thread

  SubscriptionId Subscribe(absl::string_view topic, Handler handler) override;
  void Unsubscribe(SubscriptionId id) override;
  void Poke() override;

  // One poll, on the caller's thread (tests; the thread does the same).
  absl::Status PollOnce();

 private:
  void Loop();

  const OutboxRelayOptions options_;

  absl::Mutex handlers_mu_;
  SubscriptionId next_id_ ABSL_GUARDED_BY(handlers_mu_) = 1;
  std::map<SubscriptionId, std::pair<std::string, Handler>> handlers_
      ABSL_GUARDED_BY(handlers_mu_);

  absl::Mutex poll_mu_;  // one poll (and its deliveries) at a time
  OutboxTailer tailer_;

  absl::Mutex wake_mu_;
  bool poked_ ABSL_GUARDED_BY(wake_mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(wake_mu_) = false;
  std::thread thread_;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_EVENTS_OUTBOX_RELAY_H_
