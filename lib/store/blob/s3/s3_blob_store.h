// BlobStore on an S3-compatible object store (AWS S3, MinIO, Ceph RGW,
// Cloudflare R2, Garage, ...), so every replica reads what any replica
// wrote and clients can fetch media straight from storage through presigned
// URLs. Requests are signed with SigV4 (sigv4.h) and sent with libcurl,
// path-style (<endpoint>/<bucket>/<key>), with connections reused.
//
// A writer buffers one part (8 MiB by default): a smaller blob is one PUT at
// Commit; a larger one is a multipart upload whose parts go up as they fill
// and which becomes visible only when completed at Commit (an abandoned
// writer aborts it). Reads are ranged GETs. Network errors, 429 and 5xx are
// retried with backoff; other refusals map to canonical codes with S3's
// error code, never the credentials.
#ifndef TOKKIT_LIB_STORE_BLOB_S3_S3_BLOB_STORE_H_
#define TOKKIT_LIB_STORE_BLOB_S3_S3_BLOB_STORE_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/store/blob/blob_store.h"
#include "lib/store/blob/s3/sigv4.h"

namespace tokkit::s3 {

struct S3Options {
  std::string endpoint;  // "http://127.0.0.1:9000", "https://s3.amazonaws.com"
  std::string bucket;
  std::string prefix;  // stored keys are <prefix><key>
  Credentials credentials;
  int64_t part_bytes = int64_t{8} << 20;  // S3's minimum part is 5 MiB
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration request_timeout = absl::Seconds(60);
  int max_attempts = 3;
};

// s3://<bucket>[/<prefix>]?endpoint=<http(s)://host[:port]>[&region=<r>].
// The credentials are not part of the URL (URLs end up in logs): they come
// from `access_key`/`secret_key`.
absl::StatusOr<S3Options> ParseS3Url(const std::string& url,
                                     std::string access_key,
                                     std::string secret_key);

class S3BlobStore : public BlobStore {
 public:
  // Checks that the bucket answers with these credentials.
  static absl::StatusOr<std::unique_ptr<S3BlobStore>> Open(S3Options options);
  ~S3BlobStore() override;

  absl::StatusOr<std::unique_ptr<BlobWriter>> NewWriter(
      absl::string_view key) override;
  absl::StatusOr<std::string> ReadRange(absl::string_view key, int64_t offset,
                                        int64_t length) override;
  absl::StatusOr<int64_t> Size(absl::string_view key) override;
  absl::Status Delete(absl::string_view key) override;
  absl::StatusOr<std::string> SignedReadUrl(absl::string_view key,
                                            absl::Duration ttl) override;

  // Creates the bucket (tests, first setup); OK when it exists and is ours.
  static absl::Status CreateBucket(const S3Options& options);

  struct Response {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
  };
  struct Request {
    std::string method;
    std::string path;  // raw, "/bucket/key"
    std::vector<std::pair<std::string, std::string>> query;
    std::map<std::string, std::string> headers;
    absl::string_view body;
  };
  // Signs and sends, retrying network errors, 429 and 5xx.
  absl::StatusOr<Response> Send(const Request& request);
  std::string PathOf(absl::string_view key) const;

 private:
  explicit S3BlobStore(S3Options options);
  absl::StatusOr<Response> SendOnce(const Request& request);
  void* TakeHandle();
  void ReturnHandle(void* handle);

  const S3Options options_;
  std::string host_;  // "host[:port]" as signed
  absl::Mutex mu_;
  std::vector<void*> handles_ ABSL_GUARDED_BY(mu_);  // idle CURL easy handles
};

// The canonical status for an S3 answer that is not a success: NOT_FOUND,
// PERMISSION_DENIED, UNAVAILABLE (429, 5xx), FAILED_PRECONDITION otherwise,
// with S3's error code from the XML body.
absl::Status StatusOfS3Error(long http_status, absl::string_view body,
                             absl::string_view what);

}  // namespace tokkit::s3

#endif  // TOKKIT_LIB_STORE_BLOB_S3_S3_BLOB_STORE_H_
