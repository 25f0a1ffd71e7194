#include "lib/store/events/outbox_tailer.h"

#include <soci/soci.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/core/id_generator.h"
#include "lib/core/status_macros.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit {

OutboxTailer::OutboxTailer(Database* db, const Clock* clock,
                           OutboxTailerOptions options, absl::Time start)
    : db_(db), clock_(clock), options_(options) {
  absl::MutexLock lock(&mu_);
  high_water_ = IdGenerator::FirstIdAt(start);
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

OutboxTailer::ReadStats OutboxTailer::read_stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

namespace {

constexpr char kEventColumns[] =
    "SELECT id, topic, entity_key, payload, created_at_ms, traceparent FROM "
    "outbox WHERE ";

Event EventOfRow(const soci::row& r) {
  Event e;
  e.id = RowInt(r, 0);
  e.topic = RowString(r, 1);
  e.key = RowString(r, 2);
  e.payload = RowString(r, 3);
  e.created_at = FromMillis(RowInt(r, 4));
  e.traceparent = RowString(r, 5);
  return e;
}

}  // namespace

absl::StatusOr<std::vector<Event>> OutboxTailer::Poll() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  const bool sweep = now - last_sweep_ >= options_.sweep_interval;
  // Below the mark, only the ids of this range are read.
  const int64_t low = std::min(
      high_water_, IdGenerator::FirstIdAt(
                       now - (sweep ? options_.lookback : options_.settle)));
  std::vector<Event> fresh;
  int64_t top = high_water_;
  // The lambda runs inside Run, on this thread, with mu_ still held.
  RETURN_IF_ERROR(
      db_->Run([&](soci::session& sql) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        // Rows above the mark, paged.
        int64_t cursor = high_water_;
        while (true) {
          int seen = 0;
          soci::rowset<soci::row> rows =
              (sql.prepare << kEventColumns << "id > :c ORDER BY id LIMIT :n",
               soci::use(cursor), soci::use(options_.batch_size));
          for (const soci::row& r : rows) {
            ++seen;
            ++stats_.rows;
            cursor = RowInt(r, 0);
            if (seen_.contains(cursor)) continue;  // seeded by MarkReturned
            fresh.push_back(EventOfRow(r));
          }
          if (seen < options_.batch_size) break;
        }
        top = cursor;
        // Late commits below it: ids alone, then the rows of those not
        // returned.
        std::vector<int64_t> late;
        cursor = low - 1;
        while (cursor < high_water_) {
          int seen = 0;
          soci::rowset<soci::row> ids =
              (sql.prepare
                   << "SELECT id FROM outbox WHERE id > :c AND id <= :h "
                      "ORDER BY id LIMIT :n",
               soci::use(cursor), soci::use(high_water_),
               soci::use(options_.batch_size));
          for (const soci::row& r : ids) {
            ++seen;
            ++stats_.ids;
            cursor = RowInt(r, 0);
            if (!seen_.contains(cursor)) late.push_back(cursor);
          }
          if (seen < options_.batch_size) break;
        }
        for (size_t at = 0; at < late.size(); at += 100) {
          std::string in;
          for (size_t i = at; i < late.size() && i < at + 100; ++i) {
            absl::StrAppend(&in, i == at ? "" : ",", late[i]);
          }
          soci::rowset<soci::row> rows =
              (sql.prepare << kEventColumns << "id IN (" << in << ")");
          for (const soci::row& r : rows) {
            ++stats_.rows;
            fresh.push_back(EventOfRow(r));
          }
        }
        if (now - last_cleanup_ > absl::Minutes(1)) {
          const int64_t cutoff =
              IdGenerator::FirstIdAt(now - options_.retention);
          sql << "DELETE FROM outbox WHERE id < :c", soci::use(cutoff);
          last_cleanup_ = now;
        }
        return absl::OkStatus();
      }));
  if (sweep) last_sweep_ = now;
  high_water_ = std::max(high_water_, top);
  std::sort(fresh.begin(), fresh.end(),
            [](const Event& a, const Event& b) { return a.id < b.id; });
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
      std::min(high_water_, IdGenerator::FirstIdAt(now - options_.lookback));
  absl::erase_if(seen_, [&](int64_t id) { return id < next_low; });
  return fresh;
}

}  // namespace tokkit
