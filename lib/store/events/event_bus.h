// Domain events. Producers write events into the outbox table inside the
// same transaction as the change they describe (outbox.h), so an event exists
// if and only if its change committed. A relay delivers them to subscribers
// at least once; payloads carry ids, and consumers read current state and
// must be idempotent (the event id is unique).
#ifndef TOKKIT_LIB_STORE_EVENTS_EVENT_BUS_H_
#define TOKKIT_LIB_STORE_EVENTS_EVENT_BUS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tokkit {

struct Event {
  int64_t id = 0;       // time-ordered (IdGenerator)
  std::string topic;    // e.g. "social.user_followed"
  std::string key;      // the entity it is about, e.g. a user id
  std::string payload;  // small: ids, not documents
  absl::Time created_at;
};

class EventBus {
 public:
  using Handler = std::function<void(const Event&)>;
  using SubscriptionId = int64_t;

  virtual ~EventBus() = default;
  // Handlers run on the bus's delivery thread: keep them short.
  virtual SubscriptionId Subscribe(absl::string_view topic,
                                   Handler handler) = 0;
  virtual void Unsubscribe(SubscriptionId id) = 0;
  // Hint that events were just committed locally: deliver without waiting
  // for the next poll.
  virtual void Poke() = 0;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_EVENTS_EVENT_BUS_H_
