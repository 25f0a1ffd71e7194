#include "lib/redis/redis_stream_bus.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/core/crypto.h"
#include "lib/core/id_generator.h"
#include "lib/core/log.h"
#include "lib/core/status_macros.h"
#include "lib/store/events/outbox.h"

namespace tokkit::redis {
namespace {

constexpr size_t kRememberedIds = 100000;

// Renews the lease only if this replica still holds it.
constexpr char kRenewScript[] =
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
constexpr char kReleaseScript[] =
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('del', KEYS[1]) else return 0 end";

}  // namespace

StreamBus::StreamBus(Database* db, const Clock* clock, StreamBusOptions options)
    : db_(db),
      clock_(clock),
      options_(std::move(options)),
      lease_token_(RandomToken(16)),
      dispatcher_(clock, DeadLetterTable(db, clock), options_.dispatch) {}

absl::StatusOr<std::unique_ptr<StreamBus>> StreamBus::Open(
    Database* db, const Clock* clock, StreamBusOptions options) {
  std::unique_ptr<StreamBus> bus(new StreamBus(db, clock, std::move(options)));
  ASSIGN_OR_RETURN(bus->publisher_, Client::Connect(bus->options_.url));
  // The reader blocks in XREAD; its socket timeout must outlast the block.
  ASSIGN_OR_RETURN(bus->reader_,
                   Client::Connect(bus->options_.url,
                                   bus->options_.block + absl::Seconds(5)));
  if (bus->options_.lead) {
    bus->publisher_task_ = std::make_unique<PeriodicTask>(
        "events.stream_publish",
        PeriodicTask::Options{bus->options_.poll_interval, 0.1},
        [b = bus.get()] { return b->PublishOnce(); });
  }
  // Read from the stream's tip as of now, pinned before Open returns: an
  // event published once the bus is open is never skipped (with "$", one
  // published before the reader's first XREAD was). History is not replayed.
  std::string start = "$";
  absl::StatusOr<Reply> tip = bus->reader_->Command(
      {"XREVRANGE", bus->options_.stream, "+", "-", "COUNT", "1"});
  if (tip.ok()) {
    start = tip->elements.empty() ? "0-0" : tip->elements[0].elements[0].str;
  }
  bus->read_thread_ = std::thread(
      [b = bus.get(), start = std::move(start)] { b->ReadLoop(start); });
  return bus;
}

StreamBus::~StreamBus() {
  bool abandoned;
  {
    absl::MutexLock lock(&state_mu_);
    stopping_ = true;
    abandoned = abandoned_;
  }
  if (publisher_task_) publisher_task_->Stop();
  if (read_thread_.joinable()) read_thread_.join();
  if (!abandoned) {
    absl::StatusOr<Reply> released = publisher_->Command(
        {"EVAL", kReleaseScript, "1", options_.lease_key, lease_token_});
    if (!released.ok()) {
      // Another replica takes over when the lease lapses.
      log::Warning("event_relay_lease_release_failed",
                   {{"error", released.status()}});
    }
  }
}

void StreamBus::AbandonForTesting() {
  {
    absl::MutexLock lock(&state_mu_);
    stopping_ = true;
    abandoned_ = true;
  }
  if (publisher_task_) publisher_task_->Stop();
  if (read_thread_.joinable()) read_thread_.join();
}

absl::StatusOr<std::unique_ptr<OutboxTailer>> StreamBus::ResumeFromStream() {
  // The newest entry says how far the previous leader got.
  ASSIGN_OR_RETURN(Reply tip, publisher_->Command({"XREVRANGE", options_.stream,
                                                   "+", "-", "COUNT", "1"}));
  auto event_id = [](const Reply& entry) -> int64_t {
    const std::vector<Reply>& f = entry.elements[1].elements;
    for (size_t i = 0; i + 1 < f.size(); i += 2) {
      int64_t id = 0;
      if (f[i].str == "id" && absl::SimpleAtoi(f[i + 1].str, &id)) return id;
    }
    return 0;
  };
  const absl::Duration lookback = options_.tailer.lookback;
  if (tip.elements.empty() || event_id(tip.elements[0]) == 0) {
    // Nothing published yet (or trimmed away): the lookback window.
    return std::make_unique<OutboxTailer>(db_, clock_, options_.tailer,
                                          clock_->Now() - lookback);
  }
  // Whatever the previous leader published, it was alive until at most a
  // lease ago by our clock; taking the earlier bound also covers a tip
  // written by a replica whose clock runs ahead of ours.
  const absl::Time resume_at =
      std::min(IdGenerator::TimeOf(event_id(tip.elements[0])),
               clock_->Now() - options_.lease) -
      lookback;
  auto tailer =
      std::make_unique<OutboxTailer>(db_, clock_, options_.tailer, resume_at);
  // Skip what the stream already holds from there on: walk back from the tip.
  const int64_t low = IdGenerator::FirstIdAt(resume_at);
  std::vector<int64_t> published;
  std::string end = "+";
  while (true) {
    ASSIGN_OR_RETURN(
        Reply page, publisher_->Command({"XREVRANGE", options_.stream, end, "-",
                                         "COUNT", "500"}));
    bool older = false;
    for (const Reply& entry : page.elements) {
      const int64_t id = event_id(entry);
      if (id != 0 && id < low) older = true;
      if (id >= low) published.push_back(id);
      end = "(" + entry.elements[0].str;  // exclusive: before this entry
    }
    if (older || page.elements.size() < 500) break;
  }
  tailer->MarkReturned(published);
  return tailer;
}

std::unique_ptr<Subscription> StreamBus::Subscribe(absl::string_view consumer,
                                                   absl::string_view topic,
                                                   Handler handler) {
  return dispatcher_.Subscribe(consumer, topic, std::move(handler));
}

void StreamBus::Poke() {
  if (publisher_task_) publisher_task_->Wake();
}

bool StreamBus::is_leader() const {
  absl::MutexLock lock(&state_mu_);
  return leader_;
}

bool StreamBus::HoldLease() {
  const std::string ms =
      absl::StrCat(absl::ToInt64Milliseconds(options_.lease));
  bool leading;
  {
    absl::MutexLock lock(&state_mu_);
    leading = leader_;
  }
  bool held = false;
  if (leading) {
    absl::StatusOr<Reply> r = publisher_->Command(
        {"EVAL", kRenewScript, "1", options_.lease_key, lease_token_, ms});
    held = r.ok() && r->type == Reply::Type::kInteger && r->integer == 1;
  } else {
    absl::StatusOr<Reply> r = publisher_->Command(
        {"SET", options_.lease_key, lease_token_, "NX", "PX", ms});
    held = r.ok() && r->type == Reply::Type::kStatus;
  }
  absl::MutexLock lock(&state_mu_);
  leader_ = held;
  return held;
}

absl::Status StreamBus::PublishOnce() {
  if (!HoldLease()) {
    tailer_.reset();
    return absl::OkStatus();  // another replica leads
  }
  if (tailer_ == nullptr) {
    ASSIGN_OR_RETURN(tailer_, ResumeFromStream());
    log::Info("event_relay_leading", {{"stream", options_.stream}});
  }
  ASSIGN_OR_RETURN(std::vector<Event> events, tailer_->Poll());
  for (const Event& e : events) {
    {
      absl::MutexLock lock(&state_mu_);
      if (abandoned_) return absl::OkStatus();  // a crash, mid-batch
    }
    absl::StatusOr<Reply> added =
        publisher_->Command({"XADD", options_.stream, "MAXLEN", "~",
                             absl::StrCat(options_.max_stream_length), "*",
                             "id", absl::StrCat(e.id), "topic", e.topic, "key",
                             e.key, "payload", e.payload, "created_ms",
                             absl::StrCat(absl::ToUnixMillis(e.created_at)),
                             "traceparent", e.traceparent});
    if (!added.ok()) {
      // Start over from what the stream holds rather than lose events.
      tailer_.reset();
      return added.status();
    }
  }
  return absl::OkStatus();
}

void StreamBus::ReadLoop(std::string last) {
  while (true) {
    {
      absl::MutexLock lock(&state_mu_);
      if (stopping_) return;
    }
    absl::StatusOr<Reply> r = reader_->Command(
        {"XREAD", "BLOCK",
         absl::StrCat(absl::ToInt64Milliseconds(options_.block)), "COUNT",
         "500", "STREAMS", options_.stream, last});
    dispatcher_.RetryDue();
    if (!r.ok()) {
      log::Warning("event_stream_read_failed",
                   {{"stream", options_.stream}, {"error", r.status()}});
      absl::SleepFor(absl::Milliseconds(200));  // Redis restarting: retry
      continue;
    }
    if (r->is_nil() || r->elements.empty()) {
      if (last == "$") {
        // Pin the position so events between two reads are not skipped.
        absl::StatusOr<Reply> tip = reader_->Command(
            {"XREVRANGE", options_.stream, "+", "-", "COUNT", "1"});
        last = (tip.ok() && !tip->elements.empty())
                   ? tip->elements[0].elements[0].str
                   : "0-0";
      }
      continue;
    }
    // [[stream, [[entry id, [field, value, ...]], ...]]]
    for (const Reply& entry : r->elements[0].elements[1].elements) {
      last = entry.elements[0].str;
      const std::vector<Reply>& f = entry.elements[1].elements;
      Event e;
      for (size_t i = 0; i + 1 < f.size(); i += 2) {
        const std::string& name = f[i].str;
        const std::string& value = f[i + 1].str;
        if (name == "id") {
          if (!absl::SimpleAtoi(value, &e.id)) e.id = 0;  // dropped below
        } else if (name == "topic") {
          e.topic = value;
        } else if (name == "key") {
          e.key = value;
        } else if (name == "payload") {
          e.payload = value;
        } else if (name == "created_ms") {
          int64_t ms = 0;
          if (absl::SimpleAtoi(value, &ms))
            e.created_at = absl::FromUnixMillis(ms);
        } else if (name == "traceparent") {
          e.traceparent = value;
        }
      }
      Dispatch(e);
    }
  }
}

void StreamBus::Dispatch(const Event& e) {
  if (e.id == 0 || !dispatched_.insert(e.id).second) return;  // a repeat
  dispatched_order_.push_back(e.id);
  if (dispatched_order_.size() > kRememberedIds) {
    dispatched_.erase(dispatched_order_.front());
    dispatched_order_.pop_front();
  }
  dispatcher_.Dispatch(e);
}

}  // namespace tokkit::redis
