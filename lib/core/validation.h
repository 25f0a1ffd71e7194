// Input validation helpers shared by all domains. Each returns OK or an
// INVALID_ARGUMENT status whose message names the field, so a client can tell
// what to fix.
#ifndef TOKKIT_LIB_CORE_VALIDATION_H_
#define TOKKIT_LIB_CORE_VALIDATION_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tokkit {

bool IsValidUtf8(absl::string_view s);

// Number of Unicode code points; assumes valid UTF-8.
size_t Utf8Length(absl::string_view s);

// Valid UTF-8, no control characters (newlines allowed when multiline), and
// between min_chars and max_chars code points.
absl::Status ValidateText(absl::string_view field, absl::string_view value,
                          size_t min_chars, size_t max_chars,
                          bool multiline = false);

// A pragmatic address check: local@domain.tld, ASCII, at most 254 bytes.
absl::Status ValidateEmail(absl::string_view field, absl::string_view value);

absl::Status ValidatePositiveId(absl::string_view field, int64_t id);

}  // namespace tokkit

#endif  // TOKKIT_LIB_CORE_VALIDATION_H_
