// Domain events. Producers write events into the outbox table inside the
// same transaction as the change they describe (outbox.h), so an event exists
// if and only if its change committed. A relay delivers them to subscribers
// at least once; payloads carry ids, and consumers read current state and
// must be idempotent (the event id is unique).
//
// Subscriptions are RAII: delivery stops when the handle is destroyed, and
// the destructor waits for a running call of the handler to return, so the
// handler's owner may be destroyed right after. A handler that fails is
// retried with backoff; one that keeps failing is recorded as a dead letter,
// logged and counted, never dropped silently.
#ifndef TOKKIT_LIB_STORE_EVENTS_EVENT_BUS_H_
#define TOKKIT_LIB_STORE_EVENTS_EVENT_BUS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tokkit {

struct Event {
  int64_t id = 0;       // time-ordered (IdGenerator)
  std::string topic;    // e.g. "social.user_followed"
  std::string key;      // the entity it is about, e.g. a user id
  std::string payload;  // small: ids, not documents
  absl::Time created_at;
  // W3C trace context of the request that caused it (set by the outbox from
  // the current request when empty), so one order can be followed from the
  // RPC through every event and consumer it caused.
  std::string traceparent;
};

// Delivery to one handler while alive; see the file comment.
class Subscription {
 public:
  virtual ~Subscription() = default;
};

class EventBus {
 public:
  // OK: handled. An error: retried with backoff, then dead-lettered.
  using Handler = std::function<absl::Status(const Event&)>;

  virtual ~EventBus() = default;
  // `consumer` names the subscriber in logs, metrics and dead letters
  // ("feed.popularity"). Handlers run on the bus's delivery thread: keep
  // them short.
  virtual std::unique_ptr<Subscription> Subscribe(absl::string_view consumer,
                                                  absl::string_view topic,
                                                  Handler handler) = 0;
  // Hint that events were just committed locally: deliver without waiting
  // for the next poll.
  virtual void Poke() = 0;
};

// Publishes an event on its own, after the change it describes committed
// elsewhere: for consumers that only need a hint (cache invalidation), where
// a lost event costs a bounded delay rather than correctness. Changes whose
// consumers need every event write them in their own transaction instead
// (outbox.h).
class EventPublisher {
 public:
  virtual ~EventPublisher() = default;
  virtual absl::Status Publish(const Event& event) = 0;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_EVENTS_EVENT_BUS_H_
