#include "services/gateway/compression.h"

#include <zlib.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace tokkit::gateway {

std::string Gzip(absl::string_view data) {
  z_stream z{};
  // 15 + 16: a gzip header rather than a zlib one.
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
               Z_DEFAULT_STRATEGY);
  std::string out;
  out.resize(deflateBound(&z, data.size()) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

absl::StatusOr<std::string> Gunzip(absl::string_view data, int64_t max_bytes) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) {
    return absl::InternalError("zlib did not start");
  }
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      return absl::InvalidArgumentError("body is not valid gzip");
    }
    out.append(buf, sizeof buf - z.avail_out);
    if (static_cast<int64_t>(out.size()) > max_bytes) {
      inflateEnd(&z);
      return absl::ResourceExhaustedError(absl::StrCat(
          "body inflates past the limit of ", max_bytes, " bytes"));
    }
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
      inflateEnd(&z);
      return absl::InvalidArgumentError("gzip body is truncated");
    }
  }
  inflateEnd(&z);
  return out;
}

bool AcceptsGzip(absl::string_view accept_encoding) {
  for (absl::string_view part : absl::StrSplit(accept_encoding, ',')) {
    absl::string_view coding =
        absl::StripAsciiWhitespace(part.substr(0, part.find(';')));
    if (!absl::EqualsIgnoreCase(coding, "gzip")) continue;
    // q=0 (or 0.0, ...) refuses it explicitly; a weight we cannot read
    // does not.
    const size_t q = part.find("q=");
    double weight = 1;
    if (q != absl::string_view::npos &&
        absl::SimpleAtod(absl::StripAsciiWhitespace(part.substr(q + 2)),
                         &weight)) {
      return weight > 0;
    }
    return true;
  }
  return false;
}

}  // namespace tokkit::gateway
