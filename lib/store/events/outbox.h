// The transactional outbox: SQL side of the event bus. For repository
// implementations only (sees SOCI).
#ifndef TOKKIT_LIB_STORE_EVENTS_OUTBOX_H_
#define TOKKIT_LIB_STORE_EVENTS_OUTBOX_H_

#include <soci/soci.h>

#include <memory>
#include <vector>

#include "lib/core/clock.h"
#include "lib/store/events/dispatcher.h"
#include "lib/store/events/event_bus.h"
#include "lib/store/sql/database.h"

namespace tokkit {

inline constexpr char kEventsModule[] = "events";
const std::vector<Migration>& EventMigrations();

// The PostgreSQL channel notified when events commit (outbox_relay.h).
inline constexpr char kOutboxChannel[] = "tokkit_outbox";

// Appends `event` on `sql`, which must be inside the caller's transaction.
// An event without a traceparent gets the current request's. On PostgreSQL
// it also notifies kOutboxChannel, delivered at commit (and once per
// transaction however many events it appends).
void AppendToOutbox(soci::session& sql, const Event& event);

// Publishes each event in a transaction of its own on `db`, and pokes `bus`
// (may be null) so local delivery does not wait for the next poll.
std::unique_ptr<EventPublisher> NewOutboxPublisher(Database* db, EventBus* bus);

// Writes events a consumer gave up on to the dead_letters table.
Dispatcher::DeadLetterSink DeadLetterTable(Database* db, const Clock* clock);

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_EVENTS_OUTBOX_H_
