#include "services/gateway/http_media.h"

#include <limits>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/core/crypto.h"

namespace tokkit::gateway {
namespace {

bool ParseNonNegative(absl::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(s, out);
}

}  // namespace

absl::StatusOr<std::optional<ByteRange>> SelectRange(absl::string_view header,
                                                     int64_t size) {
  absl::string_view spec = absl::StripAsciiWhitespace(header);
  if (spec.empty()) return std::nullopt;
  if (!absl::ConsumePrefix(&spec, "bytes=")) return std::nullopt;
  std::vector<absl::string_view> parts = absl::StrSplit(spec, ',');
  if (parts.size() != 1) return std::nullopt;
  absl::string_view part = absl::StripAsciiWhitespace(parts[0]);
  const size_t dash = part.find('-');
  if (dash == absl::string_view::npos) return std::nullopt;
  absl::string_view a = absl::StripAsciiWhitespace(part.substr(0, dash));
  absl::string_view b = absl::StripAsciiWhitespace(part.substr(dash + 1));
  ByteRange r;
  if (a.empty()) {  // suffix: the last N bytes
    int64_t n = 0;
    if (!ParseNonNegative(b, &n)) return std::nullopt;
    if (n == 0 || size == 0) {
      return absl::OutOfRangeError("empty suffix range");
    }
    r.first = n >= size ? 0 : size - n;
    r.last = size - 1;
    return r;
  }
  if (!ParseNonNegative(a, &r.first)) return std::nullopt;
  if (b.empty()) {
    r.last = size - 1;
  } else {
    if (!ParseNonNegative(b, &r.last)) return std::nullopt;
    if (r.last < r.first) return std::nullopt;  // invalid: ignore
    if (r.last >= size) r.last = size - 1;
  }
  if (r.first >= size) {
    return absl::OutOfRangeError(
        absl::StrCat("range starts at ", r.first, " of ", size, " bytes"));
  }
  return r;
}

bool IfNoneMatchHits(absl::string_view header, absl::string_view etag) {
  absl::string_view value = absl::StripAsciiWhitespace(header);
  if (value == "*") return true;
  for (absl::string_view tag : absl::StrSplit(value, ',')) {
    tag = absl::StripAsciiWhitespace(tag);
    absl::ConsumePrefix(&tag, "W/");  // weak comparison for GET
    if (tag == etag) return true;
  }
  return false;
}

std::string HttpDate(absl::Time t) {
  return absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", t, absl::UTCTimeZone());
}

std::string MediaUrlSigner::Mac(absl::string_view path, int64_t expires) const {
  return HexEncode(
      HmacSha256(key_, absl::StrCat("media\n", path, "\n", expires)));
}

std::string MediaUrlSigner::Sign(absl::string_view path,
                                 absl::Time expires) const {
  const int64_t e = absl::ToUnixSeconds(expires);
  return absl::StrCat(path, "?expires=", e, "&sig=", Mac(path, e));
}

absl::Status MediaUrlSigner::Verify(absl::string_view path,
                                    absl::string_view query,
                                    absl::Time now) const {
  std::optional<std::string> expires = QueryParam(query, "expires");
  std::optional<std::string> sig = QueryParam(query, "sig");
  int64_t e = 0;
  if (!expires || !sig || !ParseNonNegative(*expires, &e)) {
    return absl::PermissionDeniedError("media URL is not signed");
  }
  if (!ConstantTimeEquals(*sig, Mac(path, e))) {
    return absl::PermissionDeniedError("media URL signature is wrong");
  }
  if (absl::FromUnixSeconds(e) < now) {
    return absl::PermissionDeniedError("media URL has expired");
  }
  return absl::OkStatus();
}

std::optional<std::string> QueryParam(absl::string_view query,
                                      absl::string_view name) {
  for (absl::string_view kv : absl::StrSplit(query, '&')) {
    const size_t eq = kv.find('=');
    if (kv.substr(0, eq) != name) continue;
    return eq == absl::string_view::npos ? std::string()
                                         : std::string(kv.substr(eq + 1));
  }
  return std::nullopt;
}

bool IsSameOrigin(absl::string_view origin, absl::string_view host) {
  if (!absl::ConsumePrefix(&origin, "http://") &&
      !absl::ConsumePrefix(&origin, "https://")) {
    return false;  // "null", or a scheme no page of ours is served on
  }
  return !host.empty() && absl::EqualsIgnoreCase(origin, host);
}

}  // namespace tokkit::gateway
