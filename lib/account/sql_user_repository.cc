#include <soci/soci.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/account/sql_repository.h"
#include "lib/core/crypto.h"
#include "lib/core/status_macros.h"
#include "lib/store/blob/blob_ledger.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit::account {
namespace {

constexpr char kUserColumns[] =
    "id, username, email, display_name, bio, avatar_key, role, status, "
    "password_hash, totp_secret, totp_pending_secret, totp_last_step, "
    "created_at_ms, updated_at_ms";

absl::StatusOr<std::string> DecodeSecret(const std::string& base32) {
  if (base32.empty()) return std::string();
  return Base32Decode(base32);
}

UserRecord ReadUser(const soci::row& r) {
  UserRecord rec;
  User& u = rec.user;
  u.id = RowInt(r, 0);
  u.username = RowString(r, 1);
  u.email = RowString(r, 2);
  u.display_name = RowString(r, 3);
  u.bio = RowString(r, 4);
  u.avatar_key = RowString(r, 5);
  u.role = static_cast<Role>(RowInt(r, 6));
  u.status = static_cast<UserStatus>(RowInt(r, 7));
  rec.credentials.password_hash = RowString(r, 8);
  // Secrets are stored base32 so the column stays text on every engine.
  rec.credentials.totp_secret = DecodeSecret(RowString(r, 9)).value_or("");
  rec.credentials.totp_pending_secret =
      DecodeSecret(RowString(r, 10)).value_or("");
  rec.credentials.totp_last_step = RowInt(r, 11);
  u.totp_enabled = !rec.credentials.totp_secret.empty();
  u.created_at = FromMillis(RowInt(r, 12));
  u.updated_at = FromMillis(RowInt(r, 13));
  return rec;
}

absl::Status NotFound(int64_t id) {
  return absl::NotFoundError(absl::StrCat("user ", id, " not found"));
}

class SqlUserRepository : public UserRepository {
 public:
  explicit SqlUserRepository(Database* db) : db_(db) {}

  absl::StatusOr<User> Create(const NewUser& n) override {
    absl::Status st = db_->Run([&](soci::session& sql) {
      const int64_t now = ToMillis(n.now);
      const int role = static_cast<int>(n.role);
      sql << "INSERT INTO users (id, username, email, display_name, "
             "password_hash, role, status, created_at_ms, updated_at_ms) "
             "VALUES (:id, :u, :e, :d, :h, :r, 0, :c, :m)",
          soci::use(n.id), soci::use(n.username), soci::use(n.email),
          soci::use(n.display_name), soci::use(n.password_hash),
          soci::use(role), soci::use(now), soci::use(now);
      return absl::OkStatus();
    });
    if (IsUniqueViolation(st)) {
      // PostgreSQL names the index, SQLite the column.
      if (absl::StrContains(st.message(), "users_email_uq") ||
          absl::StrContains(st.message(), "users.email")) {
        return absl::AlreadyExistsError("email is already registered");
      }
      return absl::AlreadyExistsError("username is taken");
    }
    RETURN_IF_ERROR(st);
    ASSIGN_OR_RETURN(UserRecord rec, FindById(n.id));
    return rec.user;
  }

  absl::StatusOr<UserRecord> FindById(int64_t id) override {
    return FindOne("id = :v", id, NotFound(id));
  }

  absl::StatusOr<UserRecord> FindByUsername(
      absl::string_view username) override {
    return FindOne("username = :v", std::string(username),
                   absl::NotFoundError("no such user"));
  }

  absl::StatusOr<UserRecord> FindByEmail(absl::string_view email) override {
    return FindOne("email = :v", std::string(email),
                   absl::NotFoundError("no such user"));
  }

