// Uploaded bytes are sniffed for their type; any prefix must be classified
// without reading past it.
#include <cstdint>
#include <cstring>
#include <memory>

#include "absl/strings/string_view.h"
#include "lib/core/media_type.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exact-size copy, so reading past the end is caught.
  std::unique_ptr<char[]> copy(new char[size]);
  if (size > 0) std::memcpy(copy.get(), data, size);
  const tokkit::MediaType type =
      tokkit::SniffMediaType(absl::string_view(copy.get(), size));
  (void)tokkit::MimeType(type);
  (void)tokkit::FileExtension(type);
  (void)tokkit::IsImage(type);
  (void)tokkit::IsVideo(type);
  return 0;
}
