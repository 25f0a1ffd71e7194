// The HTTP gateway end to end: a real Platform on every backend, the gRPC
// services, the gateway on a loopback port, and HTTP / WebSocket clients.
#include "services/gateway/gateway.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/core/crypto.h"
#include "lib/core/metrics.h"
#include "lib/platform/testing/test_platform.h"
#include "lib/store/blob/s3/s3_blob_store.h"
#include "lib/store/sql/testing/test_database.h"
#include "services/account/account_grpc_service.h"
#include "services/assistant/assistant_grpc_service.h"
#include "services/commerce/commerce_grpc_service.h"
#include "services/common/testing/grpc_test_server.h"
#include "services/feed/feed_grpc_service.h"
#include "services/gateway/compression.h"
#include "services/gateway/connect_protocol.h"
#include "services/gateway/testing/http_client.h"
#include "services/order/order_grpc_service.h"
#include "services/social/social_grpc_service.h"

namespace tokkit::gateway {
namespace {

using ::tokkit::gateway::testing::Fetch;
using ::tokkit::gateway::testing::HttpResult;
using ::tokkit::testing::GrpcTestServer;
using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;
using ::tokkit::testing::TestPlatform;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;

google::protobuf::Struct Json(const std::string& text) {
  google::protobuf::Struct s;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(text, &s).ok())
      << text;
  return s;
}

std::string Field(const google::protobuf::Struct& s, const std::string& path) {
  const google::protobuf::Struct* at = &s;
  size_t start = 0;
  for (;;) {
    const size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot - start);
    auto it = at->fields().find(key);
    if (it == at->fields().end()) return "";
    const google::protobuf::Value* value = &it->second;
    // "list.2.name": a number after a list picks an element.
    size_t next = dot;
    while (next != std::string::npos && value->has_list_value()) {
      const size_t end = path.find('.', next + 1);
      int index = 0;
      if (!absl::SimpleAtoi(path.substr(next + 1, end - next - 1), &index) ||
          index < 0 || index >= value->list_value().values_size()) {
        return "";
      }
      value = &value->list_value().values(index);
      next = end;
    }
    if (next == std::string::npos) {
      const auto& v = *value;
      if (v.has_string_value()) return v.string_value();
      if (v.has_number_value()) return absl::StrCat(v.number_value());
      if (v.has_bool_value()) return v.bool_value() ? "true" : "false";
      return "<object>";
    }
    at = &value->struct_value();
    start = next + 1;
  }
}

std::string TestVideo() {
  std::string video(
      "\0\0\0\x18"
      "ftypmp42",
      12);
  for (int i = 0; i < 300000; ++i) video.push_back(static_cast<char>(i * 7));
  return video;
}

// What a tokkit_server process runs in front of a Platform: the gRPC
// services on loopback and the media source the gateway reads.
struct ServerStack {
  std::vector<std::unique_ptr<grpc::Service>> services;
  std::unique_ptr<GrpcTestServer> grpc;
  std::unique_ptr<MediaSource> media;

  static absl::StatusOr<ServerStack> Start(
      Platform& p, absl::Duration media_redirect = absl::ZeroDuration()) {
    ServerStack s;
    s.services.push_back(std::make_unique<AccountGrpcService>(&p.accounts()));
    s.services.push_back(
        std::make_unique<SocialGrpcService>(&p.social(), &p.chat()));
    s.services.push_back(std::make_unique<FeedGrpcService>(&p.feed()));
    s.services.push_back(std::make_unique<CommerceGrpcService>(&p.commerce()));
    s.services.push_back(std::make_unique<OrderGrpcService>(&p.orders()));
    s.services.push_back(
        std::make_unique<AssistantGrpcService>(&p.assistant()));
    std::vector<grpc::Service*> raw;
    for (auto& service : s.services) raw.push_back(service.get());
    auto server = GrpcTestServer::Start(p, raw);
    if (!server.ok()) return server.status();
    s.grpc = std::move(*server);
    s.media = NewPlatformMediaSource(&p, media_redirect);
    return s;
  }

  // The gateway options the tests start from.
  GatewayOptions Options() const {
    GatewayOptions o;
    o.http.listen = "127.0.0.1:0";
    o.channel = grpc->in_process_channel();
    o.media = media.get();
    o.cors_origins = {"https://app.example.com"};
    o.connect.max_unary_body_bytes = 64 << 10;
    return o;
  }
};

