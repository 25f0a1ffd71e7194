// AWS Signature Version 4 for S3 requests: pure functions (no clock, no
// network), checked against AWS's published examples.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html
#ifndef TOKKIT_LIB_STORE_BLOB_S3_SIGV4_H_
#define TOKKIT_LIB_STORE_BLOB_S3_SIGV4_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tokkit::s3 {

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string region = "us-east-1";
  std::string service = "s3";
};

// What a signature covers. `path` is the raw path ("/bucket/key"); it is
// percent-encoded here. Header names may be in any case.
struct RequestToSign {
  std::string method;
  std::string host;  // with ":port" when not the scheme's default
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;  // raw values
  std::map<std::string, std::string> headers;  // beside host and x-amz-*
  std::string payload_sha256;                  // hex, or "UNSIGNED-PAYLOAD"
};

// RFC 3986 percent-encoding as SigV4 wants it: every byte but A-Z a-z 0-9
// - _ . ~ (and '/' when `keep_slash`).
std::string UriEncode(absl::string_view in, bool keep_slash);

// The headers to send: x-amz-date, x-amz-content-sha256 and Authorization.
std::map<std::string, std::string> SignHeaders(const RequestToSign& request,
                                               const Credentials& credentials,
                                               absl::Time now);

// The query string (without '?') of a presigned URL valid for `expires`
// (1 s to 7 days): anyone holding the URL may make that one request.
std::string PresignQuery(const RequestToSign& request,
                         const Credentials& credentials, absl::Time now,
                         absl::Duration expires);

// Exposed for tests: the canonical request and the signature of a request
// whose x-amz-* headers are already in `request.headers`.
std::string CanonicalRequest(const RequestToSign& request,
                             std::string* signed_headers);
std::string Signature(const std::string& canonical_request,
                      const Credentials& credentials, absl::Time now);

}  // namespace tokkit::s3

#endif  // TOKKIT_LIB_STORE_BLOB_S3_SIGV4_H_
