// The domain-facing port of BlobJanitor (blob_janitor.h): a service
// announces each blob a row will own before committing it to the store, so a
// crash between the blob and its row leaves nothing behind for long.
#ifndef TOKKIT_LIB_STORE_BLOB_PENDING_BLOBS_H_
#define TOKKIT_LIB_STORE_BLOB_PENDING_BLOBS_H_

#include <string>

#include "absl/status/status.h"

namespace tokkit {

class PendingBlobs {
 public:
  virtual ~PendingBlobs() = default;
  virtual absl::Status Expect(const std::string& key) = 0;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_BLOB_PENDING_BLOBS_H_