class GatewayTest
    : public ::testing::TestWithParam<::tokkit::testing::StorageUnderTest> {
 protected:
  void SetUp() override {
    auto t = TestPlatform::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status();
    tp_ = std::move(*t);
    auto stack = ServerStack::Start(tp_->platform());
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    StartGateway([](GatewayOptions&) {});
  }

  void StartGateway(const std::function<void(GatewayOptions&)>& customize) {
    gateway_.reset();
    gateway_ = StartAnotherGateway(customize);
    ASSERT_NE(gateway_, nullptr);
  }

  // A further gateway in front of the same server (as several gateway
  // replicas would be).
  std::unique_ptr<Gateway> StartAnotherGateway(
      const std::function<void(GatewayOptions&)>& customize) {
    GatewayOptions o = stack_.Options();
    customize(o);
    auto g = Gateway::Start(std::move(o));
    EXPECT_TRUE(g.ok()) << g.status();
    return g.ok() ? std::move(*g) : nullptr;
  }

  HttpResult Post(const std::string& rpc, const std::string& json,
                  const std::string& token = "",
                  std::map<std::string, std::string> headers = {}) {
    headers.emplace("content-type", "application/json");
    if (!token.empty()) headers["authorization"] = "Bearer " + token;
    return Fetch(gateway_->port(), http::verb::post, "/" + rpc, headers, json);
  }

  struct User {
    std::string id;
    std::string token;
  };
  User SignUp(const std::string& name) {
    HttpResult r =
        Post("tokkit.account.v1.AccountService/Register",
             absl::StrCat(R"({"username":")", name, R"(","email":")", name,
                          R"(@example.com","password":"blue-kettle-42"})"));
    EXPECT_EQ(r.status, 200) << r.body;
    r = Post("tokkit.account.v1.AccountService/Login",
             absl::StrCat(R"({"login":")", name,
                          R"(","password":"blue-kettle-42"})"));
    EXPECT_EQ(r.status, 200) << r.body;
    auto s = Json(r.body);
    return {Field(s, "user.id"), Field(s, "tokens.accessToken")};
  }

  User LogIn(const std::string& name) {
    HttpResult r = Post("tokkit.account.v1.AccountService/Login",
                        absl::StrCat(R"({"login":")", name,
                                     R"(","password":"blue-kettle-42"})"));
    EXPECT_EQ(r.status, 200) << r.body;
    auto s = Json(r.body);
    return {Field(s, "user.id"), Field(s, "tokens.accessToken")};
  }

  // A call that must succeed; its JSON answer.
  google::protobuf::Struct Ok(const std::string& rpc, const std::string& json,
                              const User& as) {
    HttpResult r = Post(rpc, json, as.token);
    EXPECT_EQ(r.status, 200) << rpc << ": " << r.body;
    return Json(r.body.empty() ? "{}" : r.body);
  }

  // Publishes through Connect client streaming: JSON envelopes.
  google::protobuf::Struct Publish(const User& u, const std::string& video,
                                   int port = 0) {
    std::string body = connect::EncodeEnvelope(
        0, R"({"metadata":{"title":"Dumplings","tags":["food"]}})");
    for (size_t at = 0; at < video.size(); at += 64 << 10) {
      body += connect::EncodeEnvelope(
          0, absl::StrCat(R"({"videoChunk":")",
                          absl::Base64Escape(video.substr(at, 64 << 10)),
                          R"("})"));
    }
    HttpResult r = Fetch(port != 0 ? port : gateway_->port(), http::verb::post,
                         "/tokkit.feed.v1.FeedService/PublishVideo",
                         {{"content-type", "application/connect+json"},
                          {"authorization", "Bearer " + u.token}},
                         body);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/connect+json");
    connect::EnvelopeReader reader(1 << 20);
    reader.Append(r.body);
    auto first = reader.Next();
    EXPECT_TRUE(first.ok() && first->has_value()) << r.body;
    if (!first.ok() || !first->has_value()) return {};
    EXPECT_EQ((*first)->flags, 0) << (*first)->data;
    auto end = reader.Next();
    EXPECT_TRUE(end.ok() && end->has_value());
    EXPECT_EQ((*end)->flags, connect::kFlagEndStream);
    EXPECT_FALSE(absl::StrContains((*end)->data, "\"error\"")) << (*end)->data;
    return Json((*first)->data);
  }

  std::unique_ptr<TestPlatform> tp_;
  ServerStack stack_;
  std::unique_ptr<Gateway> gateway_;
};

