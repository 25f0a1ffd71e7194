#include "lib/store/blob/blob_store.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/core/status_macros.h"

namespace tokkit {

absl::Status BlobStore::Put(absl::string_view key, absl::string_view data) {
  ASSIGN_OR_RETURN(std::unique_ptr<BlobWriter> writer, NewWriter(key));
  RETURN_IF_ERROR(writer->Append(data));
  return writer->Commit();
}

absl::StatusOr<std::string> BlobStore::SignedReadUrl(absl::string_view,
                                                     absl::Duration) {
  return absl::UnimplementedError("this blob store has no signed URLs");
}

absl::Status ValidateBlobKey(absl::string_view key) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid blob key '", key, "'"));
  };
  if (key.empty() || key.size() > 512) return bad();
  for (absl::string_view segment : absl::StrSplit(key, '/')) {
    if (segment.empty() || segment == "." || segment == "..") return bad();
    for (char c : segment) {
      if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-') {
        return bad();
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace tokkit
