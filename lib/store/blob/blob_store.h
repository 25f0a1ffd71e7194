// BlobStore port: where uploaded media (avatars, videos, covers, product
// images) lives. Writers stream; nothing becomes visible under a key until
// Commit(), so an aborted or failed upload leaves nothing half-written.
#ifndef TOKKIT_LIB_STORE_BLOB_BLOB_STORE_H_
#define TOKKIT_LIB_STORE_BLOB_BLOB_STORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tokkit {

class BlobWriter {
 public:
  // Destroying an uncommitted writer aborts it.
  virtual ~BlobWriter() = default;
  virtual absl::Status Append(absl::string_view data) = 0;
  // Makes the blob visible under its key, replacing any previous one.
  virtual absl::Status Commit() = 0;
  virtual int64_t bytes_written() const = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Keys are relative paths of [A-Za-z0-9._-] segments separated by '/'.
  virtual absl::StatusOr<std::unique_ptr<BlobWriter>> NewWriter(
      absl::string_view key) = 0;
  // Reads up to `length` bytes from `offset` (length < 0: to the end).
  // NOT_FOUND for a missing key; OUT_OF_RANGE for an offset past the end.
  virtual absl::StatusOr<std::string> ReadRange(absl::string_view key,
                                                int64_t offset,
                                                int64_t length) = 0;
  virtual absl::StatusOr<int64_t> Size(absl::string_view key) = 0;
  // Deleting a missing key is OK (idempotent).
  virtual absl::Status Delete(absl::string_view key) = 0;

  // A URL anyone may GET the blob from until `ttl` passes, straight from
  // the storage (a CDN can cache it); UNIMPLEMENTED where the store has
  // no such URLs (the local store: the gateway serves its media).
  virtual absl::StatusOr<std::string> SignedReadUrl(absl::string_view key,
                                                    absl::Duration ttl);

  // Writes a whole blob in one call.
  absl::Status Put(absl::string_view key, absl::string_view data);
  // Reads a whole blob.
  absl::StatusOr<std::string> Read(absl::string_view key) {
    return ReadRange(key, 0, -1);
  }
};

absl::Status ValidateBlobKey(absl::string_view key);

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_BLOB_BLOB_STORE_H_
