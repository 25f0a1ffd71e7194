#include "lib/store/blob/blob_janitor.h"

#include <soci/soci.h>

#include "lib/core/log.h"
#include "lib/core/status_macros.h"
#include "lib/store/blob/blob_ledger.h"
#include "lib/store/sql/database.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit {

BlobJanitor::BlobJanitor(Database* db, BlobStore* blobs, const Clock* clock,
                         absl::Duration grace)
    : db_(db), blobs_(blobs), clock_(clock), grace_(grace) {}

absl::Status BlobJanitor::Expect(const std::string& key) {
  const int64_t due = ToMillis(clock_->Now() + grace_);
  return db_->Run([&](soci::session& sql) {
    sql << "INSERT INTO pending_blobs (blob_key, due_at_ms, deleting) VALUES "
           "(:k, :d, 0)",
        soci::use(key), soci::use(due);
    return absl::OkStatus();
  });
}

// pending_blobs.deleting: 0 pending, 1 claimed by a sweep, 2 swept (kept a
// day so a very late adoption can still tell it was swept).
absl::StatusOr<int> BlobJanitor::Sweep(int limit) {
  std::vector<std::string> due;
  const int64_t now = ToMillis(clock_->Now());
  RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
    sql << "DELETE FROM pending_blobs WHERE deleting = 2 AND due_at_ms <= :n",
        soci::use(now);
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT blob_key FROM pending_blobs WHERE due_at_ms "
                        "<= :n AND deleting < 2 ORDER BY due_at_ms LIMIT :l",
         soci::use(now), soci::use(limit));
    for (const soci::row& r : rows) due.push_back(RowString(r, 0));
    return absl::OkStatus();
  }));
  int deleted = 0;
  const int64_t forget_at = ToMillis(clock_->Now() + absl::Hours(24));
  for (const std::string& key : due) {
    // Claim it first: a row adopting it from now on fails instead of
    // pointing at a deleted blob. A crash after the claim leaves it claimed
    // and the next sweep finishes it.
    bool claimed = false;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      claimed = ExecAffected(sql,
                             "UPDATE pending_blobs SET deleting = 1 WHERE "
                             "blob_key = :k AND deleting < 2 AND due_at_ms <= "
                             ":n",
                             key, now) == 1;
      return absl::OkStatus();
    }));
    if (!claimed) continue;  // adopted meanwhile
    absl::Status st = blobs_->Delete(key);
    if (!st.ok()) {
      log::Warning("blob_sweep_failed", {{"key", key}, {"error", st}});
      continue;
    }
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      sql << "UPDATE pending_blobs SET deleting = 2, due_at_ms = :f WHERE "
             "blob_key = :k",
          soci::use(forget_at), soci::use(key);
      return absl::OkStatus();
    }));
    ++deleted;
  }
  if (deleted > 0) log::Info("blobs_swept", {{"deleted", deleted}});
  return deleted;
}

}  // namespace tokkit
