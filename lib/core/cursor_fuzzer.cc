// Page tokens come from clients: decoding any bytes must fail cleanly or
// give a cursor whose fields read back and re-encode to the same cursor.
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "lib/core/cursor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<tokkit::Cursor> c = tokkit::Cursor::Decode(text);
  if (c.ok()) {
    for (size_t i = 0; i < c->size() + 1; ++i) {
      (void)c->IntAt(i);
      (void)c->StringAt(i);
    }
    absl::StatusOr<tokkit::Cursor> again = tokkit::Cursor::Decode(c->Encode());
    if (!again.ok() || again->Encode() != c->Encode()) std::abort();
  }
  (void)tokkit::DecodeIdCursor(text);
  return 0;
}
