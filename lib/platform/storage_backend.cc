#include "lib/platform/storage_backend.h"

#include <utility>

#include "lib/account/sql_repository.h"
#include "lib/assistant/sql_repository.h"
#include "lib/commerce/sql_repository.h"
#include "lib/core/status_macros.h"
#include "lib/feed/sql_repository.h"
#include "lib/order/sql_repository.h"
#include "lib/social/sql_repository.h"
#include "lib/store/blob/blob_ledger.h"
#include "lib/store/events/outbox.h"

namespace tokkit {
namespace {

// SQLite, PostgreSQL and MySQL/MariaDB: one Database, the shared adapters.
class SqlStorageBackend : public StorageBackend {
 public:
  explicit SqlStorageBackend(std::unique_ptr<Database> db)
      : db_(std::move(db)),
        stock_(commerce::NewSqlStockPort()),
        wallet_(commerce::NewSqlCouponWalletPort()),
        cart_lines_(commerce::NewSqlCartLinesPort()) {}

  absl::string_view name() const override {
    return DialectName(db_->dialect());
  }

  absl::Status Migrate() override {
    for (const SqlSchemaModule& m : SqlSchemaModules()) {
      RETURN_IF_ERROR(db_->Migrate(m.name, *m.migrations));
    }
    return absl::OkStatus();
  }

  Repositories NewRepositories() override {
    Database* db = db_.get();
    Repositories r;
    r.users = account::NewSqlUserRepository(db);
    r.sessions = account::NewSqlSessionRepository(db);
    r.addresses = account::NewSqlAddressRepository(db);
    r.throttle = account::NewSqlThrottleRepository(db);
    r.videos = feed::NewSqlVideoRepository(db);
    r.likes = social::NewSqlLikeRepository(db);
    r.comments = social::NewSqlCommentRepository(db);
    r.follows = social::NewSqlFollowRepository(db);
    r.chats = social::NewSqlChatRepository(db);
    r.catalog = commerce::NewSqlCatalogRepository(db);
    r.coupons = commerce::NewSqlCouponRepository(db);
    r.cart = commerce::NewSqlCartRepository(db);
    r.orders = order::NewSqlOrderRepository(
        db, {stock_.get(), wallet_.get(), cart_lines_.get()});
    r.assistant = assistant::NewSqlAssistantRepository(db);
    return r;
  }

  Database& database() override { return *db_; }

 private:
  std::unique_ptr<Database> db_;
  // Commerce's transaction-bound ports, shared by the order repositories.
  std::unique_ptr<commerce::StockPort> stock_;
  std::unique_ptr<commerce::CouponWalletPort> wallet_;
  std::unique_ptr<commerce::CartLinesPort> cart_lines_;
};

}  // namespace

const std::vector<SqlSchemaModule>& SqlSchemaModules() {
  // Events first: every domain writes its outbox.
  static const auto* modules = new std::vector<SqlSchemaModule>{
      {kEventsModule, &EventMigrations()},
      {account::kAccountModule, &account::AccountMigrations()},
      {feed::kFeedModule, &feed::FeedMigrations()},
      {social::kSocialModule, &social::SocialMigrations()},
      {commerce::kCommerceModule, &commerce::CommerceMigrations()},
      {order::kOrderModule, &order::OrderMigrations()},
      {kBlobsModule, &BlobMigrations()},
      {assistant::kAssistantModule, &assistant::AssistantMigrations()},
  };
  return *modules;
}

absl::StatusOr<std::unique_ptr<StorageBackend>> OpenStorageBackend(
    const DatabaseOptions& options) {
  // Every scheme tokkit knows is a SQL dialect today; Database::Open
  // validates the URL and names the accepted schemes.
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(options));
  return std::make_unique<SqlStorageBackend>(std::move(db));
}

}  // namespace tokkit
