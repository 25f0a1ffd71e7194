#include "lib/store/blob/s3/s3_blob_store.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/core/crypto.h"
#include "lib/core/status_macros.h"

namespace tokkit::s3 {
namespace {

constexpr char kEmptySha256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The text of <tag>...</tag> in an S3 XML answer ("" when absent).
std::string XmlField(absl::string_view xml, absl::string_view tag) {
  const std::string open = absl::StrCat("<", tag, ">");
  const size_t start = xml.find(open);
  if (start == absl::string_view::npos) return "";
  const size_t from = start + open.size();
  const size_t end = xml.find(absl::StrCat("</", tag, ">"), from);
  if (end == absl::string_view::npos) return "";
  return std::string(xml.substr(from, end - from));
}

size_t OnBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* out) {
  absl::string_view line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    (*static_cast<std::map<std::string, std::string>*>(
        out))[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * n;
}

// Stored with the object, so a presigned GET serves the right type to a
// browser or CDN.
const char* ContentTypeOf(absl::string_view path) {
  static constexpr std::pair<const char*, const char*> kTypes[] = {
      {".mp4", "video/mp4"}, {".webm", "video/webm"}, {".jpg", "image/jpeg"},
      {".png", "image/png"}, {".webp", "image/webp"}, {".gif", "image/gif"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (absl::EndsWith(path, ext)) return type;
  }
  return "application/octet-stream";
}

bool Retryable(long status) { return status == 429 || status >= 500; }

class S3Writer : public BlobWriter {
 public:
  S3Writer(S3BlobStore* store, std::string path, int64_t part_bytes)
      : store_(store), path_(std::move(path)), part_bytes_(part_bytes) {}

  ~S3Writer() override {
    if (committed_ || upload_id_.empty()) return;
    // Best effort: a bucket lifecycle rule for incomplete multipart uploads
    // cleans up what a crash leaves.
    (void)store_->Send({"DELETE", path_, {{"uploadId", upload_id_}}, {}, ""});
  }

  absl::Status Append(absl::string_view data) override {
    RETURN_IF_ERROR(failure_);
    if (committed_) return absl::FailedPreconditionError("already committed");
    buffer_.append(data.data(), data.size());
    bytes_ += static_cast<int64_t>(data.size());
    while (static_cast<int64_t>(buffer_.size()) >= part_bytes_) {
      RETURN_IF_ERROR(Remember(
          UploadPart(absl::string_view(buffer_).substr(0, part_bytes_))));
      buffer_.erase(0, part_bytes_);
    }
    return absl::OkStatus();
  }

  absl::Status Commit() override {
    RETURN_IF_ERROR(failure_);
    if (committed_) return absl::FailedPreconditionError("already committed");
    if (upload_id_.empty()) {
      ASSIGN_OR_RETURN(S3BlobStore::Response r,
                       store_->Send({"PUT",
                                     path_,
                                     {},
                                     {{"content-type", ContentTypeOf(path_)}},
                                     buffer_}));
      if (r.status != 200) {
        return Remember(StatusOfS3Error(r.status, r.body, "upload"));
      }
    } else {
      if (!buffer_.empty()) RETURN_IF_ERROR(Remember(UploadPart(buffer_)));
      std::string xml = "<CompleteMultipartUpload>";
      for (size_t i = 0; i < etags_.size(); ++i) {
        absl::StrAppend(&xml, "<Part><PartNumber>", i + 1,
                        "</PartNumber><ETag>", etags_[i], "</ETag></Part>");
      }
      xml += "</CompleteMultipartUpload>";
      ASSIGN_OR_RETURN(
          S3BlobStore::Response r,
          store_->Send({"POST", path_, {{"uploadId", upload_id_}}, {}, xml}));
      // S3 may answer 200 with an error document once the body has begun.
      if (r.status != 200 || absl::StrContains(r.body, "<Error>")) {
        return Remember(StatusOfS3Error(r.status == 200 ? 500 : r.status,
                                        r.body, "complete upload"));
      }
    }
    committed_ = true;
    buffer_.clear();
    return absl::OkStatus();
  }

  int64_t bytes_written() const override { return bytes_; }

 private:
  absl::Status Remember(absl::Status st) {
    if (!st.ok() && failure_.ok()) failure_ = st;
    return st;
  }

  absl::Status UploadPart(absl::string_view part) {
    if (upload_id_.empty()) {
      ASSIGN_OR_RETURN(S3BlobStore::Response r,
                       store_->Send({"POST",
                                     path_,
                                     {{"uploads", ""}},
                                     {{"content-type", ContentTypeOf(path_)}},
                                     ""}));
      if (r.status != 200) {
        return StatusOfS3Error(r.status, r.body, "start upload");
      }
      upload_id_ = XmlField(r.body, "UploadId");
      if (upload_id_.empty()) {
        return absl::UnavailableError("S3 answered without an upload id");
      }
    }
    ASSIGN_OR_RETURN(
        S3BlobStore::Response r,
        store_->Send({"PUT",
                      path_,
                      {{"partNumber", absl::StrCat(etags_.size() + 1)},
                       {"uploadId", upload_id_}},
                      {},
                      part}));
    if (r.status != 200)
      return StatusOfS3Error(r.status, r.body, "upload part");
    etags_.push_back(r.headers["etag"]);
    return absl::OkStatus();
  }

  S3BlobStore* const store_;
  const std::string path_;
  const int64_t part_bytes_;
  std::string buffer_;
  int64_t bytes_ = 0;
  std::string upload_id_;
  std::vector<std::string> etags_;
  bool committed_ = false;
  absl::Status failure_;
};

}  // namespace

absl::Status StatusOfS3Error(long http_status, absl::string_view body,
                             absl::string_view what) {
  std::string code = XmlField(body, "Code");
  const std::string detail =
      absl::StrCat("S3 ", what, " failed: HTTP ", http_status,
                   code.empty() ? "" : absl::StrCat(" ", code));
  if (http_status == 404) return absl::NotFoundError(detail);
  if (http_status == 403) {
    return absl::PermissionDeniedError(
        absl::StrCat(detail,
                     " (check the access key, secret and bucket "
                     "policy)"));
  }
  if (Retryable(http_status)) return absl::UnavailableError(detail);
  return absl::FailedPreconditionError(detail);
}

absl::StatusOr<S3Options> ParseS3Url(const std::string& url,
                                     std::string access_key,
                                     std::string secret_key) {
  absl::string_view rest = url;
  const auto bad = [](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "blob URL: ", why,
        " (expected s3://<bucket>[/<prefix>]?endpoint=<http(s)://host[:port]>"
        "[&region=<region>])"));
  };
  if (!absl::ConsumePrefix(&rest, "s3://")) return bad("not an s3:// URL");
  S3Options o;
  absl::string_view query;
  if (size_t q = rest.find('?'); q != absl::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  const size_t slash = rest.find('/');
  o.bucket = std::string(rest.substr(0, slash));
  if (slash != absl::string_view::npos) {
    o.prefix = std::string(absl::StripSuffix(rest.substr(slash + 1), "/"));
    if (!o.prefix.empty()) o.prefix += "/";
  }
  if (o.bucket.size() < 3 || o.bucket.size() > 63 ||
      o.bucket.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") !=
          std::string::npos) {
    return bad("the bucket name must be 3-63 of a-z 0-9 . -");
  }
  if (!o.prefix.empty() &&
      !ValidateBlobKey(o.prefix.substr(0, o.prefix.size() - 1)).ok()) {
    return bad("the prefix must be path segments of A-Z a-z 0-9 . _ -");
  }
  for (absl::string_view kv : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<std::string, std::string> p = absl::StrSplit(kv, '=');
    if (p.first == "endpoint") {
      o.endpoint = p.second;
    } else if (p.first == "region") {
      o.credentials.region = p.second;
    } else {
      return bad(absl::StrCat("unknown option '", p.first, "'"));
    }
  }
  absl::string_view endpoint = o.endpoint;
  if (!absl::ConsumePrefix(&endpoint, "http://") &&
      !absl::ConsumePrefix(&endpoint, "https://")) {
    return bad("endpoint must be an http:// or https:// address");
  }
  if (endpoint.empty() || absl::StrContains(endpoint, '/') ||
      absl::StrContains(endpoint, '@')) {
    return bad("endpoint must be scheme://host[:port] with no path");
  }
  if (access_key.empty() || secret_key.empty()) {
    return absl::InvalidArgumentError(
        "S3 credentials are missing: set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY or --blob_credentials_file");
  }
  o.credentials.access_key = std::move(access_key);
  o.credentials.secret_key = std::move(secret_key);
  return o;
}

S3BlobStore::S3BlobStore(S3Options options) : options_(std::move(options)) {
  absl::string_view e = options_.endpoint;
  if (!absl::ConsumePrefix(&e, "https://")) absl::ConsumePrefix(&e, "http://");
  host_ = std::string(e);
}

S3BlobStore::~S3BlobStore() {
  absl::MutexLock lock(&mu_);
  for (void* h : handles_) curl_easy_cleanup(static_cast<CURL*>(h));
}

absl::StatusOr<std::unique_ptr<S3BlobStore>> S3BlobStore::Open(
    S3Options options) {
  GlobalInit();
  std::unique_ptr<S3BlobStore> store(new S3BlobStore(std::move(options)));
  ASSIGN_OR_RETURN(
      Response r,
      store->Send({"HEAD", "/" + store->options_.bucket, {}, {}, ""}));
  if (r.status != 200) {
    return StatusOfS3Error(
        r.status, r.body,
        absl::StrCat("bucket check of '", store->options_.bucket, "'"));
  }
  return store;
}

absl::Status S3BlobStore::CreateBucket(const S3Options& options) {
  GlobalInit();
  S3BlobStore store(options);
  ASSIGN_OR_RETURN(Response r,
                   store.Send({"PUT", "/" + options.bucket, {}, {}, ""}));
  if (r.status == 200 || XmlField(r.body, "Code") == "BucketAlreadyOwnedByYou")
    return absl::OkStatus();
  return StatusOfS3Error(r.status, r.body, "create bucket");
}

std::string S3BlobStore::PathOf(absl::string_view key) const {
  return absl::StrCat("/", options_.bucket, "/", options_.prefix, key);
}

void* S3BlobStore::TakeHandle() {
  {
    absl::MutexLock lock(&mu_);
    if (!handles_.empty()) {
      void* h = handles_.back();
      handles_.pop_back();
      curl_easy_reset(static_cast<CURL*>(h));  // keeps its connections
      return h;
    }
  }
  return curl_easy_init();
}

void S3BlobStore::ReturnHandle(void* handle) {
  absl::MutexLock lock(&mu_);
  if (handles_.size() < 64) {
    handles_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

absl::StatusOr<S3BlobStore::Response> S3BlobStore::Send(
    const Request& request) {
  absl::Duration backoff = absl::Milliseconds(100);
  absl::StatusOr<Response> r;
  for (int attempt = 1;; ++attempt) {
    r = SendOnce(request);
    const bool again =
        !r.ok() ? absl::IsUnavailable(r.status()) : Retryable(r->status);
    if (!again || attempt >= options_.max_attempts) break;
    absl::SleepFor(backoff);
    backoff *= 2;
  }
  return r;
}

absl::StatusOr<S3BlobStore::Response> S3BlobStore::SendOnce(
    const Request& request) {
  RequestToSign sign;
  sign.method = request.method;
  sign.host = host_;
  sign.path = request.path;
  sign.query = request.query;
  sign.headers = request.headers;
  sign.payload_sha256 =
      request.body.empty() ? kEmptySha256 : Sha256Hex(request.body);
  std::map<std::string, std::string> headers = request.headers;
  for (auto& [k, v] : SignHeaders(sign, options_.credentials, absl::Now())) {
    headers[k] = v;
  }
  std::string url =
      absl::StrCat(options_.endpoint, UriEncode(request.path, true));
  if (!request.query.empty()) {
    url += '?';
    for (size_t i = 0; i < request.query.size(); ++i) {
      const auto& [k, v] = request.query[i];
      absl::StrAppend(&url, i == 0 ? "" : "&", UriEncode(k, false),
                      v.empty() ? "" : "=", UriEncode(v, false));
    }
  }

  CURL* curl = static_cast<CURL*>(TakeHandle());
  if (curl == nullptr) return absl::ResourceExhaustedError("curl_easy_init");
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) {
    list = curl_slist_append(list, absl::StrCat(k, ": ", v).c_str());
  }
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  if (headers.count("content-type") == 0) {
    // Not curl's form-encoded default for a body.
    list = curl_slist_append(list, "Content-Type: application/octet-stream");
  }
  Response response;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(
      curl, CURLOPT_CONNECTTIMEOUT_MS,
      static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(
      curl, CURLOPT_TIMEOUT_MS,
      static_cast<long>(absl::ToInt64Milliseconds(options_.request_timeout)));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT" || request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_slist_free_all(list);
  ReturnHandle(curl);
  if (code != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat(
        "S3 endpoint ", options_.endpoint, ": ", curl_easy_strerror(code)));
  }
  return response;
}

absl::StatusOr<std::unique_ptr<BlobWriter>> S3BlobStore::NewWriter(
    absl::string_view key) {
  RETURN_IF_ERROR(ValidateBlobKey(key));
  return std::unique_ptr<BlobWriter>(
      new S3Writer(this, PathOf(key),
                   std::max<int64_t>(options_.part_bytes, int64_t{5} << 20)));
}

absl::StatusOr<std::string> S3BlobStore::ReadRange(absl::string_view key,
                                                   int64_t offset,
                                                   int64_t length) {
  RETURN_IF_ERROR(ValidateBlobKey(key));
  if (offset < 0) return absl::InvalidArgumentError("negative offset");
  auto at_end = [&]() -> absl::StatusOr<std::string> {
    ASSIGN_OR_RETURN(int64_t size, Size(key));
    if (offset > size) {
      return absl::OutOfRangeError(
          absl::StrCat("offset ", offset, " is past the end (", size, ")"));
    }
    if (offset == size || length == 0) return std::string();
    return absl::UnavailableError("S3 refused a range inside the object");
  };
  if (length == 0) return at_end();
  // The whole blob without a Range header: some servers mis-serve a range
  // of an empty object.
  std::map<std::string, std::string> headers;
  if (offset > 0 || length >= 0) {
    headers["range"] =
        length < 0 ? absl::StrCat("bytes=", offset, "-")
                   : absl::StrCat("bytes=", offset, "-", offset + length - 1);
  }
  ASSIGN_OR_RETURN(Response r, Send({"GET", PathOf(key), {}, headers, ""}));
  if (r.status == 200 || r.status == 206) return std::move(r.body);
  if (r.status == 416) return at_end();
  if (r.status == 404) {
    return absl::NotFoundError(absl::StrCat("blob '", key, "' not found"));
  }
  return StatusOfS3Error(r.status, r.body, "read");
}

absl::StatusOr<int64_t> S3BlobStore::Size(absl::string_view key) {
  RETURN_IF_ERROR(ValidateBlobKey(key));
  ASSIGN_OR_RETURN(Response r, Send({"HEAD", PathOf(key), {}, {}, ""}));
  if (r.status == 404) {
    return absl::NotFoundError(absl::StrCat("blob '", key, "' not found"));
  }
  if (r.status != 200) return StatusOfS3Error(r.status, r.body, "stat");
  int64_t size = 0;
  if (!absl::SimpleAtoi(r.headers["content-length"], &size)) {
    return absl::UnavailableError("S3 answered without a content length");
  }
  return size;
}

absl::Status S3BlobStore::Delete(absl::string_view key) {
  RETURN_IF_ERROR(ValidateBlobKey(key));
  ASSIGN_OR_RETURN(Response r, Send({"DELETE", PathOf(key), {}, {}, ""}));
  if (r.status == 200 || r.status == 204 || r.status == 404) {
    return absl::OkStatus();
  }
  return StatusOfS3Error(r.status, r.body, "delete");
}

absl::StatusOr<std::string> S3BlobStore::SignedReadUrl(absl::string_view key,
                                                       absl::Duration ttl) {
  RETURN_IF_ERROR(ValidateBlobKey(key));
  RequestToSign r;
  r.method = "GET";
  r.host = host_;
  r.path = PathOf(key);
  return absl::StrCat(options_.endpoint, UriEncode(r.path, true), "?",
                      PresignQuery(r, options_.credentials, absl::Now(), ttl));
}

}  // namespace tokkit::s3
