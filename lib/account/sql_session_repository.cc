#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "lib/account/refresh_rotation.h"
#include "lib/account/sql_repository.h"
#include "lib/core/status_macros.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit::account {
namespace {

void InsertToken(soci::session& sql, const RefreshTokenRecord& t,
                 absl::Time now) {
  const int64_t expires = ToMillis(t.expires_at);
  const int64_t created = ToMillis(now);
  sql << "INSERT INTO refresh_tokens (token_hash, session_id, user_id, "
         "expires_at_ms, used_at_ms, created_at_ms) VALUES (:h, :s, :u, :e, 0, "
         ":c)",
      soci::use(t.token_hash), soci::use(t.session_id), soci::use(t.user_id),
      soci::use(expires), soci::use(created);
}

class SqlSessionRepository : public SessionRepository {
 public:
  explicit SqlSessionRepository(Database* db) : db_(db) {}

  absl::Status Create(const Session& s,
                      const RefreshTokenRecord& first) override {
    return db_->Transact([&](soci::session& sql) {
      const int64_t created = ToMillis(s.created_at);
      sql << "INSERT INTO sessions (id, user_id, client, created_at_ms, "
             "revoked_at_ms) VALUES (:i, :u, :c, :t, 0)",
          soci::use(s.id), soci::use(s.user_id), soci::use(s.client),
          soci::use(created);
      InsertToken(sql, first, s.created_at);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<RotateResult> Rotate(absl::string_view old_hash,
                                      RefreshTokenRecord next,
                                      absl::Time now) override {
    RotateResult result{RotateOutcome::kUnknown, {}};
    const std::string hash(old_hash);
    const int64_t now_ms = ToMillis(now);
    // Every outcome commits: a detected reuse must persist the revocation.
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) {
      result = {RotateOutcome::kUnknown, {}};
      soci::row r;
      sql << "SELECT t.session_id, t.user_id, t.expires_at_ms, t.used_at_ms, "
             "s.revoked_at_ms, s.client, s.created_at_ms FROM refresh_tokens t "
             "JOIN sessions s ON s.id = t.session_id WHERE t.token_hash = :h",
          soci::use(hash), soci::into(r);
      if (!sql.got_data()) return absl::OkStatus();
      Session& s = result.session;
      s.id = RowInt(r, 0);
      s.user_id = RowInt(r, 1);
      s.revoked_at = FromMillis(RowInt(r, 4));
      s.client = RowString(r, 5);
      s.created_at = FromMillis(RowInt(r, 6));
      // lib/account/refresh_rotation.h decides; this reads and writes.
      if (std::optional<RotateOutcome> refused = BeforeClaim(s.revoked())) {
        result.outcome = *refused;
        return absl::OkStatus();
      }
      // Claim the token; only one concurrent rotation can see a change here.
      const bool claimed =
          ExecAffected(sql,
                       "UPDATE refresh_tokens SET used_at_ms = :n WHERE "
                       "token_hash = :h AND used_at_ms = 0",
                       now_ms, hash) == 1;
      result.outcome = AfterClaim(claimed, FromMillis(RowInt(r, 2)), now);
      if (result.outcome == RotateOutcome::kReused) {
        ExecAffected(sql,
                     "UPDATE sessions SET revoked_at_ms = :n WHERE id = :s AND "
                     "revoked_at_ms = 0",
                     now_ms, s.id);
        s.revoked_at = now;
      } else if (result.outcome == RotateOutcome::kRotated) {
        next.session_id = s.id;
        next.user_id = s.user_id;
        InsertToken(sql, next, now);
      }
      return absl::OkStatus();
    }));
    return result;
  }

  absl::Status Revoke(int64_t user_id, int64_t session_id,
                      absl::Time now) override {
    return db_->Run([&](soci::session& sql) -> absl::Status {
      int found = 0;
      sql << "SELECT COUNT(*) FROM sessions WHERE id = :s AND user_id = :u",
          soci::use(session_id), soci::use(user_id), soci::into(found);
      if (found == 0) return absl::NotFoundError("session not found");
      const int64_t ms = ToMillis(now);
      ExecAffected(sql,
                   "UPDATE sessions SET revoked_at_ms = :n WHERE id = :s AND "
                   "revoked_at_ms = 0",
                   ms, session_id);
      return absl::OkStatus();
    });
  }

  absl::Status RevokeAll(int64_t user_id, absl::Time now) override {
    return db_->Run([&](soci::session& sql) {
      const int64_t ms = ToMillis(now);
      ExecAffected(sql,
                   "UPDATE sessions SET revoked_at_ms = :n WHERE user_id = :u "
                   "AND revoked_at_ms = 0",
                   ms, user_id);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int64_t> SessionOfToken(
      absl::string_view token_hash) override {
    int64_t session_id = 0;
    const std::string hash(token_hash);
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << "SELECT session_id FROM refresh_tokens WHERE token_hash = :h",
          soci::use(hash), soci::into(r);
      if (sql.got_data()) session_id = RowInt(r, 0);
      return absl::OkStatus();
    }));
    if (session_id == 0) return absl::NotFoundError("unknown refresh token");
    return session_id;
  }

  absl::StatusOr<AccessState> LoadAccessState(int64_t user_id,
                                              int64_t session_id) override {
    AccessState state;
    bool found = false;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << "SELECT u.role, u.status, s.revoked_at_ms, s.user_id FROM users u "
             "LEFT JOIN sessions s ON s.id = :s WHERE u.id = :u",
          soci::use(session_id), soci::use(user_id), soci::into(r);
      if (!sql.got_data()) return absl::OkStatus();
      found = true;
      state.role = static_cast<Role>(RowInt(r, 0));
      state.status = static_cast<UserStatus>(RowInt(r, 1));
      // The session must exist, belong to this user and not be revoked.
      state.session_live = r.get_indicator(3) != soci::i_null &&
                           RowInt(r, 3) == user_id && RowInt(r, 2) == 0;
      return absl::OkStatus();
    }));
    if (!found) {
      return absl::NotFoundError(absl::StrCat("user ", user_id, " not found"));
    }
    return state;
  }

 private:
  Database* const db_;
};

}  // namespace

std::unique_ptr<SessionRepository> NewSqlSessionRepository(Database* db) {
  return std::make_unique<SqlSessionRepository>(db);
}

}  // namespace tokkit::account
