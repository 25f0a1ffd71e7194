#include "lib/store/sql/database.h"

#include <libpq-fe.h>
#include <mysqld_error.h>
#include <poll.h>
#include <soci/mysql/soci-mysql.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sqlite3.h>

#include <algorithm>
#include <exception>
#include <map>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "lib/core/error_reason.h"
#include "lib/core/log.h"
#include "lib/core/metrics.h"
#include "lib/core/request_context.h"
#include "lib/core/status_macros.h"

namespace tokkit {
namespace {

constexpr absl::string_view kUniquePrefix = "unique violation: ";

// Maps whatever a SOCI callback threw to a Status. Lost races become ABORTED
// (retried by Transact), uniqueness becomes ALREADY_EXISTS with a recognisable
// prefix and the constraint's name, a lost connection UNAVAILABLE, the rest
// INTERNAL. The driver's text stays in the message for the server log; the
// status is marked so the RPC layer never shows it to a client.
absl::Status Classify(const std::exception_ptr& eptr) {
  try {
    std::rethrow_exception(eptr);
  } catch (const soci::postgresql_soci_error& e) {
    const std::string state = e.sqlstate();
    if (state == "23505") {
      return absl::AlreadyExistsError(absl::StrCat(kUniquePrefix, e.what()));
    }
    if (state == "40001" || state == "40P01") {
      return absl::AbortedError(
          absl::StrCat("transaction conflict: ", e.what()));
    }
    // 08: connection exceptions; 57P01-03: the server is shutting down or
    // restarting (admin shutdown, crash shutdown, cannot connect now).
    if (absl::StartsWith(state, "08") || absl::StartsWith(state, "57P")) {
      return absl::UnavailableError(
          absl::StrCat("database unavailable: ", e.what()));
    }
    if (state == "22003") {
      return absl::OutOfRangeError(
          absl::StrCat("numeric overflow: ", e.what()));
    }
    return absl::InternalError(absl::StrCat("postgresql: ", e.what()));
  } catch (const soci::mysql_soci_error& e) {
    switch (e.err_num_) {
      case ER_DUP_ENTRY:
      case ER_DUP_ENTRY_WITH_KEY_NAME:
        return absl::AlreadyExistsError(absl::StrCat(kUniquePrefix, e.what()));
      case ER_LOCK_DEADLOCK:
      case ER_LOCK_WAIT_TIMEOUT:
        return absl::AbortedError(
            absl::StrCat("transaction conflict: ", e.what()));
      case ER_WARN_DATA_OUT_OF_RANGE:
      case ER_DATA_OUT_OF_RANGE:
        return absl::OutOfRangeError(
            absl::StrCat("numeric overflow: ", e.what()));
      case CR_CONNECTION_ERROR:
      case CR_CONN_HOST_ERROR:
      case CR_SERVER_GONE_ERROR:
      case CR_SERVER_LOST:
      case ER_SERVER_SHUTDOWN:
      case ER_CONNECTION_KILLED:  // 1927, also a lost backend connection
      case 4031:                  // disconnected by the server for inactivity
        return absl::UnavailableError(
            absl::StrCat("database unavailable: ", e.what()));
      default:
        if (e.get_error_category() == soci::soci_error::connection_error) {
          return absl::UnavailableError(
              absl::StrCat("database unavailable: ", e.what()));
        }
        return absl::InternalError(absl::StrCat("mysql: ", e.what()));
    }
  } catch (const soci::sqlite3_soci_error& e) {
    const int code = e.result() & 0xff;
    if (code == SQLITE_CONSTRAINT && absl::StrContains(e.what(), "UNIQUE")) {
      return absl::AlreadyExistsError(absl::StrCat(kUniquePrefix, e.what()));
    }
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
      return absl::AbortedError(absl::StrCat("database busy: ", e.what()));
    }
    return absl::InternalError(absl::StrCat("sqlite: ", e.what()));
  } catch (const soci::soci_error& e) {
    // Some paths (e.g. commit) throw the base class; classify by text.
    const std::string what = e.what();
    if (absl::StrContains(what, "UNIQUE constraint failed") ||
        absl::StrContains(what, "duplicate key value") ||
        absl::StrContains(what, "Duplicate entry")) {
      return absl::AlreadyExistsError(absl::StrCat(kUniquePrefix, what));
    }
    if (absl::StrContains(what, "database is locked") ||
        absl::StrContains(what, "could not serialize") ||
        absl::StrContains(what, "deadlock detected") ||
        absl::StrContains(what, "Deadlock found") ||
        absl::StrContains(what, "Lock wait timeout exceeded")) {
      return absl::AbortedError(absl::StrCat("transaction conflict: ", what));
    }
    // SOCI reports lost or refused connections through the base class.
    static constexpr const char* kConnectionLost[] = {
        "server closed the connection",
        "no connection to the server",
        "terminating connection",
        "Connection refused",
        "could not connect",
        "Cannot establish connection",
        "Connection failed",
        "Session is not connected",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
        "server has gone away",
        "Lost connection to",
        "Can't connect to",
        "Server shutdown in progress",
    };
    for (const char* text : kConnectionLost) {
      if (absl::StrContains(what, text)) {
        return absl::UnavailableError(
            absl::StrCat("database unavailable: ", what));
      }
    }
    return absl::InternalError(absl::StrCat("database: ", what));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("database: ", e.what()));
  } catch (...) {
    return absl::InternalError("database: unknown exception");
  }
}

