// The embedding API: one call wires storage, repositories and domain
// services from a config, so an application links tokkit and uses it
// in-process, and the gRPC servers are thin adapters over the same object.
//
//   tokkit::PlatformConfig config;
//   config.database_url = "sqlite:/var/lib/app/tokkit.db";
//   config.blob_dir = "/var/lib/app/blobs";
//   config.signing_keys = {{"k1", secret}};
//   ASSIGN_OR_RETURN(std::unique_ptr<tokkit::Platform> p,
//                    tokkit::Platform::Open(config));
//   p->accounts().Register({...});
#ifndef TOKKIT_LIB_PLATFORM_PLATFORM_H_
#define TOKKIT_LIB_PLATFORM_PLATFORM_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/account/account_service.h"
#include "lib/account/repository.h"
#include "lib/assistant/assistant_service.h"
#include "lib/assistant/openai_chat_model.h"
#include "lib/assistant/tools.h"
#include "lib/commerce/commerce_service.h"
#include "lib/core/clock.h"
#include "lib/core/id_generator.h"
#include "lib/core/metrics.h"
#include "lib/core/periodic_task.h"
#include "lib/feed/feed_service.h"
#include "lib/feed/repository.h"
#include "lib/order/order_service.h"
#include "lib/platform/storage_backend.h"
#include "lib/social/chat_service.h"
#include "lib/social/social_service.h"
#include "lib/store/blob/blob_janitor.h"
#include "lib/store/blob/blob_store.h"
#include "lib/store/events/outbox_relay.h"
#include "lib/store/sql/database.h"
#include "lib/store/sql/worker_lease.h"

namespace tokkit {

struct PlatformConfig {
  // sqlite:<path> (embedded default), postgresql://user@host:port/db or
  // mysql://user:pass@host:port/db (MySQL/MariaDB).
  std::string database_url;
  int database_pool_size = 8;
  // Root of the local blob store (avatars, media).
  std::string blob_dir;
  // Media on an S3-compatible store instead (shared by every replica):
  // s3://<bucket>[/<prefix>]?endpoint=<http(s)://host[:port]>[&region=<r>]
  // (lib/store/blob/s3/s3_blob_store.h), with these credentials.
  std::string blob_url;
  std::string blob_access_key;
  std::string blob_secret_key;
  // How often blobs no row owns are deleted (announced but never adopted
  // within `blob_grace`, or released); 0 disables the task (tests sweep with
  // blob_janitor().Sweep()).
  absl::Duration blob_sweep_interval = absl::Minutes(1);
  absl::Duration blob_grace = absl::Minutes(10);
  // Access-token keys; the first signs. Secrets of at least 32 bytes, shared
  // by every replica (and by every service that verifies tokens).
  std::vector<account::SigningKey> signing_keys;
  // Unique per running replica (0..1023): part of every generated id.
  // kLeaseWorkerId leases a free one from the database (what the servers do).
  static constexpr int64_t kLeaseWorkerId = -1;
  int64_t worker_id = 0;
  // Time source; nullptr means the real clock. Tests inject a SimulatedClock.
  const Clock* clock = nullptr;
  account::PasswordHashOptions password_hashing;
  account::AccountOptions accounts;
  // Delivery of domain events (live chat and other consumers). Without
  // Redis every replica tails the outbox itself; with `redis_url`
  // (redis://host:port) one elected replica tails it into a Redis stream that
  // every replica reads.
  OutboxRelayOptions events;
  std::string redis_url;
  // Prefix of every Redis key tokkit uses, so deployments can share a Redis.
  std::string redis_key_prefix = "tokkit";
  // With `redis_url`: a copy of stock in Redis refuses orders for sold-out
  // SKUs before the database transaction (lib/order/redis_stock_gate.h),
  // re-read from the database this often.
  bool stock_gate = false;
  absl::Duration stock_gate_resync = absl::Seconds(5);
  feed::FeedOptions feed;
  order::OrderOptions orders;
  // nullptr: the built-in simulated provider.
  order::PaymentProvider* payment_provider = nullptr;
  // How often the planner statistics are refreshed (they also are once at
  // start); 0: never. See Database::RefreshStatistics.
  absl::Duration statistics_interval = absl::Hours(1);
  // Opens the storage backend on `database_url`; unset: the one the URL's
  // scheme names (OpenStorageBackend). For a backend of your own, or a
  // decorator in front of one.
  std::function<absl::StatusOr<std::unique_ptr<StorageBackend>>(
      const DatabaseOptions&)>
      open_storage;
  // The shopping assistant's model: an OpenAI-compatible server. Without a
  // base URL the assistant answers FAILED_PRECONDITION saying how to set
  // one. `model` may be a model of your own (it wins over the URL).
  assistant::OpenAiOptions assistant_model;
  assistant::ChatModel* model = nullptr;
  assistant::AssistantOptions assistant;
};

class Platform {
 public:
  // Opens the storage backend the database URL names, applies pending
  // migrations and wires the services to its repositories.
  static absl::StatusOr<std::unique_ptr<Platform>> Open(
      const PlatformConfig& config);
  ~Platform();

