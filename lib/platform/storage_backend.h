// The storage seam: one backend opens the database behind a URL, brings every
// module's schema up to date and builds every repository the domains use.
// Platform::Open picks a backend by the URL's scheme and wires services to
// the ports it returns, never to an implementation.
//
// tokkit's backends are SQL ones: SQLite (sqlite:), PostgreSQL (postgresql:)
// and MySQL/MariaDB (mysql:, mariadb:). They share the SQL adapters of each
// domain (lib/<domain>/sql_*.cc), which keep reads and conditional writes
// only; what differs by engine is the connection, error mapping and
// migration lock (lib/store/sql/database.cc), the few statements spelled per
// engine (lib/store/sql/sql_util.h: upserts, locking reads) and search. A
// backend that is not SQL (or a decorator, e.g. a cache in front of one)
// implements StorageBackend and reaches Platform through
// PlatformConfig::open_storage.
#ifndef TOKKIT_LIB_PLATFORM_STORAGE_BACKEND_H_
#define TOKKIT_LIB_PLATFORM_STORAGE_BACKEND_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/account/repository.h"
#include "lib/assistant/repository.h"
#include "lib/commerce/repository.h"
#include "lib/feed/repository.h"
#include "lib/order/repository.h"
#include "lib/social/repository.h"
#include "lib/store/sql/database.h"

namespace tokkit {

// Every repository the domains use, owned by the caller.
struct Repositories {
  std::unique_ptr<account::UserRepository> users;
  std::unique_ptr<account::SessionRepository> sessions;
  std::unique_ptr<account::AddressRepository> addresses;
  std::unique_ptr<account::ThrottleRepository> throttle;
  std::unique_ptr<feed::VideoRepository> videos;
  std::unique_ptr<social::LikeRepository> likes;
  std::unique_ptr<social::CommentRepository> comments;
  std::unique_ptr<social::FollowRepository> follows;
  std::unique_ptr<social::ChatRepository> chats;
  std::unique_ptr<commerce::CatalogRepository> catalog;
  std::unique_ptr<commerce::CouponRepository> coupons;
  std::unique_ptr<commerce::CartRepository> cart;
  std::unique_ptr<order::OrderRepository> orders;
  std::unique_ptr<assistant::AssistantRepository> assistant;
};

class StorageBackend {
 public:
  virtual ~StorageBackend() = default;

  // "sqlite", "postgresql", "mysql".
  virtual absl::string_view name() const = 0;

  // Applies every module's pending migrations (events, accounts, feed,
  // social, commerce, orders, blobs, assistant). Safe when replicas start
  // together.
  virtual absl::Status Migrate() = 0;

  // A fresh set of repositories; they must not outlive the backend.
  virtual Repositories NewRepositories() = 0;

  // The SQL database itself, for what lives beside the repositories in the
  // same transactions and tables: the event outbox and its relay, the blob
  // ledger, worker-id leases.
  virtual Database& database() = 0;
};

// The SQL backends' schema: each module's versioned migrations, in the order
// they are applied.
struct SqlSchemaModule {
  const char* name;
  const std::vector<Migration>* migrations;
};
const std::vector<SqlSchemaModule>& SqlSchemaModules();

// Opens the backend `options.url` names. INVALID_ARGUMENT for an unknown
// scheme (the message lists the known ones), UNAVAILABLE when the server
// cannot be reached.
absl::StatusOr<std::unique_ptr<StorageBackend>> OpenStorageBackend(
    const DatabaseOptions& options);

}  // namespace tokkit

#endif  // TOKKIT_LIB_PLATFORM_STORAGE_BACKEND_H_
