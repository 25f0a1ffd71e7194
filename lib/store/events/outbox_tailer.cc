#include "lib/store/events/outbox_tailer.h"

#include <soci/soci.h>

#include <algorithm>

#include "lib/core/id_generator.h"
#include "lib/core/status_macros.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit {

int64_t FirstIdAt(absl::Time t) {
  const int64_t ms =
      std::max<int64_t>(0, absl::ToInt64Milliseconds(t - IdGenerator::Epoch()));
  return ms << (IdGenerator::kWorkerBits + IdGenerator::kSequenceBits);
}

OutboxTailer::OutboxTailer(Database* db, const Clock* clock,
                           OutboxTailerOptions options, absl::Time start)
    : db_(db), clock_(clock), options_(options) {
  absl::MutexLock lock(&mu_);
  high_water_ = FirstIdAt(start);
  last_cleanup_ = clock_->Now();
}

absl::Duration OutboxTailer::Lag() const {
  absl::MutexLock lock(&mu_);
  // A tailer that stopped polling falls behind by the time since.
  if (last_poll_ == absl::InfinitePast()) return absl::ZeroDuration();
  return lag_ + std::max(absl::ZeroDuration(),
                         clock_->Now() - last_poll_ - absl::Seconds(1));
}

void OutboxTailer::MarkReturned(const std::vector<int64_t>& ids) {
  absl::MutexLock lock(&mu_);
  for (int64_t id : ids) seen_.insert(id);
}

absl::StatusOr<std::vector<Event>> OutboxTailer::Poll() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  const int64_t low = std::min(high_water_, FirstIdAt(now - options_.lookback));
  std::vector<Event> fresh;
  RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
    // Page through the window; already-returned rows are skipped here.
    int64_t cursor = low - 1;
    while (true) {
      int seen = 0;
      soci::rowset<soci::row> rows =
          (sql.prepare
               << "SELECT id, topic, entity_key, payload, created_at_ms, "
                  "traceparent FROM outbox WHERE id > :c ORDER BY id LIMIT :n",
           soci::use(cursor), soci::use(options_.batch_size));
      for (const soci::row& r : rows) {
        ++seen;
        Event e;
        e.id = RowInt(r, 0);
        cursor = e.id;
        if (seen_.contains(e.id)) continue;
        e.topic = RowString(r, 1);
        e.key = RowString(r, 2);
        e.payload = RowString(r, 3);
        e.created_at = FromMillis(RowInt(r, 4));
        e.traceparent = RowString(r, 5);
        fresh.push_back(std::move(e));
      }
      if (seen < options_.batch_size) break;
    }
    if (now - last_cleanup_ > absl::Minutes(1)) {
      const int64_t cutoff = FirstIdAt(now - options_.retention);
      sql << "DELETE FROM outbox WHERE id < :c", soci::use(cutoff);
      last_cleanup_ = now;
    }
    return absl::OkStatus();
  }));
  // Lag: how old the oldest event of this poll was when it was returned.
  lag_ = fresh.empty()
             ? absl::ZeroDuration()
             : std::max(absl::ZeroDuration(), now - fresh.front().created_at);
  last_poll_ = now;
  for (const Event& e : fresh) {
    seen_.insert(e.id);
    high_water_ = std::max(high_water_, e.id);
  }
  // Forget ids below where the next poll starts reading; they will not be
  // read again. (After a clock jump that is the high-water mark, which must
  // stay remembered.)
  const int64_t next_low =
      std::min(high_water_, FirstIdAt(now - options_.lookback));
  absl::erase_if(seen_, [&](int64_t id) { return id < next_low; });
  return fresh;
}

}  // namespace tokkit
