// What every BlobStore must do, as functions that take the store (the
// tensorstore pattern): each backend's test calls them on its own store.
#ifndef TOKKIT_LIB_STORE_BLOB_TESTING_BLOB_STORE_CONFORMANCE_H_
#define TOKKIT_LIB_STORE_BLOB_TESTING_BLOB_STORE_CONFORMANCE_H_

#include "lib/store/blob/blob_store.h"

namespace tokkit::testing {

// Streamed writes become visible only on Commit; an abandoned writer leaves
// nothing.
void TestBlobCommitVisibility(BlobStore& store);
// Ranges inside, at and past the end; lengths -1 and 0; missing keys.
void TestBlobRangeReads(BlobStore& store);
// Overwrite replaces; delete is idempotent; invalid keys are refused.
void TestBlobOverwriteAndDelete(BlobStore& store);

}  // namespace tokkit::testing

#endif  // TOKKIT_LIB_STORE_BLOB_TESTING_BLOB_STORE_CONFORMANCE_H_
