// EventBus over Redis Streams, for deployments with Redis. One replica at a
// time (elected with a lease: SET NX PX, renewed while alive) tails the SQL
// outbox and appends each event to a stream; every replica reads the stream
// with blocking XREAD and dispatches locally. The database is polled by one
// process instead of all of them, and delivery latency is one round trip.
//
// A new leader resumes from what was actually published: the last event id
// in the stream, less the tailer's lookback (transactions commit out of id
// order), skipping the ids the stream already holds. So a leader killed at any
// point loses nothing, however long its lease takes to expire; readers drop
// ids they have already dispatched, so nothing is delivered twice.
#ifndef TOKKIT_LIB_REDIS_REDIS_STREAM_BUS_H_
#define TOKKIT_LIB_REDIS_REDIS_STREAM_BUS_H_

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "lib/core/clock.h"
#include "lib/core/periodic_task.h"
#include "lib/redis/redis_client.h"
#include "lib/store/events/dispatcher.h"
#include "lib/store/events/event_bus.h"
#include "lib/store/events/outbox_tailer.h"
#include "lib/store/sql/database.h"

namespace tokkit::redis {

struct StreamBusOptions {
  std::string url;                       // redis://host:port
  std::string stream = "tokkit:events";  // shared by all replicas
  std::string lease_key = "tokkit:events:relay";
  absl::Duration lease = absl::Seconds(5);
  int64_t max_stream_length = 100000;  // approximate trim
  absl::Duration poll_interval = absl::Milliseconds(100);
  absl::Duration block = absl::Milliseconds(500);  // XREAD BLOCK
  // False: never stand for leader; only read the stream.
  bool lead = true;
  OutboxTailerOptions tailer;
  DispatcherOptions dispatch;
};

class StreamBus : public EventBus {
 public:
  static absl::StatusOr<std::unique_ptr<StreamBus>> Open(
      Database* db, const Clock* clock, StreamBusOptions options);
  ~StreamBus() override;  // stops both threads, gives up the lease

  std::unique_ptr<Subscription> Subscribe(absl::string_view consumer,
                                          absl::string_view topic,
                                          Handler handler) override;
  void Poke() override;

  bool is_leader() const;

  // Tests: stops both threads without giving up the lease or finishing a
  // batch, as a crash would. The bus is unusable afterwards.
  void AbandonForTesting();

 private:
  StreamBus(Database* db, const Clock* clock, StreamBusOptions options);
  // One round of the leader's work: hold the lease, publish what is new.
  absl::Status PublishOnce();
  // Reads entries after `last` (an entry id, or "$") until stopped.
  void ReadLoop(std::string last);
  bool HoldLease();
  void Dispatch(const Event& e);
  // The tailer a new leader starts with (see the class comment).
  absl::StatusOr<std::unique_ptr<OutboxTailer>> ResumeFromStream();

  Database* const db_;
  const Clock* const clock_;
  const StreamBusOptions options_;
  const std::string lease_token_;
  std::unique_ptr<Client> publisher_;
  std::unique_ptr<Client> reader_;
  std::unique_ptr<OutboxTailer> tailer_;  // while leading

  Dispatcher dispatcher_;

  // Recently dispatched ids: a bounded memory of what readers delivered.
  absl::flat_hash_set<int64_t> dispatched_;
  std::deque<int64_t> dispatched_order_;

  mutable absl::Mutex state_mu_;
  bool leader_ ABSL_GUARDED_BY(state_mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(state_mu_) = false;
  bool abandoned_ ABSL_GUARDED_BY(state_mu_) = false;
  std::unique_ptr<PeriodicTask> publisher_task_;
  std::thread read_thread_;
};

}  // namespace tokkit::redis

#endif  // TOKKIT_LIB_REDIS_REDIS_STREAM_BUS_H_
