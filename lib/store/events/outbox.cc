#include "lib/store/events/outbox.h"

#include "lib/core/request_context.h"
#include "lib/core/status_macros.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit {

const std::vector<Migration>& EventMigrations() {
  static const auto* migrations = new std::vector<Migration>{
      {1, "outbox",
       R"sql(
CREATE TABLE outbox (
  id BIGINT PRIMARY KEY,
  topic VARCHAR(64) NOT NULL,
  entity_key VARCHAR(128) NOT NULL,
  payload VARCHAR(4000) NOT NULL,
  created_at_ms BIGINT NOT NULL
);
)sql"},
      {2, "trace context on events, dead letters",
       R"sql(
ALTER TABLE outbox ADD COLUMN traceparent VARCHAR(64) NOT NULL DEFAULT '';
CREATE TABLE dead_letters (
  consumer VARCHAR(64) NOT NULL,
  event_id BIGINT NOT NULL,
  topic VARCHAR(64) NOT NULL,
  entity_key VARCHAR(128) NOT NULL,
  payload VARCHAR(4000) NOT NULL,
  traceparent VARCHAR(64) NOT NULL,
  error VARCHAR(1000) NOT NULL,
  attempts INTEGER NOT NULL,
  failed_at_ms BIGINT NOT NULL,
  PRIMARY KEY (consumer, event_id)
);
)sql"},
  };
  return *migrations;
}

void AppendToOutbox(soci::session& sql, const Event& e) {
  const int64_t created = ToMillis(e.created_at);
  std::string trace = e.traceparent;
  if (trace.empty() && CurrentRequest() != nullptr) {
    trace = CurrentRequest()->traceparent;
  }
  sql << "INSERT INTO outbox (id, topic, entity_key, payload, created_at_ms, "
         "traceparent) VALUES (:i, :t, :k, :p, :c, :tp)",
      soci::use(e.id), soci::use(e.topic), soci::use(e.key),
      soci::use(e.payload), soci::use(created), soci::use(trace);
  if (IsPostgres(sql)) {
    sql << "NOTIFY " << kOutboxChannel;
  }
}

namespace {

class OutboxPublisher : public EventPublisher {
 public:
  OutboxPublisher(Database* db, EventBus* bus) : db_(db), bus_(bus) {}
  absl::Status Publish(const Event& event) override {
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) {
      AppendToOutbox(sql, event);
      return absl::OkStatus();
    }));
    if (bus_ != nullptr) bus_->Poke();
    return absl::OkStatus();
  }

 private:
  Database* const db_;
  EventBus* const bus_;
};

}  // namespace

std::unique_ptr<EventPublisher> NewOutboxPublisher(Database* db,
                                                   EventBus* bus) {
  return std::make_unique<OutboxPublisher>(db, bus);
}

Dispatcher::DeadLetterSink DeadLetterTable(Database* db, const Clock* clock) {
  return [db, clock](const std::string& consumer, const Event& e,
                     const absl::Status& error, int attempts) {
    const std::string message = error.ToString().substr(0, 1000);
    const int64_t now = ToMillis(clock->Now());
    return db->Run([&](soci::session& sql) {
      // A consumer that gives up on the same event twice (two replicas)
      // keeps the first record.
      sql << "DELETE FROM dead_letters WHERE consumer = :c AND event_id = :i",
          soci::use(consumer), soci::use(e.id);
      sql << "INSERT INTO dead_letters (consumer, event_id, topic, "
             "entity_key, payload, traceparent, error, attempts, "
             "failed_at_ms) VALUES (:c, :i, :t, :k, :p, :tp, :e, :a, :f)",
          soci::use(consumer), soci::use(e.id), soci::use(e.topic),
          soci::use(e.key), soci::use(e.payload), soci::use(e.traceparent),
          soci::use(message), soci::use(attempts), soci::use(now);
      return absl::OkStatus();
    });
  };
}

}  // namespace tokkit
