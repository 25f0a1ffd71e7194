// The SQL side of BlobJanitor, for repository implementations only (sees
// SOCI): the pending_blobs table and the two calls a repository makes inside
// the transaction that changes which blobs a row owns.
#ifndef TOKKIT_LIB_STORE_BLOB_BLOB_LEDGER_H_
#define TOKKIT_LIB_STORE_BLOB_BLOB_LEDGER_H_

#include <soci/soci.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/store/sql/database.h"

namespace tokkit {

inline constexpr char kBlobsModule[] = "blobs";
const std::vector<Migration>& BlobMigrations();

// The row being written owns these blobs now: they are no longer pending.
// UNAVAILABLE when the sweep already claimed one (the row must not be
// written: roll back).
absl::Status AdoptBlobs(soci::session& sql,
                        const std::vector<std::string>& keys);
// The row no longer references `key`: the sweep deletes it.
void ReleaseBlob(soci::session& sql, const std::string& key, absl::Time now);

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_BLOB_BLOB_LEDGER_H_
