// gzip for HTTP bodies (zlib).
#ifndef TOKKIT_SERVICES_GATEWAY_COMPRESSION_H_
#define TOKKIT_SERVICES_GATEWAY_COMPRESSION_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tokkit::gateway {

std::string Gzip(absl::string_view data);
// INVALID_ARGUMENT for data that is not gzip; RESOURCE_EXHAUSTED when it
// inflates past `max_bytes` (a zip bomb stops there).
absl::StatusOr<std::string> Gunzip(absl::string_view data, int64_t max_bytes);
// True when an Accept-Encoding header allows gzip.
bool AcceptsGzip(absl::string_view accept_encoding);

}  // namespace tokkit::gateway

#endif  // TOKKIT_SERVICES_GATEWAY_COMPRESSION_H_
