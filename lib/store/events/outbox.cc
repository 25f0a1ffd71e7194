#include "lib/store/events/outbox.h"

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
  };
  return *migrations;
}

void AppendToOutbox(soci::session& sql, const Event& e) {
  const int64_t created = ToMillis(e.created_at);
  sql << "INSERT INTO outbox (id, topic, entity_key, payload, created_at_ms) "
         "VALUES (:i, :t, :k, :p, :c)",
      soci::use(e.id), soci::use(e.topic), soci::use(e.key),
      soci::use(e.payload), soci::use(created);
}

}  // namespace tokkit
