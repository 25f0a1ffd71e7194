#include "lib/store/events/outbox_relay.h"

#include <soci/soci.h>

#include "lib/core/id_generator.h"
#include "lib/core/status_macros.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit {
namespace {

// The smallest id an IdGenerator could have drawn at `t`.
int64_t FirstIdAt(absl::Time t) {
  const int64_t ms =
      std::max<int64_t>(0, absl::ToInt64Milliseconds(t - IdGenerator::Epoch()));
  return ms << (IdGenerator::kWorkerBits + IdGenerator::kSequenceBits);
}

}  // namespace

OutboxRelay::OutboxRelay(Database* db, const Clock* clock,
                         OutboxRelayOptions options)
    : db_(db), clock_(clock), options_(options) {
  {
    absl::MutexLock lock(&poll_mu_);
    high_water_ = FirstIdAt(clock_->Now());
    last_cleanup_ = clock_->Now();
  }
  thread_ = std::thread([this] { Loop(); });
}

OutboxRelay::~OutboxRelay() {
  {
    absl::MutexLock lock(&wake_mu_);
    stopping_ = true;
  }
  thread_.join();
}

EventBus::SubscriptionId OutboxRelay::Subscribe(absl::string_view topic,
                                                Handler handler) {
  absl::MutexLock lock(&handlers_mu_);
  const SubscriptionId id = next_id_++;
  handlers_.emplace(id, std::make_pair(std::string(topic), std::move(handler)));
  return id;
}

void OutboxRelay::Unsubscribe(SubscriptionId id) {
  absl::MutexLock lock(&handlers_mu_);
  handlers_.erase(id);
}

void OutboxRelay::Poke() {
  absl::MutexLock lock(&wake_mu_);
  poked_ = true;
}

void OutboxRelay::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&wake_mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(wake_mu_) {
        return poked_ || stopping_;
      };
      wake_mu_.AwaitWithTimeout(absl::Condition(&ready),
                                options_.poll_interval);
      if (stopping_) return;
      poked_ = false;
    }
    // A failed poll (database briefly down) is retried on the next tick.
    (void)PollOnce();
  }
}

absl::Status OutboxRelay::PollOnce() {
  absl::MutexLock lock(&poll_mu_);
  const absl::Time now = clock_->Now();
  // Re-read the lookback window below the high-water mark: rows with lower
  // ids may have committed since the last poll.
  const int64_t low = std::min(high_water_, FirstIdAt(now - options_.lookback));
  std::vector<Event> fresh;
  RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
    // Page through the window; already-delivered rows are skipped here.
    int64_t cursor = low - 1;
    while (true) {
      int seen = 0;
      soci::rowset<soci::row> rows =
          (sql.prepare
               << "SELECT id, topic, entity_key, payload, created_at_ms "
                  "FROM outbox WHERE id > :c ORDER BY id LIMIT :n",
           soci::use(cursor), soci::use(options_.batch_size));
      for (const soci::row& r : rows) {
        ++seen;
        Event e;
        e.id = RowInt(r, 0);
        cursor = e.id;
        if (delivered_.contains(e.id)) continue;
        e.topic = RowString(r, 1);
        e.key = RowString(r, 2);
        e.payload = RowString(r, 3);
        e.created_at = FromMillis(RowInt(r, 4));
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
  for (const Event& e : fresh) {
    delivered_.insert(e.id);
    high_water_ = std::max(high_water_, e.id);
    std::vector<Handler> targets;
    {
      absl::MutexLock hl(&handlers_mu_);
      for (const auto& [id, sub] : handlers_) {
        if (sub.first == e.topic) targets.push_back(sub.second);
      }
    }
    for (const Handler& h : targets) h(e);
  }
  // Forget ids below where the next poll starts reading; they will not be
  // read again. (After a clock jump that is the high-water mark, which must
  // stay remembered.)
  const int64_t next_low =
      std::min(high_water_, FirstIdAt(now - options_.lookback));
  absl::erase_if(delivered_, [&](int64_t id) { return id < next_low; });
  return absl::OkStatus();
}

}  // namespace tokkit