  account::AccountService& accounts() { return *account_service_; }
  account::Authenticator& authenticator() { return *account_service_; }
  social::SocialService& social() { return *social_service_; }
  social::ChatService& chat() { return *chat_service_; }
  feed::FeedService& feed() { return *feed_service_; }
  commerce::CommerceService& commerce() { return *commerce_service_; }
  order::OrderService& orders() { return *order_service_; }
  assistant::AssistantService& assistant() { return *assistant_service_; }
  // The built-in provider, when no other was configured (else nullptr).
  order::SimulatedPaymentProvider* simulated_payments() {
    return simulated_payments_.get();
  }
  EventBus& events() { return *events_; }
  Database& database() { return storage_->database(); }
  StorageBackend& storage() { return *storage_; }
  BlobStore& blobs() { return *blobs_; }
  BlobJanitor& blob_janitor() { return *blob_janitor_; }
  const Clock& clock() const { return *clock_; }
  // The worker id in every new id (a re-leased one after a lost lease).
  int64_t worker_id() const { return ids_->worker_id(); }
  IdGenerator& ids() { return *ids_; }

 private:
  Platform() = default;

  const Clock* clock_ = nullptr;
  int64_t worker_id_ = 0;
  std::unique_ptr<StorageBackend> storage_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<BlobJanitor> blob_janitor_;
  std::unique_ptr<PeriodicTask> blob_sweeper_;
  std::unique_ptr<PeriodicTask> statistics_;
  std::unique_ptr<IdGenerator> ids_;
  // After ids_: destroyed (its renewer stopped) before the generator.
  std::unique_ptr<WorkerLease> worker_lease_;
  std::unique_ptr<account::PasswordHasher> hasher_;
  std::unique_ptr<account::AccessTokenCodec> tokens_;
  // Every service below uses these; destroyed after all of them.
  Repositories repos_;
  // Before every service: each unsubscribes while the bus lives.
  std::unique_ptr<EventBus> events_;
  std::unique_ptr<EventPublisher> event_publisher_;
  std::unique_ptr<account::AccountService> account_service_;

  std::unique_ptr<social::UserDirectory> user_directory_;
  std::unique_ptr<social::VideoCatalog> video_catalog_;
  std::unique_ptr<social::SocialService> social_service_;
  std::unique_ptr<feed::SocialSignals> social_signals_;
  std::unique_ptr<feed::AuthorDirectory> author_directory_;
  // Before the relay and the repositories in destruction: it unsubscribes and
  // flushes pending views.
  std::unique_ptr<feed::FeedService> feed_service_;
  std::unique_ptr<commerce::CommerceService> commerce_service_;
  std::unique_ptr<order::AddressBook> address_book_;
  std::unique_ptr<order::SimulatedPaymentProvider> simulated_payments_;
  std::unique_ptr<order::StockGate> stock_gate_;
  std::unique_ptr<order::OrderService>
      order_service_;  // stops its sweeper first
  std::unique_ptr<assistant::ToolRegistry> assistant_tools_;
  std::unique_ptr<assistant::ChatModel> assistant_model_;
  std::unique_ptr<assistant::AssistantService> assistant_service_;
  // Declared last: destroyed first, so it unsubscribes while the relay lives.
  std::unique_ptr<social::ChatService> chat_service_;
  // Reads the event bus at scrape time: unregistered first.
  std::unique_ptr<metrics::CollectorHandle> metrics_;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_PLATFORM_PLATFORM_H_
