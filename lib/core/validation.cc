#include "lib/core/validation.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace tokkit {

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t c = static_cast<uint8_t>(s[i]);
    int extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;  // truncated sequence
    for (int k = 1; k <= extra; ++k) {
      const uint8_t cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong encodings, surrogates and out-of-range code points.
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

size_t Utf8Length(absl::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

absl::Status ValidateText(absl::string_view field, absl::string_view value,
                          size_t min_chars, size_t max_chars, bool multiline) {
  if (!IsValidUtf8(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is not valid UTF-8"));
  }
  for (char c : value) {
    const uint8_t u = static_cast<uint8_t>(c);
    if ((u < 0x20 && !(multiline && (c == '\n' || c == '\t'))) || u == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " contains control characters"));
    }
  }
  const size_t len = Utf8Length(value);
  if (len < min_chars || len > max_chars) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must be ",
                                                   min_chars, " to ", max_chars,
                                                   " characters, got ", len));
  }
  return absl::OkStatus();
}

absl::Status ValidateEmail(absl::string_view field, absl::string_view value) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is not a valid email address"));
  };
  if (value.empty() || value.size() > 254) return bad();
  const size_t at = value.find('@');
  if (at == absl::string_view::npos || at == 0 || at > 64 ||
      value.find('@', at + 1) != absl::string_view::npos) {
    return bad();
  }
  const absl::string_view domain = value.substr(at + 1);
  const size_t dot = domain.rfind('.');
  if (domain.empty() || dot == absl::string_view::npos || dot == 0 ||
      dot + 3 > domain.size() /* TLD of 2+ letters */ ||
      domain.front() == '-' || domain.find("..") != absl::string_view::npos) {
    return bad();
  }
  for (char c : value.substr(0, at)) {
    if (!absl::ascii_isalnum(c) &&
        absl::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) ==
            absl::string_view::npos) {
      return bad();
    }
  }
  for (char c : domain) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '.') return bad();
  }
  return absl::OkStatus();
}

absl::Status ValidatePositiveId(absl::string_view field, int64_t id) {
  if (id <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must be set"));
  }
  return absl::OkStatus();
}

}  // namespace tokkit
