// Opaque page tokens for cursor pagination. A cursor holds the sort key of the
// last item served (e.g. created_at and id), never an offset, so pages stay
// stable while rows are inserted. Clients treat the token as opaque; a token
// that does not decode is INVALID_ARGUMENT, never a crash or a silent restart.
#ifndef TOKKIT_LIB_CORE_CURSOR_H_
#define TOKKIT_LIB_CORE_CURSOR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tokkit {

class Cursor {
 public:
  Cursor() = default;

  Cursor& Add(absl::string_view field);
  Cursor& Add(int64_t field);

  // URL-safe text; empty for an empty cursor.
  std::string Encode() const;
  // An empty token decodes to an empty cursor (first page).
  static absl::StatusOr<Cursor> Decode(absl::string_view token);

  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  // Field accessors validate index and type.
  absl::StatusOr<std::string> StringAt(size_t i) const;
  absl::StatusOr<int64_t> IntAt(size_t i) const;

 private:
  std::vector<std::string> fields_;
};

// Page size from a request: 0 means the default; anything above max is capped;
// negative is INVALID_ARGUMENT.
absl::StatusOr<int> PageSize(int requested, int default_size = 20,
                             int max_size = 100);

// The common case: a token holding one id (the last one served). An empty
// token decodes to 0, "from the start".
absl::StatusOr<int64_t> DecodeIdCursor(absl::string_view page_token);
std::string EncodeIdCursor(int64_t id);

// The token after a page fetched with LIMIT `limit`: the id `id_of` gives
// the last item, when the page came back full; "" when it was the last page.
template <typename T, typename IdOf>
std::string NextIdCursor(const std::vector<T>& items, int limit, IdOf id_of) {
  if (items.empty() || static_cast<int>(items.size()) < limit) return "";
  return EncodeIdCursor(id_of(items.back()));
}

// A page of results and the token to fetch the next one (empty at the end).
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_CORE_CURSOR_H_
