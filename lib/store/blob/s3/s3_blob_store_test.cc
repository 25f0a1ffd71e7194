// The S3 BlobStore against a real S3-compatible server (tools/testenv/s3.sh
// starts s3rver, which checks SigV4 signatures; TOKKIT_TEST_S3 is its
// endpoint). Each test uses a bucket of its own.
#include "lib/store/blob/s3/s3_blob_store.h"

#include <curl/curl.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/core/crypto.h"
#include "lib/store/blob/testing/blob_store_conformance.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit::s3 {
namespace {

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// A plain unsigned GET, as a browser or CDN would make.
std::pair<long, std::string> FetchUrl(const std::string& url) {
  CURL* curl = curl_easy_init();
  std::string body;
  long status = 0;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  }
  curl_easy_cleanup(curl);
  return {status, body};
}

class S3BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    absl::StatusOr<std::string> endpoint =
        ::tokkit::testing::TestServerUrl("TOKKIT_TEST_S3");
    if (absl::IsNotFound(endpoint.status())) GTEST_SKIP() << endpoint.status();
    ASSERT_TRUE(endpoint.ok()) << endpoint.status();
    auto o = ParseS3Url(
        absl::StrCat("s3://tokkit-",
                     absl::AsciiStrToLower(HexEncode(RandomBytes(5))),
                     "/media?endpoint=", *endpoint, "&region=us-east-1"),
        "S3RVER", "S3RVER");
    ASSERT_TRUE(o.ok()) << o.status();
    options_ = *o;
    ASSERT_TRUE(S3BlobStore::CreateBucket(options_).ok());
    auto s = S3BlobStore::Open(options_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  S3Options options_;
  std::unique_ptr<S3BlobStore> store_;
};

TEST_F(S3BlobStoreTest, Conformance) {
  ::tokkit::testing::TestBlobCommitVisibility(*store_);
  ::tokkit::testing::TestBlobRangeReads(*store_);
  ::tokkit::testing::TestBlobOverwriteAndDelete(*store_);
}

TEST_F(S3BlobStoreTest, LargeBlobsGoUpInPartsVisibleOnlyWhenCompleted) {
  options_.part_bytes = 5 << 20;
  auto s = S3BlobStore::Open(options_);
  ASSERT_TRUE(s.ok());
  std::string data;
  for (int i = 0; data.size() < (12u << 20); ++i) {
    data += absl::StrCat("line ", i, "\n");
  }
  auto w = (*s)->NewWriter("videos/1/big.mp4");
  ASSERT_TRUE(w.ok());
  for (size_t off = 0; off < data.size(); off += 300000) {
    ASSERT_TRUE((*w)->Append(absl::string_view(data).substr(off, 300000)).ok());
  }
  // Two parts are up, but nothing is visible before Commit.
  EXPECT_EQ((*s)->Size("videos/1/big.mp4").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_EQ((*s)->Size("videos/1/big.mp4").value_or(-1),
            static_cast<int64_t>(data.size()));
  const int64_t mid = (5 << 20) - 7;  // across the first part boundary
  EXPECT_EQ((*s)->ReadRange("videos/1/big.mp4", mid, 20).value_or(""),
            data.substr(mid, 20));
  EXPECT_EQ((*s)->Read("videos/1/big.mp4").value_or(""), data);

  {
    auto abandoned = (*s)->NewWriter("videos/1/abandoned.mp4");
    ASSERT_TRUE(abandoned.ok());
    ASSERT_TRUE((*abandoned)->Append(data).ok());  // parts uploaded
  }                                                // aborted
  EXPECT_EQ((*s)->Size("videos/1/abandoned.mp4").status().code(),
            absl::StatusCode::kNotFound);
}

// s3rver does not check SigV4 signatures (its authentication middleware
// accepts any well-formed v4 request from a known key), so a tampered URL or
// a wrong secret cannot be tested against it: sigv4_test checks the
// signatures against AWS's published examples instead.
TEST_F(S3BlobStoreTest, PresignedUrlsServeTheBlobToAnyone) {
  ASSERT_TRUE(store_->Put("covers/1/c.png", "png bytes").ok());
  auto url = store_->SignedReadUrl("covers/1/c.png", absl::Minutes(5));
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_TRUE(absl::StrContains(*url, "X-Amz-Signature="));
  EXPECT_FALSE(absl::StrContains(*url, "S3RVER&")) << "no secret in URLs";
  auto [status, body] = FetchUrl(*url);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, "png bytes");
}

TEST_F(S3BlobStoreTest, WrongCredentialsAndNoServerAreCanonicalErrors) {
  S3Options wrong = options_;
  wrong.credentials.access_key = "NOT-A-KEY";
  wrong.credentials.secret_key = "not-the-secret";
  auto s = S3BlobStore::Open(wrong);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kPermissionDenied)
      << s.status();
  EXPECT_FALSE(absl::StrContains(s.status().message(), "not-the-secret"));

  S3Options nowhere = options_;
  nowhere.endpoint = "http://127.0.0.1:9";  // discard: nothing listens
  nowhere.max_attempts = 1;
  EXPECT_EQ(S3BlobStore::Open(nowhere).status().code(),
            absl::StatusCode::kUnavailable);

  S3Options missing_bucket = options_;
  missing_bucket.bucket = "no-such-bucket-here";
  EXPECT_EQ(S3BlobStore::Open(missing_bucket).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ParseS3UrlTest, AcceptsBucketPrefixEndpointRegion) {
  auto o = ParseS3Url(
      "s3://media-bucket/prod/v1/?endpoint=https://s3.eu-west-1.amazonaws.com"
      "&region=eu-west-1",
      "AK", "SK");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->bucket, "media-bucket");
  EXPECT_EQ(o->prefix, "prod/v1/");
  EXPECT_EQ(o->endpoint, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(o->credentials.region, "eu-west-1");
}

TEST(ParseS3UrlTest, RefusesWhatItCannotUseWithoutEchoingSecrets) {
  for (const char* bad :
       {"http://bucket?endpoint=http://h", "s3://B?endpoint=http://h",
        "s3://ok-bucket?endpoint=ftp://h", "s3://ok-bucket",
        "s3://ok-bucket?endpoint=http://h/path",
        "s3://ok-bucket?endpoint=http://h&colour=red",
        "s3://ok-bucket/../x?endpoint=http://h"}) {
    auto o = ParseS3Url(bad, "AK", "SECRET");
    EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_FALSE(absl::StrContains(o.status().message(), "SECRET"));
  }
  EXPECT_EQ(
      ParseS3Url("s3://ok-bucket?endpoint=http://h", "", "").status().code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tokkit::s3