  absl::StatusOr<std::vector<User>> FindByIds(
      const std::vector<int64_t>& ids) override {
    std::vector<User> out;
    if (ids.empty()) return out;
    if (ids.size() > 1000) {
      return absl::InvalidArgumentError("at most 1000 ids per lookup");
    }
    // Integers only, so inlining them into the IN list is safe.
    const std::string query =
        absl::StrCat("SELECT ", kUserColumns, " FROM users WHERE id IN (",
                     absl::StrJoin(ids, ","), ")");
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows = sql.prepare << query;
      for (const soci::row& r : rows) out.push_back(ReadUser(r).user);
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<User> UpdateProfile(int64_t id, const ProfileUpdate& update,
                                     absl::Time now) override {
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) -> absl::Status {
      const int64_t ms = ToMillis(now);
      if (update.display_name.has_value()) {
        sql << "UPDATE users SET display_name = :d WHERE id = :id",
            soci::use(*update.display_name), soci::use(id);
      }
      if (update.bio.has_value()) {
        sql << "UPDATE users SET bio = :b WHERE id = :id",
            soci::use(*update.bio), soci::use(id);
      }
      if (ExecAffected(sql,
                       "UPDATE users SET updated_at_ms = :m WHERE id = :id", ms,
                       id) != 1) {
        return NotFound(id);
      }
      return absl::OkStatus();
    }));
    ASSIGN_OR_RETURN(UserRecord rec, FindById(id));
    return rec.user;
  }

  absl::StatusOr<std::string> SetAvatar(int64_t id, absl::string_view key,
                                        absl::Time now) override {
    std::string previous;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) -> absl::Status {
      soci::indicator ind;
      sql << "SELECT avatar_key FROM users WHERE id = :id", soci::use(id),
          soci::into(previous, ind);
      if (!sql.got_data()) return NotFound(id);
      const std::string k(key);
      const int64_t ms = ToMillis(now);
      sql << "UPDATE users SET avatar_key = :k, updated_at_ms = :m WHERE id = "
             ":id",
          soci::use(k), soci::use(ms), soci::use(id);
      RETURN_IF_ERROR(AdoptBlobs(sql, {k}));
      if (ind == soci::i_ok && !previous.empty()) {
        ReleaseBlob(sql, previous, now);
      }
      return absl::OkStatus();
    }));
    return previous;
  }

  absl::Status SetPasswordHash(int64_t id, absl::string_view hash,
                               absl::Time now) override {
    return UpdateOne("password_hash = :v", std::string(hash), id, now);
  }

  absl::Status SetRole(int64_t id, Role role, absl::Time now) override {
    return UpdateOne("role = :v", static_cast<int>(role), id, now);
  }

  absl::Status SetStatus(int64_t id, UserStatus status,
                         absl::Time now) override {
    return UpdateOne("status = :v", static_cast<int>(status), id, now);
  }

  absl::Status SetPendingTotp(int64_t id, absl::string_view secret,
                              absl::Time now) override {
    return UpdateOne("totp_pending_secret = :v", Base32Encode(secret), id, now);
  }

  absl::Status EnableTotp(int64_t id, int64_t step, absl::Time now) override {
    return db_->Run([&](soci::session& sql) -> absl::Status {
      const int64_t ms = ToMillis(now);
      if (ExecAffected(sql,
                       "UPDATE users SET totp_secret = totp_pending_secret, "
                       "totp_pending_secret = '', totp_last_step = :s, "
                       "updated_at_ms = :m WHERE id = :id AND "
                       "totp_pending_secret <> ''",
                       step, ms, id) != 1) {
        return absl::FailedPreconditionError(
            "no two-factor enrolment in progress");
      }
      return absl::OkStatus();
    });
  }

  absl::Status DisableTotp(int64_t id, absl::Time now) override {
    return db_->Run([&](soci::session& sql) -> absl::Status {
      const int64_t ms = ToMillis(now);
      if (ExecAffected(sql,
                       "UPDATE users SET totp_secret = '', "
                       "totp_pending_secret = '', updated_at_ms = :m "
                       "WHERE id = :id",
                       ms, id) != 1) {
        return NotFound(id);
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<bool> ConsumeTotpStep(int64_t id, int64_t step) override {
    long long changed = 0;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      changed = ExecAffected(sql,
                             "UPDATE users SET totp_last_step = :s WHERE id = "
                             ":id AND totp_last_step < :s2",
                             step, id, step);
      return absl::OkStatus();
    }));
    return changed == 1;
  }

 private:
  template <typename V>
  absl::StatusOr<UserRecord> FindOne(const char* where, const V& value,
                                     absl::Status not_found) {
    UserRecord rec;
    bool found = false;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << absl::StrCat("SELECT ", kUserColumns, " FROM users WHERE ", where),
          soci::use(value), soci::into(r);
      if (sql.got_data()) {
        rec = ReadUser(r);
        found = true;
      }
      return absl::OkStatus();
    }));
    if (!found) return not_found;
    return rec;
  }

  template <typename V>
  absl::Status UpdateOne(const char* assignment, const V& value, int64_t id,
                         absl::Time now) {
    return db_->Run([&](soci::session& sql) -> absl::Status {
      const int64_t ms = ToMillis(now);
      if (ExecAffected(sql,
                       absl::StrCat("UPDATE users SET ", assignment,
                                    ", updated_at_ms = :m WHERE id = :id"),
                       value, ms, id) != 1) {
        return NotFound(id);
      }
      return absl::OkStatus();
    });
  }

  Database* const db_;
};

}  // namespace

std::unique_ptr<UserRepository> NewSqlUserRepository(Database* db) {
  return std::make_unique<SqlUserRepository>(db);
}

}  // namespace tokkit::account