absl::Status FromException(const std::exception_ptr& eptr) {
  return WithInternalDetail(Classify(eptr));
}

absl::Status Guard(soci::session& sql,
                   absl::FunctionRef<absl::Status(soci::session&)> fn) {
  try {
    return fn(sql);
  } catch (...) {
    return FromException(std::current_exception());
  }
}

// Splits a migration script into statements at ';' that ends a line.
std::vector<std::string> SplitStatements(absl::string_view script) {
  std::vector<std::string> out;
  std::string current;
  for (absl::string_view line : absl::StrSplit(script, '\n')) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || absl::StartsWith(trimmed, "--")) continue;
    absl::StrAppend(&current, line, "\n");
    if (absl::EndsWith(trimmed, ";")) {
      out.push_back(current);
      current.clear();
    }
  }
  if (!absl::StripAsciiWhitespace(current).empty()) out.push_back(current);
  return out;
}

// MySQL tables are created InnoDB, utf8mb4 with a binary no-pad collation,
// whatever the server's or database's defaults: exact comparisons and unique
// keys (case, accents and trailing spaces count), as on SQLite and
// PostgreSQL.
std::string ForDialect(SqlDialect dialect, const std::string& collation,
                       absl::string_view statement) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(statement);
  if (dialect != SqlDialect::kMysql ||
      !absl::StartsWithIgnoreCase(trimmed, "CREATE TABLE")) {
    return std::string(statement);
  }
  absl::ConsumeSuffix(&trimmed, ";");
  return absl::StrCat(
      trimmed, " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=", collation);
}

// The exact utf8mb4 collation this server has: MariaDB's nopad_bin, MySQL
// 8's 0900_bin, else utf8mb4_bin (which ignores trailing spaces).
std::string ExactCollation(soci::session& s) {
  std::string name;
  soci::indicator ind = soci::i_null;
  s << "SELECT MAX(COLLATION_NAME) FROM information_schema.COLLATIONS WHERE "
       "COLLATION_NAME IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')",
      soci::into(name, ind);
  return ind == soci::i_ok && !name.empty() ? name : "utf8mb4_bin";
}

