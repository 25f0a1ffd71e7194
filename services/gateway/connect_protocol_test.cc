#include "services/gateway/connect_protocol.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "services/gateway/compression.h"
#include "services/gateway/transcoder.h"

namespace tokkit::connect {
namespace {

TEST(ContentType, SelectsCodecAndStreaming) {
  auto json = ParseContentType("application/json; charset=utf-8");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->codec, Codec::kJson);
  EXPECT_FALSE(json->streaming);
  auto proto = ParseContentType("Application/Proto");
  ASSERT_TRUE(proto.ok());
  EXPECT_EQ(proto->codec, Codec::kProto);
  auto stream = ParseContentType("application/connect+json");
  ASSERT_TRUE(stream.ok());
  EXPECT_TRUE(stream->streaming);
  EXPECT_EQ(ContentTypeFor(*stream), "application/connect+json");
  EXPECT_FALSE(ParseContentType("text/plain").ok());
  EXPECT_FALSE(ParseContentType("application/xml").ok());
  EXPECT_FALSE(ParseContentType("").ok());
}

TEST(Codes, NamesAndHttpStatusesFollowTheSpec) {
  EXPECT_EQ(CodeName(absl::StatusCode::kNotFound), "not_found");
  EXPECT_EQ(CodeName(absl::StatusCode::kCancelled), "canceled");
  EXPECT_EQ(CodeFromName("unauthenticated"),
            absl::StatusCode::kUnauthenticated);
  EXPECT_FALSE(CodeFromName("nope").has_value());
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kCancelled), 499);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kDeadlineExceeded), 504);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kFailedPrecondition), 400);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnimplemented), 501);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kDataLoss), 500);
  for (int c = 1; c <= 16; ++c) {
    const auto code = static_cast<absl::StatusCode>(c);
    EXPECT_EQ(CodeFromName(CodeName(code)), code);
  }
}

TEST(Timeout, DigitsOnly) {
  EXPECT_EQ(*ParseTimeoutMs("1500"), absl::Milliseconds(1500));
  EXPECT_FALSE(ParseTimeoutMs("").ok());
  EXPECT_FALSE(ParseTimeoutMs("-5").ok());
  EXPECT_FALSE(ParseTimeoutMs("12345678901").ok());
}

TEST(Envelopes, RoundTripInPiecesAndLimits) {
  const std::string a = EncodeEnvelope(0, "hello");
  const std::string b = EncodeEnvelope(kFlagEndStream, "{}");
  EnvelopeReader reader(100);
  const std::string all = a + b;
  for (char c : all) reader.Append(std::string(1, c));
  auto first = reader.Next();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->data, "hello");
  auto second = reader.Next();
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->flags, kFlagEndStream);
  EXPECT_FALSE(reader.Next()->has_value());
  EXPECT_FALSE(reader.HasPartial());

  EnvelopeReader small(3);
  small.Append(a);
  EXPECT_EQ(small.Next().status().code(), absl::StatusCode::kResourceExhausted);
  EnvelopeReader flags(100);
  flags.Append(EncodeEnvelope(0x80, "x"));
  EXPECT_EQ(flags.Next().status().code(), absl::StatusCode::kInvalidArgument);
  EnvelopeReader partial(100);
  partial.Append(a.substr(0, 7));
  EXPECT_FALSE(partial.Next()->has_value());
  EXPECT_TRUE(partial.HasPartial());
}

TEST(Errors, JsonCarriesReasonAndRequestIdBothWays) {
  ErrorInfo e;
  e.code = absl::StatusCode::kFailedPrecondition;
  e.message = "order is paid";
  e.reason = "ORDER_NOT_PENDING";
  e.request_id = "r-1";
  const std::string json = ErrorJson(e);
  EXPECT_TRUE(absl::StrContains(json, "\"failed_precondition\"")) << json;
  EXPECT_TRUE(absl::StrContains(json, "google.rpc.ErrorInfo")) << json;
  auto back = ParseErrorJson(json);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->code, e.code);
  EXPECT_EQ(back->message, e.message);
  EXPECT_EQ(back->reason, e.reason);
  EXPECT_EQ(back->request_id, e.request_id);
  const std::string end = EndStreamJson(e, {{"x-request-id", "r-1"}});
  EXPECT_TRUE(absl::StrContains(end, "\"error\"")) << end;
  EXPECT_TRUE(absl::StrContains(end, "\"metadata\"")) << end;
  EXPECT_FALSE(absl::StrContains(EndStreamJson(std::nullopt, {}), "error"));
  EXPECT_FALSE(ParseErrorJson("{").ok());
  EXPECT_FALSE(ParseErrorJson(R"({"code":"bogus"})").ok());
}

TEST(Transcoder, FindsOnlyTokkitRpcs) {
  // The descriptors come from whatever protos the process links; none
  // here, so even a well-formed name is unknown.
  EXPECT_EQ(gateway::FindRpc("/grpc.health.v1.Health/Check").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(gateway::FindRpc("tokkit.x/Y").ok());
  EXPECT_FALSE(gateway::FindRpc("/tokkit.x").ok());
}

TEST(Utf8, RejectsWhatIsNotWellFormed) {
  EXPECT_TRUE(gateway::IsValidUtf8("plain"));
  EXPECT_TRUE(gateway::IsValidUtf8(
      "caf\xc3\xa9 \xe6\x8a\x96\xe9\x9f\xb3 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(gateway::IsValidUtf8("\xff"));
  EXPECT_FALSE(gateway::IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(gateway::IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(gateway::IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(gateway::IsValidUtf8("\xe6\x8a"));          // truncated
}

TEST(Gzip, RoundTripAndBombs) {
  const std::string text(100000, 'a');
  auto back = gateway::Gunzip(gateway::Gzip(text), 1 << 20);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, text);
  EXPECT_EQ(gateway::Gunzip(gateway::Gzip(text), 1000).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(gateway::Gunzip("not gzip", 1000).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string zipped = gateway::Gzip(text);
  EXPECT_FALSE(
      gateway::Gunzip(zipped.substr(0, zipped.size() / 2), 1 << 20).ok());
  EXPECT_TRUE(gateway::AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(gateway::AcceptsGzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_FALSE(gateway::AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(gateway::AcceptsGzip("deflate"));
}

}  // namespace
}  // namespace tokkit::connect