TEST_P(GatewayTest, UnaryJsonAndProtoWithConnectErrors) {
  User alice = SignUp("alice");
  ASSERT_FALSE(alice.token.empty());
  HttpResult me =
      Post("tokkit.account.v1.AccountService/GetUser",
           absl::StrCat(R"({"userId":")", alice.id, R"("})"), alice.token);
  EXPECT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(Field(Json(me.body), "user.username"), "alice");
  EXPECT_FALSE(me.header("x-request-id").empty());

  // The same call in binary protobuf.
  std::string request;
  {
    google::protobuf::io::StringOutputStream s(&request);
    google::protobuf::io::CodedOutputStream c(&s);
    c.WriteTag(8);
    c.WriteVarint64(std::stoull(alice.id));
  }
  HttpResult binary = Fetch(gateway_->port(), http::verb::post,
                            "/tokkit.account.v1.AccountService/GetUser",
                            {{"content-type", "application/proto"},
                             {"authorization", "Bearer " + alice.token}},
                            request);
  EXPECT_EQ(binary.status, 200);
  EXPECT_EQ(binary.header("content-type"), "application/proto");
  EXPECT_TRUE(absl::StrContains(binary.body, "alice"));

  // Errors: Connect JSON with the code, the reason and the request id.
  HttpResult bad = Post("tokkit.account.v1.AccountService/Login",
                        R"({"login":"alice","password":"not-her-password"})",
                        "", {{"x-request-id", "ticket-4711"}});
  EXPECT_EQ(bad.status, 401);
  auto err = connect::ParseErrorJson(bad.body);
  ASSERT_TRUE(err.ok()) << bad.body;
  EXPECT_EQ(err->code, absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(err->reason, "BAD_CREDENTIALS");
  EXPECT_EQ(err->request_id, "ticket-4711");
  EXPECT_TRUE(absl::StrContains(err->message, "ticket-4711"));
  EXPECT_EQ(bad.header("tokkit-reason"), "BAD_CREDENTIALS");

  HttpResult anonymous =
      Post("tokkit.account.v1.AccountService/ChangePassword", "{}");
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
}

TEST_P(GatewayTest, BadHttpInputGetsTheRight4xx) {
  const int port = gateway_->port();
  auto code_of = [](const HttpResult& r) {
    auto e = connect::ParseErrorJson(r.body);
    return e.ok() ? std::string(connect::CodeName(e->code)) : r.body;
  };
  HttpResult malformed =
      Post("tokkit.account.v1.AccountService/Login", R"({"login": )");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(code_of(malformed), "invalid_argument");
  EXPECT_FALSE(connect::ParseErrorJson(malformed.body)->request_id.empty());

  HttpResult wrong_type =
      Post("tokkit.account.v1.AccountService/Login", R"({"login": 5})");
  EXPECT_EQ(wrong_type.status, 400) << wrong_type.body;

  HttpResult unknown_field =
      Post("tokkit.account.v1.AccountService/Login", R"({"nope": "x"})");
  EXPECT_EQ(unknown_field.status, 400) << unknown_field.body;

  HttpResult bad_utf8 = Post("tokkit.account.v1.AccountService/Login",
                             "{\"login\": \"\xff\xfe\"}");
  EXPECT_EQ(bad_utf8.status, 400);
  HttpResult lone_surrogate =
      Post("tokkit.account.v1.AccountService/Login", R"({"login": "\ud800"})");
  EXPECT_EQ(lone_surrogate.status / 100, 4) << lone_surrogate.body;

  HttpResult bad_proto = Fetch(
      port, http::verb::post, "/tokkit.account.v1.AccountService/Login",
      {{"content-type", "application/proto"}}, std::string("\x0a\xff\xff", 3));
  EXPECT_EQ(bad_proto.status, 400) << bad_proto.body;

  HttpResult text =
      Fetch(port, http::verb::post, "/tokkit.account.v1.AccountService/Login",
            {{"content-type", "text/plain"}}, "{}");
  EXPECT_EQ(text.status, 415);

  HttpResult unary_as_stream =
      Fetch(port, http::verb::post, "/tokkit.account.v1.AccountService/Login",
            {{"content-type", "application/connect+json"}}, "");
  EXPECT_EQ(unary_as_stream.status, 415);

  HttpResult unknown = Post("tokkit.nothing.v1.Nope/Call", "{}");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(code_of(unknown), "unimplemented");
  HttpResult reflection = Post(
      "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", "{}");
  EXPECT_EQ(reflection.status, 404);

  HttpResult get =
      Fetch(port, http::verb::get, "/tokkit.account.v1.AccountService/Login");
  EXPECT_EQ(get.status, 405);

  HttpResult big = Post("tokkit.account.v1.AccountService/Login",
                        std::string(100 << 10, ' '));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(code_of(big), "resource_exhausted");

  HttpResult bomb =
      Post("tokkit.account.v1.AccountService/Login",
           Gzip(std::string(1 << 20, ' ')), "", {{"content-encoding", "gzip"}});
  EXPECT_EQ(bomb.status, 413);

  HttpResult bad_timeout = Post("tokkit.account.v1.AccountService/Login", "{}",
                                "", {{"connect-timeout-ms", "soon"}});
  EXPECT_EQ(bad_timeout.status, 400);

  HttpResult nothing = Fetch(port, http::verb::get, "/no/such/page");
  EXPECT_EQ(nothing.status, 404);

  // The server is still fine.
  EXPECT_EQ(SignUp("carol").token.empty(), false);
}

TEST_P(GatewayTest, GzipWhenTheClientAcceptsIt) {
  User alice = SignUp("alice");
  for (int i = 0; i < 6; ++i) Publish(alice, TestVideo());
  HttpResult plain =
      Post("tokkit.feed.v1.FeedService/ListLatest", R"({"pageSize":6})");
  ASSERT_EQ(plain.status, 200);
  HttpResult zipped =
      Post("tokkit.feed.v1.FeedService/ListLatest", R"({"pageSize":6})", "",
           {{"accept-encoding", "gzip, deflate"}});
  ASSERT_EQ(zipped.status, 200);
  EXPECT_EQ(zipped.header("content-encoding"), "gzip");
  auto unzipped = Gunzip(zipped.body, 1 << 20);
  ASSERT_TRUE(unzipped.ok());
  EXPECT_EQ(*unzipped, plain.body);
}

TEST_P(GatewayTest, PublishThenPlayWithRangesAndValidators) {
  User alice = SignUp("alice");
  const std::string video = TestVideo();
  google::protobuf::Struct v = Publish(alice, video);
  const std::string id = Field(v, "id");
  const std::string url = Field(v, "videoUrl");
  ASSERT_EQ(url, "/media/v1/videos/" + id);
  const int port = gateway_->port();

  HttpResult whole = Fetch(port, http::verb::get, url);
  ASSERT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, video);
  EXPECT_EQ(whole.header("content-type"), "video/mp4");
  EXPECT_EQ(whole.header("accept-ranges"), "bytes");
  EXPECT_EQ(whole.header("etag"), absl::StrCat("\"", Sha256Hex(video), "\""));
  EXPECT_FALSE(whole.header("last-modified").empty());
  EXPECT_TRUE(absl::StrContains(whole.header("cache-control"), "immutable"));

  HttpResult part =
      Fetch(port, http::verb::get, url, {{"range", "bytes=1000-1999"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, video.substr(1000, 1000));
  EXPECT_EQ(part.header("content-range"),
            absl::StrCat("bytes 1000-1999/", video.size()));

  HttpResult tail = Fetch(port, http::verb::get, url, {{"range", "bytes=-10"}});
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(tail.body, video.substr(video.size() - 10));

  HttpResult open_ended =
      Fetch(port, http::verb::get, url, {{"range", "bytes=299000-"}});
  EXPECT_EQ(open_ended.status, 206);
  EXPECT_EQ(open_ended.body, video.substr(299000));

  HttpResult past =
      Fetch(port, http::verb::get, url,
            {{"range", absl::StrCat("bytes=", video.size(), "-")}});
  EXPECT_EQ(past.status, 416);
  EXPECT_EQ(past.header("content-range"),
            absl::StrCat("bytes */", video.size()));

  HttpResult garbage =
      Fetch(port, http::verb::get, url, {{"range", "bytes=z-q"}});
  EXPECT_EQ(garbage.status, 200);  // a malformed Range is ignored

  HttpResult cached = Fetch(port, http::verb::get, url,
                            {{"if-none-match", whole.header("etag")}});
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.body.empty());

  HttpResult head = Fetch(port, http::verb::head, url);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), absl::StrCat(video.size()));
  EXPECT_TRUE(head.body.empty());

  EXPECT_EQ(Fetch(port, http::verb::get, "/media/v1/videos/999999").status,
            404);
  EXPECT_EQ(Fetch(port, http::verb::get, "/media/v1/videos/abc").status, 404);
  EXPECT_EQ(Fetch(port, http::verb::post, url).status, 405);

  // Server streaming through Connect: Download as envelopes.
  HttpResult download =
      Fetch(port, http::verb::post, "/tokkit.feed.v1.FeedService/Download",
            {{"content-type", "application/connect+json"}},
            connect::EncodeEnvelope(
                0, absl::StrCat(R"({"videoId":")", id,
                                R"(","offset":"5","length":"100"})")));
  ASSERT_EQ(download.status, 200);
  connect::EnvelopeReader reader(1 << 20);
  reader.Append(download.body);
  std::string bytes;
  bool ended = false;
  for (;;) {
    auto e = reader.Next();
    ASSERT_TRUE(e.ok());
    if (!e->has_value()) break;
    if ((*e)->flags & connect::kFlagEndStream) {
      ended = true;
      EXPECT_FALSE(absl::StrContains((*e)->data, "error")) << (*e)->data;
      continue;
    }
    std::string data;
    ASSERT_TRUE(absl::Base64Unescape(Field(Json((*e)->data), "data"), &data));
    bytes += data;
  }
  EXPECT_TRUE(ended);
  EXPECT_EQ(bytes, video.substr(5, 100));

  // A streaming error arrives in the end-of-stream envelope with HTTP 200.
  HttpResult missing =
      Fetch(port, http::verb::post, "/tokkit.feed.v1.FeedService/Download",
            {{"content-type", "application/connect+json"}},
            connect::EncodeEnvelope(0, R"({"videoId":"424242"})"));
  EXPECT_EQ(missing.status, 200);
  EXPECT_TRUE(absl::StrContains(missing.body, "\"not_found\"")) << missing.body;
}

