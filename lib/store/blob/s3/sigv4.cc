#include "lib/store/blob/s3/sigv4.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "lib/core/crypto.h"

namespace tokkit::s3 {
namespace {

std::string AmzDate(absl::Time t) {
  return absl::FormatTime("%Y%m%dT%H%M%SZ", t, absl::UTCTimeZone());
}
std::string ShortDate(absl::Time t) {
  return absl::FormatTime("%Y%m%d", t, absl::UTCTimeZone());
}
std::string Scope(const Credentials& c, absl::Time t) {
  return absl::StrCat(ShortDate(t), "/", c.region, "/", c.service,
                      "/aws4_request");
}

}  // namespace

std::string UriEncode(absl::string_view in, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (unsigned char c : in) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' ||
        c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string CanonicalRequest(const RequestToSign& r,
                             std::string* signed_headers) {
  std::vector<std::pair<std::string, std::string>> query;
  for (const auto& [k, v] : r.query) {
    query.push_back({UriEncode(k, false), UriEncode(v, false)});
  }
  std::sort(query.begin(), query.end());
  std::vector<std::string> query_parts;
  query_parts.reserve(query.size());
  for (const auto& [k, v] : query)
    query_parts.push_back(absl::StrCat(k, "=", v));

  std::map<std::string, std::string> headers;
  headers["host"] = r.host;
  for (const auto& [k, v] : r.headers) {
    headers[absl::AsciiStrToLower(k)] =
        std::string(absl::StripAsciiWhitespace(v));
  }
  std::string canonical_headers;
  std::vector<std::string> names;
  for (const auto& [k, v] : headers) {
    absl::StrAppend(&canonical_headers, k, ":", v, "\n");
    names.push_back(k);
  }
  *signed_headers = absl::StrJoin(names, ";");
  return absl::StrCat(r.method, "\n", UriEncode(r.path, true), "\n",
                      absl::StrJoin(query_parts, "&"), "\n", canonical_headers,
                      "\n", *signed_headers, "\n", r.payload_sha256);
}

std::string Signature(const std::string& canonical_request,
                      const Credentials& c, absl::Time now) {
  const std::string string_to_sign =
      absl::StrCat("AWS4-HMAC-SHA256\n", AmzDate(now), "\n", Scope(c, now),
                   "\n", Sha256Hex(canonical_request));
  std::string key =
      HmacSha256(absl::StrCat("AWS4", c.secret_key), ShortDate(now));
  key = HmacSha256(key, c.region);
  key = HmacSha256(key, c.service);
  key = HmacSha256(key, "aws4_request");
  return HexEncode(HmacSha256(key, string_to_sign));
}

std::map<std::string, std::string> SignHeaders(const RequestToSign& request,
                                               const Credentials& c,
                                               absl::Time now) {
  RequestToSign r = request;
  r.headers["x-amz-date"] = AmzDate(now);
  r.headers["x-amz-content-sha256"] = r.payload_sha256;
  std::string signed_headers;
  const std::string canonical = CanonicalRequest(r, &signed_headers);
  std::map<std::string, std::string> out;
  out["x-amz-date"] = r.headers["x-amz-date"];
  out["x-amz-content-sha256"] = r.payload_sha256;
  out["Authorization"] =
      absl::StrCat("AWS4-HMAC-SHA256 Credential=", c.access_key, "/",
                   Scope(c, now), ",SignedHeaders=", signed_headers,
                   ",Signature=", Signature(canonical, c, now));
  return out;
}

std::string PresignQuery(const RequestToSign& request, const Credentials& c,
                         absl::Time now, absl::Duration expires) {
  const int64_t seconds = std::clamp<int64_t>(absl::ToInt64Seconds(expires), 1,
                                              int64_t{7} * 24 * 3600);
  RequestToSign r = request;
  r.payload_sha256 = "UNSIGNED-PAYLOAD";
  r.query.push_back({"X-Amz-Algorithm", "AWS4-HMAC-SHA256"});
  r.query.push_back(
      {"X-Amz-Credential", absl::StrCat(c.access_key, "/", Scope(c, now))});
  r.query.push_back({"X-Amz-Date", AmzDate(now)});
  r.query.push_back({"X-Amz-Expires", absl::StrCat(seconds)});
  std::string signed_headers;
  {
    // The signed-headers list is part of what is signed: compute it first.
    std::string probe;
    CanonicalRequest(r, &probe);
    signed_headers = probe;
  }
  r.query.push_back({"X-Amz-SignedHeaders", signed_headers});
  std::string unused;
  const std::string signature = Signature(CanonicalRequest(r, &unused), c, now);
  std::vector<std::pair<std::string, std::string>> query = r.query;
  query.push_back({"X-Amz-Signature", signature});
  std::vector<std::string> parts;
  parts.reserve(query.size());
  for (const auto& [k, v] : query) {
    parts.push_back(
        absl::StrCat(UriEncode(k, false), "=", UriEncode(v, false)));
  }
  return absl::StrJoin(parts, "&");
}

}  // namespace tokkit::s3
