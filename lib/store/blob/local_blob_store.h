// BlobStore on the local filesystem: the embedded default. Blobs are files
// under a root directory; writers fill a temporary file in <root>/.tmp and
// rename it into place on Commit, which is atomic on POSIX filesystems.
#ifndef TOKKIT_LIB_STORE_BLOB_LOCAL_BLOB_STORE_H_
#define TOKKIT_LIB_STORE_BLOB_LOCAL_BLOB_STORE_H_

#include <memory>
#include <string>

#include "lib/store/blob/blob_store.h"

namespace tokkit {

class LocalBlobStore : public BlobStore {
 public:
  // Creates `root` if needed and clears temporary files left by a crash
  // (those untouched for an hour: the directory may be shared).
  static absl::StatusOr<std::unique_ptr<LocalBlobStore>> Open(
      const std::string& root);

  absl::StatusOr<std::unique_ptr<BlobWriter>> NewWriter(
      absl::string_view key) override;
  absl::StatusOr<std::string> ReadRange(absl::string_view key, int64_t offset,
                                        int64_t length) override;
  absl::StatusOr<int64_t> Size(absl::string_view key) override;
  absl::Status Delete(absl::string_view key) override;

 private:
  explicit LocalBlobStore(std::string root) : root_(std::move(root)) {}
  std::string PathOf(absl::string_view key) const;

  const std::string root_;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_BLOB_LOCAL_BLOB_STORE_H_