// The assistant over HTTP: its server stream through Connect (here without
// a model, so the stream ends with the error that says how to configure
// one) and its unary calls as JSON.
TEST_P(GatewayTest, AssistantIsReachableOverConnect) {
  User alice = SignUp("alice");
  HttpResult ask = Fetch(
      gateway_->port(), http::verb::post,
      "/tokkit.assistant.v1.AssistantService/Ask",
      {{"content-type", "application/connect+json"},
       {"authorization", "Bearer " + alice.token}},
      connect::EncodeEnvelope(0, R"({"question":"what is in my cart?"})"));
  EXPECT_EQ(ask.status, 200);
  EXPECT_TRUE(absl::StrContains(ask.body, "failed_precondition")) << ask.body;
  EXPECT_TRUE(absl::StrContains(ask.body, "--assistant_url")) << ask.body;
  google::protobuf::Struct list =
      Ok("tokkit.assistant.v1.AssistantService/ListConversations", "{}", alice);
  EXPECT_EQ(list.fields_size(), 0);
  HttpResult confirm = Post("tokkit.assistant.v1.AssistantService/Confirm",
                            R"({"confirmationId":"nope"})", alice.token);
  EXPECT_EQ(confirm.status, 404) << confirm.body;
}

TEST_P(GatewayTest, SignedMediaUrlsAreRequiredWhenConfigured) {
  User alice = SignUp("alice");
  const std::string id = Field(Publish(alice, TestVideo()), "id");
  const std::string path = "/media/v1/videos/" + id;
  MediaUrlSigner signer("media-key-for-tests-0123456789abcdef");
  StartGateway([&](GatewayOptions& o) { o.require_signed_media = signer; });
  const int port = gateway_->port();
  EXPECT_EQ(Fetch(port, http::verb::get, path).status, 403);
  const std::string good = signer.Sign(path, absl::Now() + absl::Minutes(5));
  EXPECT_EQ(Fetch(port, http::verb::get, good).status, 200);
  const std::string expired = signer.Sign(path, absl::Now() - absl::Seconds(1));
  EXPECT_EQ(Fetch(port, http::verb::get, expired).status, 403);
  std::string forged = good;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(Fetch(port, http::verb::get, forged).status, 403);
  // A signature for one video does not open another.
  const std::string other = Field(Publish(alice, TestVideo()), "id");
  std::string moved = good;
  moved.replace(moved.find(id), id.size(), other);
  EXPECT_EQ(Fetch(port, http::verb::get, moved).status, 403);
}

TEST_P(GatewayTest, CorsPreflightAndHeaders) {
  const int port = gateway_->port();
  HttpResult ok = Fetch(port, http::verb::options,
                        "/tokkit.account.v1.AccountService/Login",
                        {{"origin", "https://app.example.com"},
                         {"access-control-request-method", "POST"},
                         {"access-control-request-headers", "content-type"}});
  EXPECT_EQ(ok.status, 204);
  EXPECT_EQ(ok.header("access-control-allow-origin"),
            "https://app.example.com");
  EXPECT_TRUE(absl::StrContains(ok.header("access-control-allow-headers"),
                                "authorization"));
  HttpResult evil = Fetch(port, http::verb::options,
                          "/tokkit.account.v1.AccountService/Login",
                          {{"origin", "https://evil.example.com"},
                           {"access-control-request-method", "POST"}});
  EXPECT_EQ(evil.status, 403);
  HttpResult call = Post("tokkit.feed.v1.FeedService/ListLatest", "{}", "",
                         {{"origin", "https://app.example.com"}});
  EXPECT_EQ(call.header("access-control-allow-origin"),
            "https://app.example.com");
  EXPECT_TRUE(absl::StrContains(call.header("access-control-expose-headers"),
                                "x-request-id"));
  HttpResult other = Post("tokkit.feed.v1.FeedService/ListLatest", "{}", "",
                          {{"origin", "https://evil.example.com"}});
  EXPECT_EQ(other.header("access-control-allow-origin"), "");
}

TEST_P(GatewayTest, RateLimitPerSourceAndPerUser) {
  User alice = SignUp("alice");
  LocalRateLimiter limiter(&tp_->clock());
  StartGateway([&](GatewayOptions& o) {
    o.rate_limiter = &limiter;
    o.per_source = {1, 5};
    o.per_user = {1, 2};
    o.user_of_token = [](absl::string_view token) {
      return token.empty() ? 0 : 7;
    };
  });
  // Per user: 2 then refused, with Retry-After.
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(
        Post("tokkit.feed.v1.FeedService/ListLatest", "{}", alice.token).status,
        200);
  }
  HttpResult limited =
      Post("tokkit.feed.v1.FeedService/ListLatest", "{}", alice.token);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("retry-after"), "1");
  EXPECT_EQ(connect::ParseErrorJson(limited.body)->code,
            absl::StatusCode::kResourceExhausted);
  // Per source: the anonymous budget of this address is 5 in all (3 used).
  EXPECT_EQ(Post("tokkit.feed.v1.FeedService/ListLatest", "{}").status, 200);
  EXPECT_EQ(Post("tokkit.feed.v1.FeedService/ListLatest", "{}").status, 200);
  EXPECT_EQ(Post("tokkit.feed.v1.FeedService/ListLatest", "{}").status, 429);
  EXPECT_EQ(Fetch(gateway_->port(), http::verb::get, "/healthz").status, 429);
  // Time refills the bucket.
  tp_->clock().Advance(absl::Seconds(3));
  EXPECT_EQ(Post("tokkit.feed.v1.FeedService/ListLatest", "{}").status, 200);
}

