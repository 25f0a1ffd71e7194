// The SQL port shared by every domain's repository: a pool of SOCI sessions,
// transactions with retry, error mapping to absl::Status, and versioned
// migrations. Backends: SQLite (embedded default), PostgreSQL and
// MySQL/MariaDB (production).
//
// SOCI throws; nothing here lets an exception escape. Run() and Transact()
// catch everything the callback throws and turn it into a Status, so
// repositories write straight-line SOCI code and return Status.
#ifndef TOKKIT_LIB_STORE_SQL_DATABASE_H_
#define TOKKIT_LIB_STORE_SQL_DATABASE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace soci {
class connection_pool;
class session;
}  // namespace soci

namespace tokkit {

enum class SqlDialect { kSqlite, kPostgresql, kMysql };

absl::string_view DialectName(SqlDialect d);

// What a database URL says: the dialect and the driver's connect string
// (a SQLite path, libpq keyword/value conninfo, or SOCI's MySQL options).
// INVALID_ARGUMENT for
// anything else; the message never repeats a password.
struct ParsedDatabaseUrl {
  SqlDialect dialect;
  std::string connect;
};
absl::StatusOr<ParsedDatabaseUrl> ParseDatabaseUrl(absl::string_view url);

struct DatabaseOptions {
  // sqlite:/path/to/file.db, postgresql://user:pass@host:port/db?options or
  // mysql://user:pass@host:port/db?options (also mariadb://).
  std::string url;
  // Sessions in the pool; SQLite serialises writers anyway, so a few suffice.
  int pool_size = 4;
  // How often Transact() retries a transaction that lost a race
  // (serialization failure, deadlock, lock wait timeout, SQLite busy).
  int max_transaction_attempts = 5;
};

// One migration step of one module. `sql` holds statements separated by ';'
// at line ends; a dialect-specific override wins when present. `data`, when
// set, runs after the statements in the same step (a backfill of rows the
// new schema derives from old ones); it throws or returns an error to fail
// the step.
struct Migration {
  int version;
  std::string name;
  std::string sql;
  std::string postgresql_sql;  // optional override for PostgreSQL
  std::string mysql_sql;       // optional override for MySQL/MariaDB
  std::function<absl::Status(soci::session&, SqlDialect)> data;
};

class Database {
 public:
  static absl::StatusOr<std::unique_ptr<Database>> Open(
      const DatabaseOptions& options);
  ~Database();

  SqlDialect dialect() const { return dialect_; }

  // Runs `fn` on a pooled session in autocommit mode.
  absl::Status Run(absl::FunctionRef<absl::Status(soci::session&)> fn);

  // Runs `fn` in a transaction: commits when it returns OK, rolls back
  // otherwise. On SQLite the transaction takes the write lock up front
  // (BEGIN IMMEDIATE) so concurrent writers queue instead of deadlocking.
  // Retries from the start when the engine reports a lost race, so `fn` must
  // not have side effects outside the database.
  absl::Status Transact(absl::FunctionRef<absl::Status(soci::session&)> fn);

  // Applies, in version order, the migrations of `module` that this database
  // has not seen, each in its own transaction, recording them in
  // schema_migrations. Safe when several replicas start at once: they queue
  // on a named lock (pg_advisory_lock, MySQL GET_LOCK; SQLite's write lock).
  // MySQL commits DDL implicitly, so there a step that fails halfway can
  // leave its earlier statements applied; each step is kept small.
  absl::Status Migrate(absl::string_view module,
                       const std::vector<Migration>& migrations);

  // Brings the query planner's statistics of this database's tables up to
  // date (ANALYZE). SQLite never gathers them by itself, and PostgreSQL and
  // InnoDB only after enough rows changed; without them plans go wrong as
  // tables grow (a full sort for a chart, the wrong index for an author's
  // list, nested loops over tags).
  absl::Status RefreshStatistics();

  // SQLite group commit (see GroupTransactOnce): write transactions run and
  // the commits that carried them, since Open.
  struct GroupCommitStats {
    int64_t transactions = 0;
    int64_t commits = 0;
  };
  GroupCommitStats group_commit_stats() const {
    return {grouped_transactions_.load(), group_commits_.load()};
  }

  // PostgreSQL LISTEN on `channel` over a connection of its own: calls
  // `on_notify` (on the listener's thread) after each batch of
  // notifications, and once after every reconnect (notifications sent while
  // disconnected are lost). Stops when destroyed. UNIMPLEMENTED on the other
  // engines.
  class Listener {
   public:
    virtual ~Listener() = default;
    // Whether LISTEN is in effect now (false while connecting or
    // reconnecting, when notifications are lost).
    virtual bool listening() const = 0;
  };
  absl::StatusOr<std::unique_ptr<Listener>> Listen(
      const std::string& channel, std::function<void()> on_notify);

  // Versions of `module` applied so far, ascending.
  absl::StatusOr<std::vector<int>> AppliedMigrations(absl::string_view module);

 private:
  Database(SqlDialect dialect, const DatabaseOptions& options,
           std::string collation, std::unique_ptr<soci::connection_pool> pool);
  class Lease;
  static void ConfigureSession(SqlDialect dialect, const std::string& collation,
                               soci::session& s);
  // `uncertain`: the failure came at COMMIT, so it may have committed.
  absl::Status TransactOnce(absl::FunctionRef<absl::Status(soci::session&)> fn,
                            bool* uncertain);
  absl::Status TransactOn(soci::session& session,
                          absl::FunctionRef<absl::Status(soci::session&)> fn,
                          bool* uncertain = nullptr);
  bool Reconnect(size_t pos);
  void Revalidate(size_t pos);
  void NoteFailure(const absl::Status& status, size_t pos);
  absl::Status MigrateLocked(soci::session& session, absl::string_view module,
                             const std::vector<const Migration*>& ordered);

  const SqlDialect dialect_;
  const DatabaseOptions options_;
  // MySQL: the exact collation every table and the connection use.
  const std::string collation_;
  std::unique_ptr<soci::connection_pool> pool_;
  // Broken connections: a failure that looks like the server went away
  // bumps broken_epoch_; a pooled session whose slot_epoch_ is older is
  // checked (and reconnected) before its next use.
  std::atomic<int64_t> broken_epoch_{0};
  std::vector<std::atomic<int64_t>> slot_epoch_;
  // SQLite group commit: write transactions queue here; the first in the
  // queue leads, running up to kMaxGroup queued transactions, each in a
  // savepoint of its own, inside one BEGIN IMMEDIATE ... COMMIT, then
  // hands each caller its own outcome.
  struct QueuedWrite;
  absl::Status GroupTransactOnce(
      absl::FunctionRef<absl::Status(soci::session&)> fn, bool* uncertain);
  void RunGroup(const std::vector<QueuedWrite*>& group);
  absl::Mutex group_mu_;
  std::vector<QueuedWrite*> group_queue_ ABSL_GUARDED_BY(group_mu_);
  std::atomic<int64_t> grouped_transactions_{0};
  std::atomic<int64_t> group_commits_{0};
};

// Classification helpers for statuses produced by Run()/Transact().
// A unique/primary-key constraint was violated. The message names the
// constraint or columns, for repositories to map to a domain error.
bool IsUniqueViolation(const absl::Status& status);

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_SQL_DATABASE_H_
