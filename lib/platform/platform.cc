#include "lib/platform/platform.h"

#include "absl/strings/str_cat.h"
#include "lib/assistant/shop_tools.h"
#include "lib/core/crypto.h"
#include "lib/core/status_macros.h"
#include "lib/order/redis_stock_gate.h"
#include "lib/platform/adapters.h"
#include "lib/redis/redis_stream_bus.h"
#include "lib/store/blob/local_blob_store.h"
#include "lib/store/blob/s3/s3_blob_store.h"
#include "lib/store/events/outbox.h"

namespace tokkit {
namespace {

// Without Redis every replica tails the outbox itself; with it one elected
// replica tails it into a Redis stream every replica reads.
absl::StatusOr<std::unique_ptr<EventBus>> OpenEventBus(
    Database* db, const Clock* clock, const PlatformConfig& config) {
  if (config.redis_url.empty()) {
    return std::make_unique<OutboxRelay>(db, clock, config.events);
  }
  redis::StreamBusOptions bus;
  bus.url = config.redis_url;
  bus.stream = absl::StrCat(config.redis_key_prefix, ":events");
  bus.lease_key = absl::StrCat(config.redis_key_prefix, ":events:relay");
  bus.tailer = {config.events.lookback, config.events.retention,
                config.events.batch_size};
  ASSIGN_OR_RETURN(std::unique_ptr<redis::StreamBus> opened,
                   redis::StreamBus::Open(db, clock, bus));
  return std::unique_ptr<EventBus>(std::move(opened));
}

// Read at scrape time: the relay's lag and every consumer's counts.
std::vector<metrics::Sample> EventMetrics(EventBus* events) {
  std::vector<metrics::Sample> out;
  if (auto* relay = dynamic_cast<OutboxRelay*>(events)) {
    out.push_back({"tokkit_outbox_lag_seconds",
                   "Age of the oldest outbox event this replica had not yet "
                   "delivered at its last poll (grows while polls fail).",
                   metrics::Sample::Type::kGauge,
                   {},
                   absl::ToDoubleSeconds(relay->Lag())});
  }
  for (const ConsumerStats& c : AllConsumerStats()) {
    const metrics::Labels labels = {{"consumer", c.consumer}};
    out.push_back({"tokkit_event_deliveries_total",
                   "Events handled by each consumer.",
                   metrics::Sample::Type::kCounter, labels,
                   static_cast<double>(c.delivered)});
    out.push_back({"tokkit_event_failures_total",
                   "Failed event deliveries (each retried with backoff).",
                   metrics::Sample::Type::kCounter, labels,
                   static_cast<double>(c.failed)});
    out.push_back({"tokkit_event_dead_letters_total",
                   "Events a consumer gave up on (see the dead_letters "
                   "table).",
                   metrics::Sample::Type::kCounter, labels,
                   static_cast<double>(c.dead_lettered)});
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Platform>> Platform::Open(
    const PlatformConfig& config) {
  RETURN_IF_ERROR(InitCrypto());
  if (config.blob_dir.empty()) {
    return absl::InvalidArgumentError("blob_dir is required");
  }
  std::unique_ptr<Platform> p(new Platform());
  p->clock_ = config.clock != nullptr ? config.clock : Clock::Real();

  ASSIGN_OR_RETURN(
      account::AccessTokenCodec codec,
      account::AccessTokenCodec::Create(config.signing_keys, p->clock_));
  p->tokens_ = std::make_unique<account::AccessTokenCodec>(std::move(codec));
  p->hasher_ =
      std::make_unique<account::PasswordHasher>(config.password_hashing);

  DatabaseOptions db_options;
  db_options.url = config.database_url;
  db_options.pool_size = config.database_pool_size;
  ASSIGN_OR_RETURN(p->storage_, config.open_storage
                                    ? config.open_storage(db_options)
                                    : OpenStorageBackend(db_options));
  Database* db = &p->storage_->database();
  p->worker_id_ = config.worker_id;
  if (config.worker_id == PlatformConfig::kLeaseWorkerId) {
    ASSIGN_OR_RETURN(p->worker_lease_, WorkerLease::Acquire(db, p->clock_));
    p->worker_id_ = p->worker_lease_->worker_id();
  }
  ASSIGN_OR_RETURN(p->ids_, IdGenerator::Create(p->worker_id_, p->clock_));
  if (p->worker_lease_ != nullptr) p->worker_lease_->Attach(p->ids_.get());
  RETURN_IF_ERROR(p->storage_->Migrate());
  if (config.statistics_interval > absl::ZeroDuration()) {
    // Right away (a fresh or just-upgraded schema) and then periodically,
    // on the task's thread: on a large server database ANALYZE takes
    // seconds, which start-up need not wait for. A failure only costs plan
    // quality; the task logs and counts it.
    p->statistics_ = std::make_unique<PeriodicTask>(
        "db.statistics", PeriodicTask::Options{config.statistics_interval, 0.2},
        [db] { return db->RefreshStatistics(); });
    p->statistics_->Wake();
  }
  p->repos_ = p->storage_->NewRepositories();
  Repositories& r = p->repos_;
  if (!config.blob_url.empty()) {
    ASSIGN_OR_RETURN(s3::S3Options s3_options,
                     s3::ParseS3Url(config.blob_url, config.blob_access_key,
                                    config.blob_secret_key));
    ASSIGN_OR_RETURN(p->blobs_, s3::S3BlobStore::Open(std::move(s3_options)));
  } else {
    ASSIGN_OR_RETURN(p->blobs_, LocalBlobStore::Open(config.blob_dir));
  }
  p->blob_janitor_ = std::make_unique<BlobJanitor>(
      db, p->blobs_.get(), p->clock_, config.blob_grace);
  p->blob_sweeper_ = std::make_unique<PeriodicTask>(
      "blob.sweeper", PeriodicTask::Options{config.blob_sweep_interval, 0.2},
      [j = p->blob_janitor_.get()] { return j->Sweep().status(); });

  ASSIGN_OR_RETURN(p->events_, OpenEventBus(db, p->clock_, config));
  p->event_publisher_ = NewOutboxPublisher(db, p->events_.get());

  account::AccountDeps deps;
  deps.users = r.users.get();
  deps.sessions = r.sessions.get();
  deps.addresses = r.addresses.get();
  deps.throttle = r.throttle.get();
  deps.blobs = p->blobs_.get();
  deps.pending_blobs = p->blob_janitor_.get();
  deps.clock = p->clock_;
  deps.ids = p->ids_.get();
  deps.hasher = p->hasher_.get();
  deps.tokens = p->tokens_.get();
  deps.publisher = p->event_publisher_.get();
  deps.events = p->events_.get();
  p->account_service_ =
      std::make_unique<account::AccountService>(deps, config.accounts);

  p->user_directory_ =
      std::make_unique<AccountUserDirectory>(p->account_service_.get());
  p->video_catalog_ = std::make_unique<FeedVideoCatalog>(r.videos.get());

  social::SocialDeps social_deps;
  social_deps.likes = r.likes.get();
  social_deps.comments = r.comments.get();
  social_deps.follows = r.follows.get();
  social_deps.videos = p->video_catalog_.get();
  social_deps.users = p->user_directory_.get();
  social_deps.events = p->events_.get();
  social_deps.clock = p->clock_;
  social_deps.ids = p->ids_.get();
  p->social_service_ = std::make_unique<social::SocialService>(social_deps);

  p->social_signals_ =
      std::make_unique<SocialServiceSignals>(p->social_service_.get());
  p->author_directory_ =
      std::make_unique<AccountAuthorDirectory>(p->account_service_.get());
  feed::FeedDeps feed_deps;
  feed_deps.videos = r.videos.get();
  feed_deps.blobs = p->blobs_.get();
  feed_deps.pending_blobs = p->blob_janitor_.get();
  feed_deps.social = p->social_signals_.get();
  feed_deps.authors = p->author_directory_.get();
  feed_deps.events = p->events_.get();
  feed_deps.clock = p->clock_;
  feed_deps.ids = p->ids_.get();
  p->feed_service_ =
      std::make_unique<feed::FeedService>(feed_deps, config.feed);

  commerce::CommerceDeps commerce_deps;
  commerce_deps.catalog = r.catalog.get();
  commerce_deps.coupons = r.coupons.get();
  commerce_deps.cart = r.cart.get();
  commerce_deps.blobs = p->blobs_.get();
  commerce_deps.pending_blobs = p->blob_janitor_.get();
  commerce_deps.clock = p->clock_;
  commerce_deps.ids = p->ids_.get();
  p->commerce_service_ =
      std::make_unique<commerce::CommerceService>(commerce_deps);

  p->address_book_ =
      std::make_unique<AccountAddressBook>(p->account_service_.get());
  order::OrderDeps order_deps;
  order_deps.orders = r.orders.get();
  order_deps.cart = r.cart.get();
  order_deps.addresses = p->address_book_.get();
  order_deps.payments = config.payment_provider;
  if (order_deps.payments == nullptr) {
    p->simulated_payments_ =
        std::make_unique<order::SimulatedPaymentProvider>();
    order_deps.payments = p->simulated_payments_.get();
  }
  order_deps.events = p->events_.get();
  order_deps.clock = p->clock_;
  order_deps.ids = p->ids_.get();
  if (config.stock_gate) {
    if (config.redis_url.empty()) {
      return absl::InvalidArgumentError("the stock gate needs a Redis URL");
    }
    order::RedisStockGateOptions gate;
    gate.url = config.redis_url;
    gate.key_prefix = config.redis_key_prefix;
    gate.resync_after = config.stock_gate_resync;
    commerce::CatalogRepository* catalog = r.catalog.get();
    ASSIGN_OR_RETURN(
        p->stock_gate_,
        order::RedisStockGate::Open(
            gate, [catalog](int64_t sku_id) -> absl::StatusOr<int64_t> {
              ASSIGN_OR_RETURN(commerce::Sku sku, catalog->FindSku(sku_id));
              return sku.stock;
            }));
    order_deps.stock_gate = p->stock_gate_.get();
  }
  p->order_service_ =
      std::make_unique<order::OrderService>(order_deps, config.orders);

  // The assistant: tools over the services above, a model if configured.
  p->assistant_tools_ = std::make_unique<assistant::ToolRegistry>();
  RETURN_IF_ERROR(assistant::AddShopTools(
      {p->account_service_.get(), p->commerce_service_.get(),
       p->order_service_.get()},
      *p->assistant_tools_));
  assistant::ChatModel* model = config.model;
  if (model == nullptr && !config.assistant_model.base_url.empty()) {
    ASSIGN_OR_RETURN(p->assistant_model_,
                     assistant::NewOpenAiChatModel(config.assistant_model));
    model = p->assistant_model_.get();
  }
  assistant::AssistantDeps assistant_deps;
  assistant_deps.repository = r.assistant.get();
  assistant_deps.model = model;
  assistant_deps.tools = p->assistant_tools_.get();
  assistant_deps.clock = p->clock_;
  assistant_deps.ids = p->ids_.get();
  p->assistant_service_ = std::make_unique<assistant::AssistantService>(
      assistant_deps, config.assistant);

  social::ChatDeps chat_deps;
  chat_deps.chats = r.chats.get();
  chat_deps.users = p->user_directory_.get();
  chat_deps.events = p->events_.get();
  chat_deps.clock = p->clock_;
  chat_deps.ids = p->ids_.get();
  p->chat_service_ = std::make_unique<social::ChatService>(chat_deps);
  p->metrics_ = metrics::RegisterCollector(
      [events = p->events_.get()] { return EventMetrics(events); });
  return p;
}

Platform::~Platform() = default;

}  // namespace tokkit