// A WebSocket client: blocking, one frame at a time.
class Socket {
 public:
  Socket(int port, const std::string& subprotocols,
         const std::string& origin = "", const std::string& forwarded_for = "")
      : ws_(io_) {
    auto& tcp = boost::beast::get_lowest_layer(ws_);
    tcp.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                       static_cast<unsigned short>(port)));
    tcp.expires_never();
    ws_.set_option(websocket::stream_base::decorator(
        [subprotocols, origin, forwarded_for](websocket::request_type& req) {
          if (!subprotocols.empty()) {
            req.set(http::field::sec_websocket_protocol, subprotocols);
          }
          if (!origin.empty()) req.set(http::field::origin, origin);
          if (!forwarded_for.empty()) {
            req.set("x-forwarded-for", forwarded_for);
          }
        }));
    websocket::response_type res;
    ws_.handshake(res, absl::StrCat("127.0.0.1:", port), "/v1/chat/ws");
    protocol_ = std::string(res[http::field::sec_websocket_protocol]);
  }
  void Send(const std::string& text) {
    ws_.text(true);
    ws_.write(net::buffer(text));
  }
  // The next frame, or "" when the socket closed.
  std::string Receive() {
    boost::beast::flat_buffer b;
    boost::beast::error_code ec;
    boost::beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(20));
    ws_.read(b, ec);
    if (ec) return "";
    return boost::beast::buffers_to_string(b.data());
  }
  template <typename Pred>
  std::string ReceiveUntil(Pred want) {
    for (;;) {
      std::string f = Receive();
      if (f.empty() || want(f)) return f;
    }
  }
  const std::string& protocol() const { return protocol_; }
  websocket::close_reason close_reason() const { return ws_.reason(); }

 private:
  net::io_context io_;
  websocket::stream<boost::beast::tcp_stream> ws_;
  std::string protocol_;
};

TEST_P(GatewayTest, ChatOverWebSocketWithBothWaysToAuthenticate) {
  User alice = SignUp("alice");
  User bob = SignUp("bob");
  const int port = gateway_->port();
  // Bob: the token in the subprotocol list, never in the URL.
  Socket bob_ws(port, absl::StrCat("tokkit.chat.v1, bearer.", bob.token));
  EXPECT_EQ(bob_ws.protocol(), "tokkit.chat.v1");
  bob_ws.Send(R"({"hello":{}})");
  // Alice: the first frame.
  Socket alice_ws(port, "");
  alice_ws.Send(
      absl::StrCat(R"({"authorization":"Bearer )", alice.token, R"("})"));
  alice_ws.Send(R"({"hello":{}})");
  alice_ws.Send(absl::StrCat(R"({"send":{"recipientId":")", bob.id,
                             R"(","body":"hi bob","clientMessageId":"m1"}})"));
  std::string ack = alice_ws.ReceiveUntil(
      [](const std::string& f) { return absl::StrContains(f, "\"ack\""); });
  ASSERT_FALSE(ack.empty());
  EXPECT_EQ(Field(Json(ack), "ack.clientMessageId"), "m1");
  std::string got = bob_ws.ReceiveUntil(
      [](const std::string& f) { return absl::StrContains(f, "hi bob"); });
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(Field(Json(got), "message.senderId"), alice.id);

  // Bad frames get an error frame; the socket stays usable.
  alice_ws.Send("{not json");
  std::string error = alice_ws.ReceiveUntil(
      [](const std::string& f) { return absl::StrContains(f, "\"error\""); });
  EXPECT_EQ(Field(Json(error), "error.code"), "3");
  alice_ws.Send(
      absl::StrCat(R"({"send":{"recipientId":")", bob.id,
                   R"(","body":"still here","clientMessageId":"m2"}})"));
  EXPECT_FALSE(bob_ws
                   .ReceiveUntil([](const std::string& f) {
                     return absl::StrContains(f, "still here");
                   })
                   .empty());
}

TEST_P(GatewayTest, ChatSocketWithoutAValidTokenIsClosed) {
  const int port = gateway_->port();
  Socket nobody(port, "");
  nobody.Send(R"({"hello":{}})");
  std::string error = nobody.Receive();
  EXPECT_TRUE(absl::StrContains(error, "\"error\"")) << error;
  EXPECT_EQ(nobody.Receive(), "");  // closed
  EXPECT_EQ(nobody.close_reason().code, websocket::close_code::policy_error);

  Socket forged(port, "tokkit.chat.v1, bearer.not-a-token");
  forged.Send(R"({"hello":{}})");
  std::string denied = forged.ReceiveUntil(
      [](const std::string& f) { return absl::StrContains(f, "\"error\""); });
  EXPECT_EQ(Field(Json(denied), "error.code"), "16");
  EXPECT_EQ(forged.Receive(), "");
}

