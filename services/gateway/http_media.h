// Pure rules of serving media over HTTP: Range headers, validators
// (ETag / If-None-Match / If-Range), and signed, expiring media URLs.
#ifndef TOKKIT_SERVICES_GATEWAY_HTTP_MEDIA_H_
#define TOKKIT_SERVICES_GATEWAY_HTTP_MEDIA_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tokkit::gateway {

struct ByteRange {
  int64_t first = 0;
  int64_t last = 0;  // inclusive
  int64_t length() const { return last - first + 1; }
};

// What to send for a Range header against a representation of `size`
// bytes: nullopt = the whole thing (200: no Range, a malformed one, which
// RFC 9110 says to ignore, or several ranges, which we serve whole rather
// than as multipart); a range (206); OUT_OF_RANGE = 416.
absl::StatusOr<std::optional<ByteRange>> SelectRange(absl::string_view header,
                                                     int64_t size);

// True when an If-None-Match header matches `etag` (a strong "..." tag):
// the client's copy is current, answer 304.
bool IfNoneMatchHits(absl::string_view header, absl::string_view etag);

// HTTP-date (RFC 9110 IMF-fixdate) of `t`.
std::string HttpDate(absl::Time t);

// Signed media URLs: "<path>?expires=<unix s>&sig=<hex hmac>" where the HMAC
// (SHA-256, the server's key) covers the path and the expiry, so a CDN can
// cache them without a bearer token and they stop working when they expire.
class MediaUrlSigner {
 public:
  explicit MediaUrlSigner(std::string key) : key_(std::move(key)) {}
  std::string Sign(absl::string_view path, absl::Time expires) const;
  // OK when `query` carries a valid, unexpired signature for `path`;
  // PERMISSION_DENIED otherwise (missing, wrong or expired).
  absl::Status Verify(absl::string_view path, absl::string_view query,
                      absl::Time now) const;

 private:
  std::string Mac(absl::string_view path, int64_t expires) const;
  std::string key_;
};

// The value of `name` in a query string ("a=1&b=2"), percent-decoding not
// needed for our own parameters; nullopt when absent.
std::optional<std::string> QueryParam(absl::string_view query,
                                      absl::string_view name);

// Whether an Origin header names the site the request was sent to (its Host
// header): a page's own WebSocket needs no --cors_origins entry.
bool IsSameOrigin(absl::string_view origin, absl::string_view host);

}  // namespace tokkit::gateway

#endif  // TOKKIT_SERVICES_GATEWAY_HTTP_MEDIA_H_
