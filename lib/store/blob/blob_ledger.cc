#include "lib/store/blob/blob_ledger.h"

#include "lib/store/sql/sql_util.h"

namespace tokkit {

const std::vector<Migration>& BlobMigrations() {
  static const auto* migrations = new std::vector<Migration>{
      {1, "pending blobs",
       R"sql(
CREATE TABLE pending_blobs (
  blob_key VARCHAR(500) PRIMARY KEY,
  due_at_ms BIGINT NOT NULL,
  deleting SMALLINT NOT NULL DEFAULT 0
);
CREATE INDEX pending_blobs_due_idx ON pending_blobs (due_at_ms);
)sql"},
  };
  return *migrations;
}

absl::Status AdoptBlobs(soci::session& sql,
                        const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    if (key.empty()) continue;
    if (ExecAffected(sql,
                     "DELETE FROM pending_blobs WHERE blob_key = :k AND "
                     "deleting = 0",
                     key) == 1) {
      continue;
    }
    // Not pending: either never announced (a caller without the janitor),
    // or the sweep claimed it because the upload outlived the grace, in
    // which case the blob may be gone and the row must not be written.
    int claimed = 0;
    sql << "SELECT COUNT(*) FROM pending_blobs WHERE blob_key = :k",
        soci::use(key), soci::into(claimed);
    if (claimed > 0) {
      return absl::UnavailableError(
          "the upload took too long to complete and was discarded; retry");
    }
  }
  return absl::OkStatus();
}

void ReleaseBlob(soci::session& sql, const std::string& key, absl::Time now) {
  if (key.empty()) return;
  const int64_t due = ToMillis(now);
  // Releasing a key twice replaces its row.
  sql << "DELETE FROM pending_blobs WHERE blob_key = :k", soci::use(key);
  sql << "INSERT INTO pending_blobs (blob_key, due_at_ms, deleting) VALUES "
         "(:k, :d, 0)",
      soci::use(key), soci::use(due);
}

}  // namespace tokkit