// Every domain over Connect JSON, the way a web or mobile client drives it:
// roles, catalogue with an image served as media, cart, an idempotent
// checkout, a single-use payment token, likes, comments and follows.
TEST_P(GatewayTest, EveryDomainOverConnectJson) {
  User boss = SignUp("boss");
  ASSERT_TRUE(tp_->platform().accounts().GrantAdmin("boss").ok());
  boss = LogIn("boss");
  User seller = SignUp("seller");
  User buyer = SignUp("buyer");
  Ok("tokkit.account.v1.AccountService/SetRole",
     absl::StrCat(R"({"userId":")", seller.id, R"(","role":"ROLE_MERCHANT"})"),
     boss);
  seller = LogIn("seller");

  // Commerce.
  const std::string category =
      Field(Ok("tokkit.commerce.v1.CommerceService/CreateCategory",
               R"({"name":"Kitchen"})", boss),
            "id");
  auto product = Ok("tokkit.commerce.v1.CommerceService/CreateProduct",
                    absl::StrCat(R"({"categoryId":")", category,
                                 R"(","name":"Tea mug","forSale":true,)"
                                 R"("shippingCents":"500","skus":[)"
                                 R"({"attributes":"colour=orange",)"
                                 R"("priceCents":"1999","stock":"5"}]})"),
                    seller);
  const std::string product_id = Field(product, "id");
  const std::string sku = Field(product, "skus.0.id");
  ASSERT_FALSE(sku.empty());
  // A 1x1 PNG.
  Ok("tokkit.commerce.v1.CommerceService/AddProductImage",
     absl::StrCat(R"({"productId":")", product_id,
                  R"(","image":"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ)"
                  R"(AAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="})"),
     seller);
  auto listed = Ok("tokkit.commerce.v1.CommerceService/ListProducts",
                   R"({"keyword":"mug"})", buyer);
  EXPECT_EQ(Field(listed, "products.0.name"), "Tea mug");
  const std::string image_url = Field(listed, "products.0.imageUrls.0");
  ASSERT_FALSE(image_url.empty());
  HttpResult image = Fetch(gateway_->port(), http::verb::get, image_url);
  EXPECT_EQ(image.status, 200);
  EXPECT_EQ(image.header("content-type"), "image/png");
  EXPECT_EQ(
      Field(Ok("tokkit.commerce.v1.CommerceService/PutInCart",
               absl::StrCat(R"({"skuId":")", sku, R"(","quantity":2})"), buyer),
            "subtotalCents"),
      "3998");

  // Orders and payment.
  const std::string address = Field(
      Ok("tokkit.account.v1.AccountService/AddAddress",
         R"({"address":{"recipient":"Bo","phone":"+86 138 0000 0000",)"
         R"("line1":"1 Tea Street","city":"Hangzhou","postalCode":"310000",)"
         R"("countryCode":"CN"}})",
         buyer),
      "address.id");
  const std::string checkout =
      absl::StrCat(R"({"addressId":")", address, R"(","idempotencyKey":"k1"})");
  auto order = Ok("tokkit.order.v1.OrderService/CheckoutCart", checkout, buyer);
  EXPECT_EQ(Field(order, "status"), "PENDING_PAYMENT");
  EXPECT_EQ(Field(order, "totalCents"), "4498");
  // The same key again: the same order, not a second one.
  EXPECT_EQ(
      Field(Ok("tokkit.order.v1.OrderService/CheckoutCart", checkout, buyer),
            "id"),
      Field(order, "id"));
  const std::string order_ref =
      absl::StrCat(R"({"orderId":")", Field(order, "id"), R"("})");
  const std::string token = Field(
      Ok("tokkit.order.v1.OrderService/CreatePaymentToken", order_ref, buyer),
      "token");
  const std::string pay = absl::StrCat(R"({"token":")", token, R"("})");
  auto paid = Ok("tokkit.order.v1.OrderService/Pay", pay, buyer);
  EXPECT_EQ(Field(paid, "status"), "PAYMENT_SUCCEEDED");
  // A retried Pay (its response lost) gets the same payment: one charge.
  EXPECT_EQ(Field(Ok("tokkit.order.v1.OrderService/Pay", pay, buyer), "id"),
            Field(paid, "id"));
  EXPECT_EQ(Field(Ok("tokkit.order.v1.OrderService/GetOrder", order_ref, buyer),
                  "status"),
            "PAID");
  // The merchant sees it.
  EXPECT_EQ(
      Field(Ok("tokkit.order.v1.OrderService/ListMerchantOrders", "{}", seller),
            "orders.0.id"),
      Field(order, "id"));

  // Social.
  const std::string video = Field(Publish(seller, TestVideo()), "id");
  const std::string video_ref = absl::StrCat(R"({"videoId":")", video, R"("})");
  EXPECT_EQ(
      Field(Ok("tokkit.social.v1.SocialService/LikeVideo", video_ref, buyer),
            "likeCount"),
      "1");
  Ok("tokkit.social.v1.SocialService/AddComment",
     absl::StrCat(R"({"videoId":")", video, R"(","body":"nice mug"})"), buyer);
  EXPECT_EQ(
      Field(Ok("tokkit.social.v1.SocialService/ListComments", video_ref, buyer),
            "comments.0.body"),
      "nice mug");
  Ok("tokkit.social.v1.SocialService/Follow",
     absl::StrCat(R"({"userId":")", seller.id, R"("})"), buyer);
  EXPECT_EQ(Field(Ok("tokkit.social.v1.SocialService/GetRelationStats",
                     absl::StrCat(R"({"userId":")", seller.id, R"("})"), buyer),
                  "followers"),
            "1");
}

// Regression: the example web app's own chat socket was refused with 403
// because only --cors_origins were accepted, not the page's own site.
TEST_P(GatewayTest, ChatSocketAcceptsItsOwnSiteAndListedOriginsOnly) {
  User alice = SignUp("alice");
  const int port = gateway_->port();
  const std::string bearer =
      absl::StrCat("tokkit.chat.v1, bearer.", alice.token);
  Socket same_site(port, bearer, absl::StrCat("http://127.0.0.1:", port));
  EXPECT_EQ(same_site.protocol(), "tokkit.chat.v1");
  EXPECT_THROW(Socket(port, bearer, "http://evil.example"),
               boost::system::system_error);
  EXPECT_THROW(Socket(port, bearer, "http://127.0.0.1:1"),
               boost::system::system_error);
  // The fixture's --cors_origins.
  Socket listed(port, bearer, "https://app.example.com");
  EXPECT_EQ(listed.protocol(), "tokkit.chat.v1");
}

