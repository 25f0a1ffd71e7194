// Keeps the blob store free of blobs no row owns, even across crashes.
//
// A blob a row will reference is announced (Expect) before it is committed
// to the store; the transaction that writes the owning row adopts it (SQL
// side: blob_ledger.h), in the same transaction. A blob a row stops
// referencing (a replaced avatar) is released in the row's transaction. The
// sweep deletes what was announced but never adopted once a grace period has
// passed (a crash between the blob and its row), and what was released. So
// kill -9 at any point leaves nothing reachable-but-unowned for longer than
// the grace period, and the backend needs no listing (S3 works too). The
// sweep claims a blob before deleting it and adoption is conditional, so an
// upload that outlives the grace fails cleanly instead of its row pointing at
// a deleted blob.
#ifndef TOKKIT_LIB_STORE_BLOB_BLOB_JANITOR_H_
#define TOKKIT_LIB_STORE_BLOB_BLOB_JANITOR_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/core/clock.h"
#include "lib/store/blob/blob_store.h"
#include "lib/store/blob/pending_blobs.h"

namespace tokkit {

class Database;

class BlobJanitor : public PendingBlobs {
 public:
  // `grace`: how long an announced blob may wait for its row.
  BlobJanitor(Database* db, BlobStore* blobs, const Clock* clock,
              absl::Duration grace = absl::Minutes(10));

  absl::Status Expect(const std::string& key) override;
  // Deletes blobs that are due (unadopted past the grace, or released);
  // returns how many.
  absl::StatusOr<int> Sweep(int limit = 500);

 private:
  Database* const db_;
  BlobStore* const blobs_;
  const Clock* const clock_;
  const absl::Duration grace_;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_BLOB_BLOB_JANITOR_H_