// SQLite's busy_timeout sleeps up to 100 ms at a time, which was most of a
// write's p99 when writers contend. Writers of this process queue on a mutex
// instead (Database::Transact); this handler covers the rest (autocommit
// writes in Run, other processes) in short steps, for up to about 10 s.
int ShortBusyWait(void* /*unused*/, int attempts) {
  if (attempts >= 20000) return 0;  // SQLITE_BUSY: the caller retries
  absl::SleepFor(absl::Microseconds(attempts < 100 ? 100 : 500));
  return 1;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<std::string> PercentDecode(absl::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size()) {
        return absl::InvalidArgumentError("bad percent escape in database url");
      }
      const int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError("bad percent escape in database url");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

void AppendConnParam(std::string* out, absl::string_view key,
                     absl::string_view value) {
  absl::StrAppend(out, out->empty() ? "" : " ", key, "='");
  for (char c : value) {
    if (c == '\\' || c == '\'') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('\'');
}

// The parts of scheme://user:pass@host:port/db?k=v, percent-decoded.
struct UrlParts {
  std::string user, password, host, port, dbname;
  std::vector<std::pair<std::string, std::string>> query;
};

absl::StatusOr<UrlParts> SplitServerUrl(absl::string_view url) {
  UrlParts parts;
  if (size_t scheme = url.find("://"); scheme != absl::string_view::npos) {
    url.remove_prefix(scheme + 3);
  }
  absl::string_view query;
  if (size_t q = url.find('?'); q != absl::string_view::npos) {
    query = url.substr(q + 1);
    url = url.substr(0, q);
  }
  if (size_t slash = url.find('/'); slash != absl::string_view::npos) {
    ASSIGN_OR_RETURN(parts.dbname, PercentDecode(url.substr(slash + 1)));
    url = url.substr(0, slash);
  }
  if (size_t at = url.rfind('@'); at != absl::string_view::npos) {
    absl::string_view userinfo = url.substr(0, at);
    url = url.substr(at + 1);
    if (size_t colon = userinfo.find(':'); colon != absl::string_view::npos) {
      ASSIGN_OR_RETURN(parts.password,
                       PercentDecode(userinfo.substr(colon + 1)));
      userinfo = userinfo.substr(0, colon);
    }
    ASSIGN_OR_RETURN(parts.user, PercentDecode(userinfo));
  }
  absl::string_view host = url;
  if (size_t colon = url.rfind(':'); colon != absl::string_view::npos &&
                                     url.find(']') == absl::string_view::npos) {
    parts.port = std::string(url.substr(colon + 1));
    host = url.substr(0, colon);
  }
  ASSIGN_OR_RETURN(parts.host, PercentDecode(host));
  for (absl::string_view kv : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> p =
        absl::StrSplit(kv, absl::MaxSplits('=', 1));
    ASSIGN_OR_RETURN(std::string key, PercentDecode(p.first));
    ASSIGN_OR_RETURN(std::string value, PercentDecode(p.second));
    parts.query.emplace_back(std::move(key), std::move(value));
  }
  return parts;
}

// postgresql://user:pass@host:port/db?k=v  ->  libpq keyword/value conninfo.
// SOCI rewrites the connect string it is given, which breaks libpq URIs.
absl::StatusOr<std::string> PostgresConnInfo(absl::string_view url) {
  ASSIGN_OR_RETURN(UrlParts parts, SplitServerUrl(url));
  std::string out;
  if (!parts.user.empty()) AppendConnParam(&out, "user", parts.user);
  if (!parts.password.empty()) {
    AppendConnParam(&out, "password", parts.password);
  }
  if (!parts.port.empty()) AppendConnParam(&out, "port", parts.port);
  if (!parts.host.empty()) AppendConnParam(&out, "host", parts.host);
  if (!parts.dbname.empty()) AppendConnParam(&out, "dbname", parts.dbname);
  for (const auto& [key, value] : parts.query) {
    AppendConnParam(&out, key, value);
  }
  return out;
}

// mysql://user:pass@host:port/db?k=v  ->  SOCI's MySQL options
// ("db=... user=... password='...' ..."), always with charset=utf8mb4.
// SOCI's parser has no escape inside quotes, so a value holding a quote
// cannot be passed and is refused.
absl::StatusOr<std::string> MysqlConnectString(absl::string_view url) {
  ASSIGN_OR_RETURN(UrlParts parts, SplitServerUrl(url));
  std::string out;
  absl::Status bad;
  auto add = [&](absl::string_view key, absl::string_view value) {
    if (value.empty()) return;
    if (absl::StrContains(value, "'")) {
      bad = absl::InvalidArgumentError(absl::StrCat(
          "mysql url: the ", key, " may not contain a single quote"));
      return;
    }
    absl::StrAppend(&out, out.empty() ? "" : " ", key, "='", value, "'");
  };
  if (parts.dbname.empty()) {
    return absl::InvalidArgumentError(
        "mysql url needs a database name: mysql://user:pass@host:port/db");
  }
  add("db", parts.dbname);
  add("user", parts.user);
  add("password", parts.password);
  add("host", parts.host);
  add("port", parts.port);
  bool charset = false;
  for (const auto& [key, value] : parts.query) {
    // The keys SOCI 4.0's MySQL backend reads; any other makes it refuse
    // the whole string ("Malformed connection string") at connect time.
    static constexpr const char* kAllowed[] = {
        "unix_socket", "sslca",           "sslcert",      "sslkey",
        "charset",     "connect_timeout", "read_timeout", "write_timeout"};
    if (std::find(std::begin(kAllowed), std::end(kAllowed), key) ==
        std::end(kAllowed)) {
      return absl::InvalidArgumentError(
          absl::StrCat("mysql url: unknown option '", key, "'"));
    }
    charset = charset || key == "charset";
    add(key, value);
  }
  if (!charset) add("charset", "utf8mb4");
  RETURN_IF_ERROR(bad);
  return out;
}

}  // namespace

absl::string_view DialectName(SqlDialect d) {
  switch (d) {
    case SqlDialect::kSqlite:
      return "sqlite";
    case SqlDialect::kPostgresql:
      return "postgresql";
    case SqlDialect::kMysql:
      return "mysql";
  }
  return "unknown";
}

bool IsUniqueViolation(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAlreadyExists &&
         absl::StartsWith(status.message(), kUniquePrefix);
}

absl::StatusOr<ParsedDatabaseUrl> ParseDatabaseUrl(absl::string_view url) {
  const std::string original(url);
  if (absl::ConsumePrefix(&url, "sqlite:")) {
    // Accept sqlite:/abs, sqlite:///abs and sqlite:relative.
    if (absl::StartsWith(url, "//")) url.remove_prefix(2);
    if (url.empty() || url == ":memory:") {
      return absl::InvalidArgumentError(
          "sqlite needs a file path (an in-memory database is not shared "
          "across the pool)");
    }
    return ParsedDatabaseUrl{SqlDialect::kSqlite, std::string(url)};
  }
  if (absl::StartsWith(url, "postgresql://") ||
      absl::StartsWith(url, "postgres://")) {
    absl::StatusOr<std::string> conninfo = PostgresConnInfo(url);
    if (!conninfo.ok()) return conninfo.status();
    return ParsedDatabaseUrl{SqlDialect::kPostgresql, *std::move(conninfo)};
  }
  if (absl::StartsWith(url, "mysql://") ||
      absl::StartsWith(url, "mariadb://")) {
    absl::StatusOr<std::string> options = MysqlConnectString(url);
    if (!options.ok()) return options.status();
    return ParsedDatabaseUrl{SqlDialect::kMysql, *std::move(options)};
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unsupported database url '", log::RedactUrl(original),
      "' (expected sqlite:<path>, postgresql://... or mysql://...)"));
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(
    const DatabaseOptions& options) {
  if (options.pool_size < 1 || options.pool_size > 256) {
    return absl::InvalidArgumentError("pool_size must be in [1, 256]");
  }
  ASSIGN_OR_RETURN(ParsedDatabaseUrl parsed, ParseDatabaseUrl(options.url));
  const SqlDialect dialect = parsed.dialect;
  const std::string& connect = parsed.connect;

  auto pool = std::make_unique<soci::connection_pool>(options.pool_size);
  std::string collation;
  for (int i = 0; i < options.pool_size; ++i) {
    try {
      soci::session& s = pool->at(i);
      switch (dialect) {
        case SqlDialect::kSqlite:
          s.open(soci::sqlite3, connect);
          break;
        case SqlDialect::kPostgresql:
          s.open(soci::postgresql, connect);
          break;
        case SqlDialect::kMysql:
          s.open(soci::mysql, connect);
          if (collation.empty()) collation = ExactCollation(s);
          break;
      }
      ConfigureSession(dialect, collation, s);
    } catch (...) {
      absl::Status st = FromException(std::current_exception());
      return absl::UnavailableError(
          absl::StrCat("cannot open database: ", st.message()));
    }
  }
  return std::unique_ptr<Database>(
      new Database(dialect, options, std::move(collation), std::move(pool)));
}

Database::Database(SqlDialect dialect, const DatabaseOptions& options,
                   std::string collation,
                   std::unique_ptr<soci::connection_pool> pool)
    : dialect_(dialect),
      options_(options),
      collation_(std::move(collation)),
      pool_(std::move(pool)),
      slot_epoch_(options.pool_size) {}

Database::~Database() = default;

// A session leased from the pool, given back when destroyed. Sessions that
// may have been broken by a failure seen on another one (the server
// restarted: all of them are) are checked and reconnected first.
class Database::Lease {
 public:
  explicit Lease(Database* db) : db_(db) {
    const absl::Time start = absl::Now();
    pos_ = db_->pool_->lease();
    PoolWait().ObserveSeconds(absl::Now() - start);
    if (db_->dialect_ != SqlDialect::kSqlite &&
        db_->slot_epoch_[pos_].load() < db_->broken_epoch_.load()) {
      db_->Revalidate(pos_);
    }
  }
  ~Lease() { db_->pool_->give_back(pos_); }
  soci::session& session() { return db_->pool_->at(pos_); }
  size_t pos() const { return pos_; }

 private:
  static metrics::Histogram& PoolWait() {
    static metrics::Histogram& h = metrics::GetHistogram(
        "tokkit_db_pool_wait_seconds",
        "Time spent waiting for a pooled database connection.", {});
    return h;
  }
  Database* const db_;
  size_t pos_ = 0;
};

void Database::ConfigureSession(SqlDialect dialect,
                                const std::string& collation,
                                soci::session& s) {
  if (dialect == SqlDialect::kSqlite) {
    // WAL lets readers run beside the single writer; the busy handler makes
    // a second writer wait rather than fail at once.
    s << "PRAGMA journal_mode=WAL";
    sqlite3_busy_handler(
        static_cast<soci::sqlite3_session_backend*>(s.get_backend())->conn_,
        &ShortBusyWait, nullptr);
    s << "PRAGMA foreign_keys=ON";
    s << "PRAGMA synchronous=NORMAL";
  } else if (dialect == SqlDialect::kPostgresql) {
    s << "SET client_min_messages TO WARNING";  // no NOTICE chatter
  } else {
    // Standard SQL where MySQL differs: strict values, '||' concatenates,
    // '"' quotes identifiers and '\\' is an ordinary character in strings
    // (LIKE ... ESCAPE '\\' is written the standard way). Binary collation:
    // comparisons and unique keys are exact, as on the other backends.
    // READ COMMITTED, as PostgreSQL's default: a statement sees what was
    // committed before it; races are settled by conditional updates and
    // locking reads, never by snapshot age. Lock waits end in 10 s, retried
    // by Transact as a lost race.
    s << "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,"
         "NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,"
         "PIPES_AS_CONCAT,ANSI_QUOTES,NO_BACKSLASH_ESCAPES'";
    s << "SET NAMES utf8mb4 COLLATE " + collation;
    s << "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
    s << "SET SESSION innodb_lock_wait_timeout = 10";
  }
}

bool Database::Reconnect(size_t pos) {
  soci::session& s = pool_->at(pos);
  absl::Status st = Guard(s, [&](soci::session& sql) {
    sql.reconnect();
    ConfigureSession(dialect_, collation_, sql);
    return absl::OkStatus();
  });
  metrics::GetCounter("tokkit_db_reconnects_total",
                      "Database connections reopened after a failure, by "
                      "result.",
                      {{"result", st.ok() ? "ok" : "failed"}})
      .Increment();
  if (!st.ok()) {
    log::Warning("database_reconnect_failed", {{"error", st}});
    return false;
  }
  log::Info("database_reconnected", {{"slot", static_cast<int64_t>(pos)}});
  slot_epoch_[pos].store(broken_epoch_.load());
  return true;
}

void Database::Revalidate(size_t pos) {
  const int64_t epoch = broken_epoch_.load();
  absl::Status alive = Guard(pool_->at(pos), [](soci::session& sql) {
    int one = 0;
    sql << "SELECT 1", soci::into(one);
    return absl::OkStatus();
  });
  if (alive.ok()) {
    slot_epoch_[pos].store(epoch);
  } else {
    Reconnect(pos);  // on failure the next user of the slot tries again
  }
}

void Database::NoteFailure(const absl::Status& status, size_t pos) {
  if (dialect_ == SqlDialect::kSqlite ||
      status.code() != absl::StatusCode::kUnavailable) {
    return;
  }
  // Probably the server went away: every session is suspect.
  broken_epoch_.fetch_add(1);
  Reconnect(pos);
}

absl::Status Database::Run(absl::FunctionRef<absl::Status(soci::session&)> fn) {
  Lease lease(this);
  // An autocommit statement that failed on a broken connection may or may
  // not have committed, so it is not retried; the connection is renewed.
  absl::Status st = Guard(lease.session(), fn);
  NoteFailure(st, lease.pos());
  return st;
}

absl::Status Database::TransactOnce(
    absl::FunctionRef<absl::Status(soci::session&)> fn, bool* uncertain) {
  if (dialect_ == SqlDialect::kSqlite) return GroupTransactOnce(fn, uncertain);
  Lease lease(this);
  absl::Status st = TransactOn(lease.session(), fn, uncertain);
  NoteFailure(st, lease.pos());
  return st;
}

struct Database::QueuedWrite {
  absl::FunctionRef<absl::Status(soci::session&)> fn;
  // The caller's request (null outside one), installed while another
  // thread leads (outbox events carry its trace, logs its ids); the caller
  // blocks until done, so it stays valid.
  const RequestContext* request;
  absl::Status status;
  bool uncertain = false;
  bool done = false;
};

namespace {
// Enough to amortise a commit over many writers while one slow batch
// cannot hold the others' answers for long.
constexpr size_t kMaxGroup = 32;
}  // namespace

absl::Status Database::GroupTransactOnce(
    absl::FunctionRef<absl::Status(soci::session&)> fn, bool* uncertain) {
  // SQLite has one writer: rather than each transaction taking the write
  // lock, committing and handing the lock on (a thread switch per commit),
  // this process's writers queue and the one at the front commits for
  // every writer queued behind it.
  QueuedWrite w{fn, CurrentRequest(), absl::OkStatus(), false, false};
  absl::MutexLock lock(&group_mu_);
  group_queue_.push_back(&w);
  std::pair<Database*, QueuedWrite*> me(this, &w);
  group_mu_.Await(absl::Condition(
      +[](std::pair<Database*, QueuedWrite*>* a)
           ABSL_NO_THREAD_SAFETY_ANALYSIS {  // runs under group_mu_
             return a->second->done ||
                    a->first->group_queue_.front() == a->second;
           },
      &me));
  if (!w.done) {
    std::vector<QueuedWrite*> group(
        group_queue_.begin(),
        group_queue_.begin() + std::min(group_queue_.size(), kMaxGroup));
    group_mu_.Unlock();
    RunGroup(group);
    group_mu_.Lock();
    group_queue_.erase(group_queue_.begin(),
                       group_queue_.begin() + group.size());
    for (QueuedWrite* q : group) q->done = true;
  }
  if (uncertain != nullptr) *uncertain = w.uncertain;
  return w.status;
}

void Database::RunGroup(const std::vector<QueuedWrite*>& group) {
  static metrics::Counter& commits = metrics::GetCounter(
      "tokkit_db_group_commits_total",
      "SQLite commits, each carrying one or more write transactions.", {});
  static metrics::Counter& writes = metrics::GetCounter(
      "tokkit_db_group_commit_transactions_total",
      "SQLite write transactions run through group commit.", {});
  commits.Increment();
  writes.Increment(static_cast<double>(group.size()));
  group_commits_.fetch_add(1);
  grouped_transactions_.fetch_add(static_cast<int64_t>(group.size()));
  Lease lease(this);
  soci::session& sql = lease.session();
  if (group.size() == 1) {
    group[0]->status = TransactOn(sql, group[0]->fn, &group[0]->uncertain);
    NoteFailure(group[0]->status, lease.pos());
    return;
  }
  auto exec = [&](const char* statement) {
    return Guard(sql, [&](soci::session& s) {
      s << statement;
      return absl::OkStatus();
    });
  };
  absl::Status batch = exec("BEGIN IMMEDIATE");
  for (QueuedWrite* q : group) {
    if (!batch.ok()) break;
    batch = exec("SAVEPOINT tokkit_write");
    if (!batch.ok()) break;
    if (q == group.front()) {
      q->status = Guard(sql, q->fn);  // the leader, on its own thread
    } else {
      ScopedRequest request(q->request ? *q->request : RequestContext{});
      q->status = Guard(sql, q->fn);
    }
    // A failed writer's statements are undone; the others' stay.
    if (!q->status.ok()) batch = exec("ROLLBACK TO tokkit_write");
    if (batch.ok()) batch = exec("RELEASE tokkit_write");
  }
  if (batch.ok()) {
    batch = exec("COMMIT");
    if (!batch.ok()) {
      for (QueuedWrite* q : group) q->uncertain = q->status.ok();
    }
  }
  if (batch.ok()) return;
  // The group as a whole failed (an engine error, a failed COMMIT): nothing
  // of it stays, and every writer that had succeeded retries.
  if (absl::Status rolled_back = exec("ROLLBACK"); !rolled_back.ok()) {
    log::Warning("database_rollback_failed", {{"error", rolled_back}});
  }
  NoteFailure(batch, lease.pos());
  for (QueuedWrite* q : group) {
    if (q->status.ok()) {
      q->status = absl::AbortedError(
          absl::StrCat("group commit failed: ", batch.message()));
    }
  }
}

absl::Status Database::TransactOn(
    soci::session& sql, absl::FunctionRef<absl::Status(soci::session&)> fn,
    bool* uncertain) {
  if (uncertain != nullptr) *uncertain = false;
  absl::Status begun = Guard(sql, [&](soci::session& s) {
    s << (dialect_ == SqlDialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
    return absl::OkStatus();
  });
  if (!begun.ok()) return begun;
  absl::Status result = Guard(sql, fn);
  if (result.ok()) {
    result = Guard(sql, [](soci::session& s) {
      s << "COMMIT";
      return absl::OkStatus();
    });
    if (result.ok()) return result;
    // The commit itself failed: if the connection broke, the server may
    // have committed before it went.
    if (uncertain != nullptr) *uncertain = true;
  }
  // Rolling back a failed transaction; its own error would hide the cause,
  // so it is only logged (it usually means the connection is gone).
  absl::Status rolled_back = Guard(sql, [](soci::session& s) {
    s << "ROLLBACK";
    return absl::OkStatus();
  });
  if (!rolled_back.ok()) {
    log::Warning("database_rollback_failed", {{"error", rolled_back}});
  }
  return result;
}

absl::Status Database::Transact(
    absl::FunctionRef<absl::Status(soci::session&)> fn) {
  static metrics::Counter& conflicts = metrics::GetCounter(
      "tokkit_db_transaction_retries_total",
      "Transactions retried, by why (a lost race, a broken connection).",
      {{"reason", "conflict"}});
  static metrics::Counter& reconnects = metrics::GetCounter(
      "tokkit_db_transaction_retries_total",
      "Transactions retried, by why (a lost race, a broken connection).",
      {{"reason", "connection"}});
  absl::Status last;
  for (int attempt = 0; attempt < options_.max_transaction_attempts;
       ++attempt) {
    bool uncertain = false;
    last = TransactOnce(fn, &uncertain);
    // A lost race is retried; so is a broken connection, but only when
    // nothing can have been committed (not a failed COMMIT).
    const bool conflict = last.code() == absl::StatusCode::kAborted;
    const bool broken = last.code() == absl::StatusCode::kUnavailable &&
                        !uncertain && dialect_ != SqlDialect::kSqlite;
    if (!conflict && !broken) return last;
    (conflict ? conflicts : reconnects).Increment();
    absl::SleepFor(absl::Milliseconds(2 << std::min(attempt, 6)));
  }
  return last;
}

absl::Status Database::RefreshStatistics() {
  return Run([&](soci::session& sql) -> absl::Status {
    if (dialect_ == SqlDialect::kSqlite) {
      // Bounded work per index however large the tables grow.
      sql << "PRAGMA analysis_limit = 1000";
      sql << "ANALYZE";
      return absl::OkStatus();
    }
    // This database's own tables only (tests share a server), by the names
    // the catalog gives.
    std::vector<std::string> tables;
    {
      soci::rowset<std::string> rows =
          dialect_ == SqlDialect::kPostgresql
              ? (sql.prepare << "SELECT tablename FROM pg_tables WHERE "
                                "schemaname = current_schema()")
              : (sql.prepare << "SELECT TABLE_NAME FROM "
                                "information_schema.TABLES WHERE TABLE_SCHEMA "
                                "= DATABASE() AND TABLE_TYPE = 'BASE TABLE'");
      for (const std::string& t : rows) tables.push_back(t);
    }
    for (const std::string& t : tables) {
      const std::string quoted =
          absl::StrCat("\"", absl::StrReplaceAll(t, {{"\"", "\"\""}}), "\"");
      if (dialect_ == SqlDialect::kPostgresql) {
        sql << "ANALYZE " + quoted;
      } else {
        // MySQL answers with a result set per table; read it.
        soci::rowset<soci::row> result =
            (sql.prepare << "ANALYZE TABLE " + quoted);
        for (const soci::row& r : result) (void)r;
      }
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<int>> Database::AppliedMigrations(
    absl::string_view module) {
  std::vector<int> versions;
  const std::string mod(module);
  RETURN_IF_ERROR(Run([&](soci::session& sql) {
    soci::rowset<int> rows =
        (sql.prepare << "SELECT version FROM schema_migrations WHERE module = "
                        ":m ORDER BY version",
         soci::use(mod));
    for (int v : rows) versions.push_back(v);
    return absl::OkStatus();
  }));
  return versions;
}

absl::Status Database::Migrate(absl::string_view module,
                               const std::vector<Migration>& migrations) {
  std::vector<const Migration*> ordered;
  ordered.reserve(migrations.size());
  for (const Migration& m : migrations) ordered.push_back(&m);
  std::sort(ordered.begin(), ordered.end(),
            [](const Migration* a, const Migration* b) {
              return a->version < b->version;
            });
  for (size_t i = 1; i < ordered.size(); ++i) {
    if (ordered[i]->version == ordered[i - 1]->version) {
      return absl::InvalidArgumentError(absl::StrCat(
          "duplicate migration version ", ordered[i]->version, " in ", module));
    }
  }
  // Everything below runs on one session holding the migration lock, which
  // is taken before anything else touches the schema: replicas starting
  // together on an empty database used to race on CREATE TABLE IF NOT
  // EXISTS (a unique violation in pg_type). SQLite's BEGIN IMMEDIATE
  // serialises the steps the same way.
  Lease lease(this);
  soci::session& sql = lease.session();
  if (dialect_ == SqlDialect::kPostgresql) {
    RETURN_IF_ERROR(Guard(sql, [](soci::session& s) {
      s << "SELECT pg_advisory_lock(7204011)";
      return absl::OkStatus();
    }));
  } else if (dialect_ == SqlDialect::kMysql) {
    RETURN_IF_ERROR(Guard(sql, [](soci::session& s) -> absl::Status {
      // Per database, so test databases on one server do not queue.
      soci::indicator ind = soci::i_ok;
      int got = 0;
      s << "SELECT GET_LOCK(CONCAT('tokkit_migrate.', DATABASE()), 120)",
          soci::into(got, ind);
      if (ind == soci::i_null || got != 1) {
        return absl::UnavailableError(
            "timed out waiting for another replica's migration lock");
      }
      return absl::OkStatus();
    }));
  }
  absl::Status result = MigrateLocked(sql, module, ordered);
  // If the session is broken the server has already dropped the lock.
  if (dialect_ == SqlDialect::kPostgresql) {
    (void)Guard(sql, [](soci::session& s) {
      s << "SELECT pg_advisory_unlock(7204011)";
      return absl::OkStatus();
    });
  } else if (dialect_ == SqlDialect::kMysql) {
    (void)Guard(sql, [](soci::session& s) {
      int released = 0;
      soci::indicator ind = soci::i_ok;
      s << "SELECT RELEASE_LOCK(CONCAT('tokkit_migrate.', DATABASE()))",
          soci::into(released, ind);
      return absl::OkStatus();
    });
  }
  return result;
}

absl::Status Database::MigrateLocked(
    soci::session& session, absl::string_view module,
    const std::vector<const Migration*>& ordered) {
  RETURN_IF_ERROR(Guard(session, [&](soci::session& sql) {
    sql << ForDialect(dialect_, collation_,
                      "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      " module VARCHAR(64) NOT NULL,"
                      " version INTEGER NOT NULL,"
                      " name VARCHAR(200) NOT NULL,"
                      " applied_at_ms BIGINT NOT NULL,"
                      " PRIMARY KEY (module, version))");
    return absl::OkStatus();
  }));
  const std::string mod(module);
  for (const Migration* m : ordered) {
    absl::Status st =
        TransactOn(session, [&](soci::session& sql) -> absl::Status {
          int seen = 0;
          sql << "SELECT COUNT(*) FROM schema_migrations WHERE module = :m AND "
                 "version = :v",
              soci::use(mod), soci::use(m->version), soci::into(seen);
          if (seen > 0) return absl::OkStatus();
          const std::string* script = &m->sql;
          if (dialect_ == SqlDialect::kPostgresql &&
              !m->postgresql_sql.empty()) {
            script = &m->postgresql_sql;
          } else if (dialect_ == SqlDialect::kMysql && !m->mysql_sql.empty()) {
            script = &m->mysql_sql;
          }
          for (const std::string& statement : SplitStatements(*script)) {
            sql << ForDialect(dialect_, collation_, statement);
          }
          if (m->data) RETURN_IF_ERROR(m->data(sql, dialect_));
          const long long now_ms = absl::ToUnixMillis(absl::Now());
          sql << "INSERT INTO schema_migrations (module, version, name, "
                 "applied_at_ms) VALUES (:m, :v, :n, :t)",
              soci::use(mod), soci::use(m->version), soci::use(m->name),
              soci::use(now_ms);
          return absl::OkStatus();
        });
    if (!st.ok()) {
      return absl::Status(
          st.code(), absl::StrCat("migration ", module, "/", m->version, " (",
                                  m->name, "): ", st.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace tokkit

namespace tokkit {
namespace {

class PostgresListener : public Database::Listener {
 public:
  PostgresListener(std::string conninfo, std::string channel,
                   std::function<void()> on_notify)
      : conninfo_(std::move(conninfo)),
        channel_(std::move(channel)),
        on_notify_(std::move(on_notify)),
        thread_([this] { Loop(); }) {}
  ~PostgresListener() override {
    stop_.store(true);
    thread_.join();
  }
  bool listening() const override { return listening_.load(); }

 private:
  void Loop() {
    absl::Duration backoff = absl::Milliseconds(100);
    while (!stop_.load()) {
      PGconn* conn = PQconnectdb(conninfo_.c_str());
      bool listening = PQstatus(conn) == CONNECTION_OK;
      if (listening) {
        PGresult* r =
            PQexec(conn, absl::StrCat("LISTEN \"", channel_, "\"").c_str());
        listening = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
      }
      if (listening) {
        backoff = absl::Milliseconds(100);
        listening_.store(true);
        on_notify_();  // anything sent while we were not listening
        Listen(conn);
        listening_.store(false);
      }
      PQfinish(conn);
      if (stop_.load()) break;
      log::Warning("db_listener_reconnecting", {{"channel", channel_}});
      for (absl::Time until = absl::Now() + backoff;
           absl::Now() < until && !stop_.load();) {
        absl::SleepFor(absl::Milliseconds(50));
      }
      backoff = std::min(backoff * 2, absl::Seconds(5));
    }
  }

  // Returns when the connection fails or on stop.
  void Listen(PGconn* conn) {
    while (!stop_.load()) {
      pollfd fd{PQsocket(conn), POLLIN, 0};
      // Wakes at least every 200 ms to notice stop_.
      if (::poll(&fd, 1, 200) < 0 && errno != EINTR) return;
      if (PQconsumeInput(conn) == 0) return;
      bool notified = false;
      while (PGnotify* n = PQnotifies(conn)) {
        notified = true;
        PQfreemem(n);
      }
      if (notified) on_notify_();
    }
  }

  const std::string conninfo_;
  const std::string channel_;
  const std::function<void()> on_notify_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> listening_{false};
  std::thread thread_;  // last: starts after the fields it reads
};

}  // namespace

absl::StatusOr<std::unique_ptr<Database::Listener>> Database::Listen(
    const std::string& channel, std::function<void()> on_notify) {
  if (dialect_ != SqlDialect::kPostgresql) {
    return absl::UnimplementedError("LISTEN is PostgreSQL's");
  }
  ASSIGN_OR_RETURN(std::string conninfo, PostgresConnInfo(options_.url));
  return std::unique_ptr<Listener>(
      new PostgresListener(std::move(conninfo), channel, std::move(on_notify)));
}

}  // namespace tokkit