// Two tokkit processes on one database, each with its own gateway: a
// message sent over one's socket reaches the recipient's socket on the
// other (through the outbox relay; with Redis, through its stream too).
TEST_P(GatewayTest, ChatSocketsOnTwoReplicasTalkToEachOther) {
  for (const bool with_redis : {false, true}) {
    SCOPED_TRACE(with_redis ? "over Redis" : "over the database outbox");
    const char* redis = std::getenv("TOKKIT_TEST_REDIS");
    if (with_redis && (redis == nullptr || *redis == '\0')) continue;
    PlatformConfig config = tp_->config();
    if (with_redis) config.redis_url = redis;
    std::vector<std::unique_ptr<Platform>> platforms;
    std::vector<ServerStack> stacks;
    std::vector<std::unique_ptr<Gateway>> gateways;
    for (int replica : {0, 1}) {
      // Worker ids of their own: the simulated clock stands still, so a
      // reused id would mint the same ids again.
      config.worker_id = (with_redis ? 4 : 2) + replica;
      auto p = Platform::Open(config);
      ASSERT_TRUE(p.ok()) << p.status();
      platforms.push_back(*std::move(p));
      auto stack = ServerStack::Start(*platforms.back());
      ASSERT_TRUE(stack.ok()) << stack.status();
      stacks.push_back(*std::move(stack));
      auto g = Gateway::Start(stacks.back().Options());
      ASSERT_TRUE(g.ok()) << g.status();
      gateways.push_back(*std::move(g));
    }
    const std::string suffix = with_redis ? "r" : "d";
    User alice = SignUp("alice" + suffix);
    User bob = SignUp("bob" + suffix);
    Socket alice_ws(gateways[0]->port(),
                    absl::StrCat("tokkit.chat.v1, bearer.", alice.token));
    Socket bob_ws(gateways[1]->port(),
                  absl::StrCat("tokkit.chat.v1, bearer.", bob.token));
    bob_ws.Send(R"({"hello":{}})");
    absl::SleepFor(absl::Milliseconds(300));  // subscriptions in place
    alice_ws.Send(
        absl::StrCat(R"({"send":{"recipientId":")", bob.id,
                     R"(","body":"across","clientMessageId":"x1"}})"));
    std::string got = bob_ws.ReceiveUntil(
        [](const std::string& f) { return absl::StrContains(f, "across"); });
    ASSERT_FALSE(got.empty())
        << "bob's socket on the other replica got nothing";
    EXPECT_EQ(Field(Json(got), "message.senderId"), alice.id);
    // And back.
    bob_ws.Send(
        absl::StrCat(R"({"send":{"recipientId":")", alice.id,
                     R"(","body":"and back","clientMessageId":"y1"}})"));
    EXPECT_FALSE(alice_ws
                     .ReceiveUntil([](const std::string& f) {
                       return absl::StrContains(f, "and back") &&
                              absl::StrContains(f, "\"message\"");
                     })
                     .empty());
    // Regression: neither client answers the close frame, and shutdown
    // waited on them (and then on their gRPC calls) for ~10 s past its grace.
    const absl::Time stopping = absl::Now();
    for (auto& g : gateways) g->Stop(absl::Milliseconds(500));
    gateways.clear();
    stacks.clear();
    platforms.clear();
    EXPECT_LT(absl::Now() - stopping, absl::Seconds(3));
  }
}

// Replicas that share the database and an S3-compatible store (s3rver,
// started by tools/test.sh): a video published through one is played
// through the other, by a redirect to a presigned storage URL, streamed by
// the gateway, and over gRPC.
TEST_P(GatewayTest, ReplicasOnSharedStorageServeEachOthersMedia) {
  absl::StatusOr<std::string> s3 =
      ::tokkit::testing::TestServerUrl("TOKKIT_TEST_S3");
  if (absl::IsNotFound(s3.status())) GTEST_SKIP() << s3.status();
  ASSERT_TRUE(s3.ok()) << s3.status();
  PlatformConfig config = tp_->config();
  config.blob_url = absl::StrCat(
      "s3://tokkit-", absl::AsciiStrToLower(HexEncode(RandomBytes(5))),
      "/media?endpoint=", *s3);
  config.blob_access_key = config.blob_secret_key = "S3RVER";
  const char* redis = std::getenv("TOKKIT_TEST_REDIS");
  if (redis != nullptr && *redis != '\0') config.redis_url = redis;
  auto bucket = s3::ParseS3Url(config.blob_url, "S3RVER", "S3RVER");
  ASSERT_TRUE(bucket.ok()) << bucket.status();
  ASSERT_TRUE(s3::S3BlobStore::CreateBucket(*bucket).ok());

  std::vector<std::unique_ptr<Platform>> platforms;
  std::vector<ServerStack> stacks;
  std::vector<std::unique_ptr<Gateway>> gateways;
  for (int replica : {0, 1}) {
    config.worker_id = 8 + replica;
    auto p = Platform::Open(config);
    ASSERT_TRUE(p.ok()) << p.status();
    platforms.push_back(*std::move(p));
    auto stack = ServerStack::Start(*platforms.back(), absl::Minutes(5));
    ASSERT_TRUE(stack.ok()) << stack.status();
    stacks.push_back(*std::move(stack));
    auto g = Gateway::Start(stacks.back().Options());
    ASSERT_TRUE(g.ok()) << g.status();
    gateways.push_back(*std::move(g));
  }
  User alice = SignUp("alice");
  const std::string video = TestVideo();
  google::protobuf::Struct v = Publish(alice, video, gateways[0]->port());
  const std::string id = Field(v, "id");
  ASSERT_FALSE(id.empty());
  const std::string url = "/media/v1/videos/" + id;

  // The other replica redirects to storage, and storage serves the bytes.
  HttpResult redirect = Fetch(gateways[1]->port(), http::verb::get, url);
  ASSERT_EQ(redirect.status, 302) << redirect.body;
  const std::string location = redirect.header("location");
  ASSERT_TRUE(absl::StartsWith(location, *s3)) << location;
  EXPECT_TRUE(absl::StrContains(location, "X-Amz-Signature="));
  int storage_port = 0;
  const std::string rest = location.substr(location.find("://") + 3);
  const size_t colon = rest.find(':'), slash = rest.find('/');
  ASSERT_TRUE(absl::SimpleAtoi(rest.substr(colon + 1, slash - colon - 1),
                               &storage_port));
  HttpResult direct = Fetch(storage_port, http::verb::get, rest.substr(slash));
  EXPECT_EQ(direct.status, 200);
  EXPECT_EQ(direct.body, video);
  EXPECT_EQ(direct.header("content-type"), "video/mp4");

  // The other replica's gateway streaming from storage, with ranges.
  ServerStack streaming = *ServerStack::Start(*platforms[1]);
  auto g = Gateway::Start(streaming.Options());
  ASSERT_TRUE(g.ok()) << g.status();
  HttpResult part =
      Fetch((*g)->port(), http::verb::get, url, {{"range", "bytes=1000-1999"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, video.substr(1000, 1000));
  (*g)->Stop(absl::Milliseconds(200));

  // And through the other replica's services in process.
  const int64_t video_id = std::stoll(id);
  auto media = platforms[1]->feed().VideoMedia(video_id);
  ASSERT_TRUE(media.ok()) << media.status();
  EXPECT_EQ(platforms[1]->feed().ReadMedia(*media, 0, -1).value_or(""), video);

  for (auto& gw : gateways) gw->Stop(absl::Milliseconds(200));
}

// Regression: the chat socket count was not capped.
TEST_P(GatewayTest, ChatSocketsBeyondTheCapGet503) {
  User alice = SignUp("alice");
  StartGateway([](GatewayOptions& o) { o.max_chat_sockets = 1; });
  const std::string bearer =
      absl::StrCat("tokkit.chat.v1, bearer.", alice.token);
  Socket first(gateway_->port(), bearer);
  first.Send(R"({"hello":{}})");
  // The first socket is registered once its handshake is answered.
  try {
    Socket second(gateway_->port(), bearer);
    ADD_FAILURE() << "a second socket opened past a cap of one";
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), websocket::error::upgrade_declined) << e.what();
  }
}

