// SigV4 against AWS's published S3 examples (sig-v4-header-based-auth.html
// and sigv4-query-string-auth.html): the same inputs must give the same
// signatures, byte for byte.
#include "lib/store/blob/s3/sigv4.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace tokkit::s3 {
namespace {

const absl::Time kWhen = absl::FromCivil(
    absl::CivilSecond(2013, 5, 24, 0, 0, 0), absl::UTCTimeZone());
constexpr char kEmptySha[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Credentials Example() {
  Credentials c;
  c.access_key = "AKIAIOSFODNN7EXAMPLE";
  c.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  return c;
}

TEST(SigV4, HeaderSignatureOfAwsGetObjectExample) {
  RequestToSign r;
  r.method = "GET";
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = "/test.txt";
  r.headers["Range"] = "bytes=0-9";
  r.payload_sha256 = kEmptySha;
  const auto headers = SignHeaders(r, Example(), kWhen);
  EXPECT_EQ(headers.at("x-amz-date"), "20130524T000000Z");
  EXPECT_EQ(headers.at("Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
            "us-east-1/s3/aws4_request,SignedHeaders=host;range;"
            "x-amz-content-sha256;x-amz-date,Signature="
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, HeaderSignatureOfAwsPutObjectExample) {
  RequestToSign r;
  r.method = "PUT";
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = "/test$file.text";
  r.headers["Date"] = "Fri, 24 May 2013 00:00:00 GMT";
  r.headers["x-amz-storage-class"] = "REDUCED_REDUNDANCY";
  r.payload_sha256 =
      "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
  const auto headers = SignHeaders(r, Example(), kWhen);
  EXPECT_TRUE(absl::EndsWith(
      headers.at("Authorization"),
      "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;"
      "x-amz-storage-class,Signature="
      "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"))
      << headers.at("Authorization");
}

TEST(SigV4, PresignedUrlOfAwsExample) {
  RequestToSign r;
  r.method = "GET";
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = "/test.txt";
  const std::string q = PresignQuery(r, Example(), kWhen, absl::Hours(24));
  EXPECT_TRUE(absl::StrContains(
      q,
      "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
      "aws4_request"))
      << q;
  EXPECT_TRUE(absl::StrContains(q, "X-Amz-Expires=86400"));
  EXPECT_TRUE(absl::StrContains(q, "X-Amz-SignedHeaders=host"));
  EXPECT_TRUE(absl::EndsWith(
      q,
      "X-Amz-Signature="
      "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"))
      << q;
}

TEST(SigV4, UriEncodingKeepsOnlyUnreservedBytes) {
  EXPECT_EQ(UriEncode("a b/c~d_e.f-g", true), "a%20b/c~d_e.f-g");
  EXPECT_EQ(UriEncode("a/b+c=d", false), "a%2Fb%2Bc%3Dd");
  EXPECT_EQ(UriEncode("\xc3\xa9", false), "%C3%A9");
}

TEST(SigV4, PresignedExpiryIsClampedToSevenDays) {
  RequestToSign r{"GET", "h", "/k", {}, {}, ""};
  EXPECT_TRUE(
      absl::StrContains(PresignQuery(r, Example(), kWhen, absl::Hours(24 * 30)),
                        "X-Amz-Expires=604800"));
  EXPECT_TRUE(
      absl::StrContains(PresignQuery(r, Example(), kWhen, absl::ZeroDuration()),
                        "X-Amz-Expires=1&"));
}

}  // namespace
}  // namespace tokkit::s3
