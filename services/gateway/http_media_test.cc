#include "services/gateway/http_media.h"

#include "gtest/gtest.h"
#include "services/gateway/rate_limiter.h"

namespace tokkit::gateway {
namespace {

TEST(Range, SingleRangesAndTheirEdges) {
  auto r = SelectRange("bytes=0-99", 1000);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->first, 0);
  EXPECT_EQ((*r)->last, 99);
  EXPECT_EQ((**SelectRange("bytes=900-", 1000)).length(), 100);
  EXPECT_EQ((**SelectRange("bytes=990-5000", 1000)).last, 999);
  EXPECT_EQ((**SelectRange("bytes=-100", 1000)).first, 900);
  EXPECT_EQ((**SelectRange("bytes=-5000", 1000)).first, 0);
  EXPECT_EQ((**SelectRange(" bytes=5-5 ", 1000)).length(), 1);
}

TEST(Range, IgnoredOrUnsatisfiable) {
  EXPECT_FALSE(SelectRange("", 1000)->has_value());
  EXPECT_FALSE(SelectRange("items=0-5", 1000)->has_value());
  EXPECT_FALSE(SelectRange("bytes=5-1", 1000)->has_value());
  EXPECT_FALSE(SelectRange("bytes=a-b", 1000)->has_value());
  EXPECT_FALSE(SelectRange("bytes=0-1,5-9", 1000)->has_value());
  EXPECT_FALSE(SelectRange("bytes=99999999999999999999-", 1000)->has_value());
  EXPECT_EQ(SelectRange("bytes=1000-", 1000).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(SelectRange("bytes=-0", 1000).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(SelectRange("bytes=0-", 0).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(Validators, IfNoneMatch) {
  EXPECT_TRUE(IfNoneMatchHits("\"abc\"", "\"abc\""));
  EXPECT_TRUE(IfNoneMatchHits("\"x\", W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(IfNoneMatchHits("*", "\"abc\""));
  EXPECT_FALSE(IfNoneMatchHits("\"abd\"", "\"abc\""));
  EXPECT_EQ(HttpDate(absl::FromUnixSeconds(784111777)),
            "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(SignedUrls, VerifyPathExpiryAndSignature) {
  MediaUrlSigner signer("0123456789abcdef0123456789abcdef");
  const absl::Time now = absl::FromUnixSeconds(1800000000);
  const std::string url =
      signer.Sign("/media/v1/videos/7", now + absl::Minutes(10));
  const std::string query = url.substr(url.find('?') + 1);
  EXPECT_TRUE(signer.Verify("/media/v1/videos/7", query, now).ok());
  EXPECT_FALSE(signer.Verify("/media/v1/videos/8", query, now).ok());
  EXPECT_FALSE(
      signer.Verify("/media/v1/videos/7", query, now + absl::Hours(1)).ok());
  EXPECT_FALSE(signer.Verify("/media/v1/videos/7", "", now).ok());
  MediaUrlSigner other("another key, another signature...");
  EXPECT_FALSE(other.Verify("/media/v1/videos/7", query, now).ok());
  EXPECT_EQ(QueryParam("a=1&b=2", "b"), "2");
  EXPECT_FALSE(QueryParam("a=1", "b").has_value());
}

TEST(TokenBucket, BurstThenRate) {
  TokenBucket bucket;
  const RateLimit limit{2, 4};
  absl::Time t = absl::FromUnixSeconds(1000);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(TakeToken(bucket, limit, t).allowed);
  RateDecision no = TakeToken(bucket, limit, t);
  EXPECT_FALSE(no.allowed);
  EXPECT_EQ(no.retry_after, absl::Milliseconds(500));
  t += absl::Milliseconds(500);
  EXPECT_TRUE(TakeToken(bucket, limit, t).allowed);
  EXPECT_FALSE(TakeToken(bucket, limit, t).allowed);
  t += absl::Hours(1);  // refills only up to the burst
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(TakeToken(bucket, limit, t).allowed);
  EXPECT_FALSE(TakeToken(bucket, limit, t).allowed);
  EXPECT_TRUE(TakeToken(bucket, RateLimit{}, t).allowed);  // unlimited
}

TEST(SameOrigin, SchemeAndHostMustMatchTheHostHeader) {
  EXPECT_TRUE(IsSameOrigin("http://127.0.0.1:8080", "127.0.0.1:8080"));
  EXPECT_TRUE(IsSameOrigin("https://Shop.Example", "shop.example"));
  EXPECT_FALSE(IsSameOrigin("http://127.0.0.1:8081", "127.0.0.1:8080"));
  EXPECT_FALSE(IsSameOrigin("http://evil.example", "shop.example"));
  EXPECT_FALSE(IsSameOrigin("http://shop.example.evil", "shop.example"));
  EXPECT_FALSE(IsSameOrigin("null", "null"));
  EXPECT_FALSE(IsSameOrigin("ftp://shop.example", "shop.example"));
  EXPECT_FALSE(IsSameOrigin("http://", ""));
}

}  // namespace
}  // namespace tokkit::gateway