// A random client address (under 10/8) so runs sharing a Redis do not
// share buckets.
std::string RandomSourceAddress() {
  std::random_device r;
  return absl::StrCat("10.", r() % 256, ".", r() % 256, ".", 1 + r() % 250);
}

TEST_P(GatewayTest, RedisRateLimitIsSharedByGatewaysAndCoversChatSockets) {
  const char* redis = std::getenv("TOKKIT_TEST_REDIS");
  if (redis == nullptr || *redis == '\0') GTEST_SKIP() << "no test Redis";
  User alice = SignUp("alice");
  auto one = NewRateLimiter(redis);
  auto two = NewRateLimiter(redis);
  ASSERT_TRUE(one.ok() && two.ok());
  ASSERT_TRUE((*one)->blocking());
  auto proxies = TrustedProxies::Parse("127.0.0.1");
  ASSERT_TRUE(proxies.ok());
  auto limited = [&](RateLimiter* limiter) {
    return [&, limiter](GatewayOptions& o) {
      o.rate_limiter = limiter;
      o.per_source = {0.2, 4};  // four, then one every five seconds
      o.trusted_proxies = *proxies;
    };
  };
  StartGateway(limited(one->get()));
  std::unique_ptr<Gateway> other = StartAnotherGateway(limited(two->get()));
  ASSERT_NE(other, nullptr);
  const std::string source = RandomSourceAddress();
  int ok = 0, refused = 0;
  std::string retry_after;
  for (int i = 0; i < 8; ++i) {
    HttpResult r = Fetch(
        i % 2 == 0 ? gateway_->port() : other->port(), http::verb::post,
        "/tokkit.feed.v1.FeedService/ListLatest",
        {{"content-type", "application/json"}, {"x-forwarded-for", source}},
        "{}");
    if (r.status == 200) ++ok;
    if (r.status == 429) {
      ++refused;
      retry_after = r.header("retry-after");
    }
  }
  // One bucket for both gateways: 4 (5 if a refill landed), not 8.
  EXPECT_GE(ok, 4);
  EXPECT_LE(ok, 5);
  EXPECT_EQ(ok + refused, 8);
  EXPECT_FALSE(retry_after.empty());
  // The chat socket upgrade spends from the same bucket (regression: with
  // the Redis limiter upgrades skipped the check).
  const std::string bearer =
      absl::StrCat("tokkit.chat.v1, bearer.", alice.token);
  EXPECT_THROW(Socket(other->port(), bearer, "", source),
               boost::system::system_error);
  // Another address still gets in.
  Socket fine(other->port(), bearer, "", RandomSourceAddress());
  EXPECT_EQ(fine.protocol(), "tokkit.chat.v1");
}

// Regression: every Connect call was counted as 2xx before it ran.
TEST_P(GatewayTest, ConnectRequestsAreCountedWithTheStatusTheyGot) {
  const std::string ok_series =
      R"(tokkit_http_requests_total{route="connect",status="2xx"})";
  const std::string client_error_series =
      R"(tokkit_http_requests_total{route="connect",status="4xx"})";
  const double ok_before = metrics::ScrapedValue(ok_series);
  const double errors_before = metrics::ScrapedValue(client_error_series);
  EXPECT_EQ(Post("tokkit.account.v1.AccountService/Login",
                 R"({"login":"nobody","password":"wrong-password-1"})")
                .status,
            401);
  EXPECT_EQ(metrics::ScrapedValue(client_error_series), errors_before + 1);
  EXPECT_EQ(metrics::ScrapedValue(ok_series), ok_before);
  EXPECT_EQ(Post("tokkit.feed.v1.FeedService/ListLatest", "{}").status, 200);
  EXPECT_EQ(metrics::ScrapedValue(ok_series), ok_before + 1);
}

TEST_P(GatewayTest, SlowClientsAreCutOff) {
  StartGateway(
      [](GatewayOptions& o) { o.http.head_timeout = absl::Milliseconds(300); });
  net::io_context io;
  net::ip::tcp::socket s(io);
  s.connect(
      net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                             static_cast<unsigned short>(gateway_->port())));
  const std::string partial = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  net::write(s, net::buffer(partial));
  // Trickle a header byte now and then: the head's deadline still ends it.
  boost::system::error_code ec;
  const absl::Time start = absl::Now();
  for (int i = 0; i < 20 && !ec; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    net::write(s, net::buffer("X", 1), ec);
  }
  char buf[256];
  s.read_some(net::buffer(buf), ec);
  EXPECT_TRUE(ec) << "the connection should have been closed";
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  // Others are served meanwhile and after.
  EXPECT_EQ(Fetch(gateway_->port(), http::verb::get, "/healthz").status, 200);
}

TEST_P(GatewayTest, StaticFilesWithoutEscapingTheRoot) {
  const std::string root = ::testing::TempDir() + "/web_" + GetParam().name;
  std::filesystem::create_directories(root);
  {
    std::ofstream(root + "/index.html") << "<html>tokkit</html>";
    std::ofstream(root + "/app.js") << "console.log(1)";
  }
  StartGateway([&](GatewayOptions& o) { o.web_root = root; });
  const int port = gateway_->port();
  HttpResult index = Fetch(port, http::verb::get, "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<html>tokkit</html>");
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(Fetch(port, http::verb::get, "/app.js").header("content-type"),
            "text/javascript; charset=utf-8");
  EXPECT_EQ(Fetch(port, http::verb::get, "/../../etc/passwd").status, 404);
  EXPECT_EQ(Fetch(port, http::verb::get, "/%2e%2e/etc/passwd").status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, GatewayTest,
                         ::testing::ValuesIn(SqlStorages()), StorageTestName);

}  // namespace
}  // namespace tokkit::gateway
