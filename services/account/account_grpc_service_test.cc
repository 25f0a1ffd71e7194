// End to end through real gRPC on loopback: client stub -> interceptor ->
// adapter -> AccountService -> SQL, on every backend.
#include "services/account/account_grpc_service.h"

#include <fcntl.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "lib/account/totp.h"
#include "lib/core/crypto.h"
#include "lib/core/log.h"
#include "lib/platform/testing/test_platform.h"
#include "lib/store/sql/testing/test_database.h"
#include "services/common/grpc_status.h"
#include "services/common/testing/grpc_test_server.h"

namespace tokkit {
namespace {

using ::tokkit::testing::BearerContext;
using ::tokkit::testing::GrpcTestServer;
using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;
using ::tokkit::testing::TestPlatform;
namespace pb = ::tokkit::account::v1;

constexpr char kPassword[] = "blue-kettle-42";

class AccountGrpcTest
    : public ::testing::TestWithParam<::tokkit::testing::StorageUnderTest> {
 protected:
  void SetUp() override {
    auto t = TestPlatform::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status();
    tp_ = std::move(*t);
    service_ =
        std::make_unique<AccountGrpcService>(&tp_->platform().accounts());
    auto server = GrpcTestServer::Start(tp_->platform(), {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = server_->channel();
    stub_ = pb::AccountService::NewStub(channel_);
  }

  // A context carrying the bearer token (none when empty).
  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token = "") {
    return BearerContext(token);
  }

  pb::User Register(const std::string& name) {
    pb::RegisterRequest req;
    req.set_username(name);
    req.set_email(name + "@example.com");
    req.set_password(kPassword);
    pb::RegisterResponse resp;
    grpc::Status st = stub_->Register(Ctx().get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.user();
  }

  grpc::Status Login(const std::string& name, pb::LoginResponse* resp,
                     const std::string& code = "",
                     std::string* reason = nullptr) {
    pb::LoginRequest req;
    req.set_login(name);
    req.set_password(kPassword);
    req.set_totp_code(code);
    auto ctx = Ctx();
    grpc::Status st = stub_->Login(ctx.get(), req, resp);
    if (reason != nullptr) *reason = ReasonOf(*ctx);
    return st;
  }

  std::string Token(const std::string& name) {
    pb::LoginResponse resp;
    grpc::Status st = Login(name, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.tokens().access_token();
  }

  grpc::StatusCode GetMe(const std::string& token, pb::User* out = nullptr) {
    pb::GetUserResponse resp;
    grpc::Status st =
        stub_->GetUser(Ctx(token).get(), pb::GetUserRequest(), &resp);
    if (out != nullptr) *out = resp.user();
    return st.error_code();
  }

  std::unique_ptr<TestPlatform> tp_;
  std::unique_ptr<AccountGrpcService> service_;
  std::unique_ptr<GrpcTestServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::AccountService::Stub> stub_;
};

TEST_P(AccountGrpcTest, RegisterLoginAndAuthenticatedCalls) {
  pb::User alice = Register("alice");
  EXPECT_GT(alice.id(), 0);
  EXPECT_EQ(alice.role(), pb::ROLE_USER);
  const std::string token = Token("alice");
  pb::User me;
  EXPECT_EQ(GetMe(token, &me), grpc::StatusCode::OK);
  EXPECT_EQ(me.id(), alice.id());
  EXPECT_EQ(me.email(), "alice@example.com");

  // The interceptor refuses missing, malformed and forged tokens.
  EXPECT_EQ(GetMe(""), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetMe("not.a.token"), grpc::StatusCode::UNAUTHENTICATED);
  auto ctx = Ctx();
  ctx->AddMetadata("authorization", "Basic " + token);
  pb::GetUserResponse resp;
  EXPECT_EQ(stub_->GetUser(ctx.get(), pb::GetUserRequest(), &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_P(AccountGrpcTest, BadInputGetsClearStatuses) {
  Register("alice");
  pb::RegisterRequest dup;
  dup.set_username("ALICE");
  dup.set_email("new@example.com");
  dup.set_password(kPassword);
  pb::RegisterResponse r;
  auto dup_ctx = Ctx();
  dup_ctx->AddMetadata("x-request-id", "support-ticket-1234");
  grpc::Status st = stub_->Register(dup_ctx.get(), dup, &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  // The message says what is wrong and carries the request id the client
  // chose, which the server also echoes in its metadata.
  EXPECT_EQ(st.error_message(),
            "username is taken (request id support-ticket-1234)");
  auto echoed = dup_ctx->GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(echoed, dup_ctx->GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(echoed->second.data(), echoed->second.size()),
            "support-ticket-1234");

  // A request id that could forge log fields is replaced by a fresh one.
  auto bad_id_ctx = Ctx();
  bad_id_ctx->AddMetadata("x-request-id", "a b=c");
  st = stub_->Register(bad_id_ctx.get(), dup, &r);
  EXPECT_FALSE(absl::StrContains(st.error_message(), "a b=c"));
  EXPECT_TRUE(absl::StrContains(st.error_message(), "(request id "));

  pb::RegisterRequest weak = dup;
  weak.set_username("bob");
  weak.set_password("123");
  st = stub_->Register(Ctx().get(), weak, &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(st.error_message(), "password"))
      << st.error_message();

  pb::LoginRequest wrong;
  wrong.set_login("alice");
  wrong.set_password("wrong-password");
  pb::LoginResponse lr;
  auto ctx = Ctx();
  st = stub_->Login(ctx.get(), wrong, &lr);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReasonOf(*ctx), "BAD_CREDENTIALS");

  pb::SetRoleRequest role;
  role.set_user_id(1);
  role.set_role(pb::ROLE_ADMIN);
  pb::SetRoleResponse rr;
  EXPECT_EQ(stub_->SetRole(Ctx(Token("alice")).get(), role, &rr).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_P(AccountGrpcTest, AvatarStreamsInChunksAndRejectsBadUploads) {
  Register("alice");
  const std::string token = Token("alice");
  std::string png = std::string("\x89PNG\r\n\x1A\n", 8);
  png += std::string(200 * 1024, 'p');  // spans several chunks
  {
    pb::UploadAvatarResponse resp;
    auto ctx = Ctx(token);
    auto writer = stub_->UploadAvatar(ctx.get(), &resp);
    for (size_t off = 0; off < png.size(); off += 64 * 1024) {
      pb::UploadAvatarRequest chunk;
      chunk.set_chunk(png.substr(off, 64 * 1024));
      ASSERT_TRUE(writer->Write(chunk));
    }
    writer->WritesDone();
    grpc::Status st = writer->Finish();
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_TRUE(resp.user().has_avatar());
  }
  pb::GetAvatarRequest get;
  get.set_user_id(Register("viewer").id() - 0);  // someone without an avatar
  pb::GetAvatarResponse avatar;
  EXPECT_EQ(stub_->GetAvatar(Ctx().get(), get, &avatar).error_code(),
            grpc::StatusCode::NOT_FOUND);
  pb::User me;
  GetMe(token, &me);
  get.set_user_id(me.id());
  ASSERT_TRUE(stub_->GetAvatar(Ctx().get(), get, &avatar).ok());
  EXPECT_EQ(avatar.data(), png);
  EXPECT_EQ(avatar.mime_type(), "image/png");

  // Not an image: refused, and the old avatar stays.
  {
    pb::UploadAvatarResponse resp;
    auto ctx = Ctx(token);
    auto writer = stub_->UploadAvatar(ctx.get(), &resp);
    pb::UploadAvatarRequest chunk;
    chunk.set_chunk("#!/bin/sh\nrm -rf /\n");
    writer->Write(chunk);
    writer->WritesDone();
    EXPECT_EQ(writer->Finish().error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  // Too large: refused mid-stream.
  {
    pb::UploadAvatarResponse resp;
    auto ctx = Ctx(token);
    auto writer = stub_->UploadAvatar(ctx.get(), &resp);
    pb::UploadAvatarRequest chunk;
    chunk.set_chunk(std::string("\x89PNG\r\n\x1A\n", 8) +
                    std::string(1 << 20, 'x'));
    for (int i = 0; i < 3 && writer->Write(chunk); ++i) {
    }
    writer->WritesDone();
    grpc::Status st = writer->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_TRUE(absl::StrContains(st.error_message(), "larger than"));
  }
  ASSERT_TRUE(stub_->GetAvatar(Ctx().get(), get, &avatar).ok());
  EXPECT_EQ(avatar.data(), png);
  // Anonymous uploads are refused.
  pb::UploadAvatarResponse resp;
  auto ctx = Ctx();
  auto writer = stub_->UploadAvatar(ctx.get(), &resp);
  writer->WritesDone();
  EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

// Regression: a cancelled avatar stream replaced the avatar with the
// fragment that had arrived.
TEST_P(AccountGrpcTest, ACancelledAvatarUploadChangesNothing) {
  Register("alice");
  const std::string token = Token("alice");
  std::string png = std::string("\x89PNG\r\n\x1A\n", 8);
  png += std::string(200 * 1024, 'p');
  auto upload = [&](const std::string& bytes, bool cancel, int64_t total) {
    pb::UploadAvatarResponse resp;
    auto ctx = Ctx(token);
    auto writer = stub_->UploadAvatar(ctx.get(), &resp);
    pb::UploadAvatarRequest chunk;
    chunk.set_chunk(bytes);
    chunk.set_total_bytes(total);
    writer->Write(chunk);
    if (cancel) {
      absl::SleepFor(absl::Milliseconds(100));  // the server has read it
      ctx->TryCancel();
    } else {
      writer->WritesDone();
    }
    return writer->Finish();
  };
  ASSERT_TRUE(upload(png, false, 0).ok());
  EXPECT_EQ(upload(png.substr(0, 64 * 1024), true, 0).error_code(),
            grpc::StatusCode::CANCELLED);
  // A client that declares the size is protected even without cancelling.
  EXPECT_EQ(upload(png.substr(0, 64 * 1024), false, png.size()).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  pb::User me;
  GetMe(token, &me);
  pb::GetAvatarRequest get;
  get.set_user_id(me.id());
  pb::GetAvatarResponse avatar;
  ASSERT_TRUE(stub_->GetAvatar(Ctx().get(), get, &avatar).ok());
  EXPECT_EQ(avatar.data(), png);  // the whole first upload, untouched
}

// Regression: per-source throttling keyed on the TCP peer, so behind a load
// balancer 50 failures locked out everyone; and a forwarded-for header from
// an untrusted client must not let it dodge the limit.
TEST_P(AccountGrpcTest,
       SourceThrottlingUsesTheForwardedClientOnlyFromTrustedProxies) {
  Register("alice");
  int sprayed = 0;
  auto fail_logins = [&](pb::AccountService::Stub* stub,
                         const std::string& forwarded_for, int n) {
    grpc::StatusCode last = grpc::StatusCode::OK;
    for (int i = 0; i < n; ++i) {
      pb::LoginRequest req;
      req.set_login("nobody" + std::to_string(sprayed++));  // many accounts
      req.set_password("wrong-password-1");
      auto ctx = Ctx();
      ctx->AddMetadata("x-forwarded-for", forwarded_for);
      pb::LoginResponse resp;
      last = stub->Login(ctx.get(), req, &resp).error_code();
    }
    return last;
  };
  auto login_alice = [&](pb::AccountService::Stub* stub,
                         const std::string& forwarded_for) {
    pb::LoginRequest req;
    req.set_login("alice");
    req.set_password(kPassword);
    auto ctx = Ctx();
    ctx->AddMetadata("x-forwarded-for", forwarded_for);
    pb::LoginResponse resp;
    return stub->Login(ctx.get(), req, &resp).error_code();
  };

  // Behind a trusted proxy (this test's loopback peer), clients are told
  // apart by the address the proxy forwards.
  ServerOptions behind_lb;
  behind_lb.trusted_proxies = *TrustedProxies::Parse("127.0.0.0/8, ::1");
  auto lb_server =
      GrpcTestServer::Start(tp_->platform(), {service_.get()}, behind_lb);
  ASSERT_TRUE(lb_server.ok());
  auto lb = pb::AccountService::NewStub((*lb_server)->channel());
  EXPECT_EQ(fail_logins(lb.get(), "198.51.100.1", 51),
            grpc::StatusCode::RESOURCE_EXHAUSTED);  // the attacker is locked
  EXPECT_EQ(login_alice(lb.get(), "198.51.100.2"), grpc::StatusCode::OK);
  EXPECT_EQ(login_alice(lb.get(), "198.51.100.1"),
            grpc::StatusCode::RESOURCE_EXHAUSTED);

  // Without trust, the header is the client's own claim and is ignored:
  // rotating it does not dodge the limit.
  tp_->clock().Advance(absl::Hours(1));
  for (int i = 0; i < 51; ++i) {
    fail_logins(stub_.get(), "203.0.113." + std::to_string(i), 1);
  }
  EXPECT_EQ(login_alice(stub_.get(), "203.0.113.200"),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

// Regression: each request with invalid UTF-8 in a string field made
// protobuf print an error line on stderr, so a client could flood the log.
TEST_P(AccountGrpcTest, InvalidUtf8RequestsAreCountedNotLogged) {
  auto invalid_utf8_events = [] {
    for (const log::EventCount& c : log::EventCounts()) {
      if (c.event == "request_invalid_utf8") return c.count;
    }
    return int64_t{0};
  };
  const int64_t before = invalid_utf8_events();
  // RegisterRequest.username (field 1, a string) holding bytes that are not
  // UTF-8, built by hand: the generated code would refuse to serialise it.
  const std::string wire = std::string("\x0a\x04\xff\xfe\xfd\xfc", 6);
  grpc::GenericStub generic(channel_);
  // Point stderr at a file while the requests run.
  const std::string path =
      std::string(std::getenv("TEST_TMPDIR")) + "/stderr.txt";
  fflush(stderr);
  const int saved = dup(2);
  const int file = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
  dup2(file, 2);
  grpc::StatusCode code = grpc::StatusCode::OK;
  for (int i = 0; i < 200; ++i) {
    grpc::Slice slice(wire);
    grpc::ByteBuffer request(&slice, 1), response;
    auto ctx = Ctx();
    absl::Notification done;
    generic.UnaryCall(ctx.get(), "/tokkit.account.v1.AccountService/Register",
                      grpc::StubOptions(), &request, &response,
                      [&](grpc::Status st) {
                        code = st.error_code();
                        done.Notify();
                      });
    done.WaitForNotification();
  }
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  close(file);
  EXPECT_NE(code, grpc::StatusCode::OK);
  std::ifstream in(path);
  std::stringstream captured;
  captured << in.rdbuf();
  EXPECT_FALSE(absl::StrContains(captured.str(), "UTF-8")) << captured.str();
  EXPECT_EQ(invalid_utf8_events() - before, 200);
}

TEST_P(AccountGrpcTest, TotpEnforcedThroughTheWire) {
  Register("alice");
  const std::string token = Token("alice");
  pb::BeginTotpEnrollmentResponse enrol;
  ASSERT_TRUE(stub_
                  ->BeginTotpEnrollment(Ctx(token).get(),
                                        pb::BeginTotpEnrollmentRequest(),
                                        &enrol)
                  .ok());
  EXPECT_TRUE(absl::StartsWith(enrol.qr_png(), "\x89PNG"));
  const std::string secret = *Base32Decode(enrol.secret_base32());
  pb::ConfirmTotpRequest confirm;
  confirm.set_code(
      account::TotpCode(secret, account::TotpStep(tp_->clock().Now())));
  pb::ConfirmTotpResponse cr;
  ASSERT_TRUE(stub_->ConfirmTotp(Ctx(token).get(), confirm, &cr).ok());

  pb::LoginResponse lr;
  std::string reason;
  EXPECT_EQ(Login("alice", &lr, "", &reason).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(reason, "TOTP_REQUIRED");
  EXPECT_TRUE(lr.tokens().access_token().empty());
  tp_->clock().Advance(absl::Seconds(30));
  const std::string code =
      account::TotpCode(secret, account::TotpStep(tp_->clock().Now()));
  EXPECT_TRUE(Login("alice", &lr, code).ok());
  EXPECT_EQ(Login("alice", &lr, code, &reason).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(reason, "TOTP_INVALID");
}

TEST_P(AccountGrpcTest, BanRefreshAndLogoutTakeEffectAtOnce) {
  pb::User bob = Register("bob");
  Register("boss");
  ASSERT_TRUE(tp_->platform().accounts().GrantAdmin("boss").ok());
  const std::string admin = Token("boss");
  pb::LoginResponse bob_login;
  ASSERT_TRUE(Login("bob", &bob_login).ok());
  const std::string bob_token = bob_login.tokens().access_token();
  EXPECT_EQ(GetMe(bob_token), grpc::StatusCode::OK);

  pb::BanUserRequest ban;
  ban.set_user_id(bob.id());
  pb::BanUserResponse banned;
  ASSERT_TRUE(stub_->BanUser(Ctx(admin).get(), ban, &banned).ok());
  EXPECT_EQ(banned.user().status(), pb::USER_STATUS_BANNED);
  EXPECT_EQ(GetMe(bob_token), grpc::StatusCode::PERMISSION_DENIED);
  pb::RefreshRequest refresh;
  refresh.set_refresh_token(bob_login.tokens().refresh_token());
  pb::RefreshResponse rr;
  EXPECT_EQ(stub_->Refresh(Ctx().get(), refresh, &rr).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  pb::UnbanUserRequest unban;
  unban.set_user_id(bob.id());
  pb::UnbanUserResponse ur;
  ASSERT_TRUE(stub_->UnbanUser(Ctx(admin).get(), unban, &ur).ok());
  pb::LoginResponse again;
  ASSERT_TRUE(Login("bob", &again).ok());
  refresh.set_refresh_token(again.tokens().refresh_token());
  ASSERT_TRUE(stub_->Refresh(Ctx().get(), refresh, &rr).ok());
  const std::string rotated = rr.tokens().access_token();
  EXPECT_EQ(GetMe(rotated), grpc::StatusCode::OK);

  pb::LogoutResponse lo;
  ASSERT_TRUE(stub_->Logout(Ctx(rotated).get(), pb::LogoutRequest(), &lo).ok());
  EXPECT_EQ(GetMe(rotated), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_P(AccountGrpcTest, AddressesAndProfileOwnership) {
  Register("alice");
  pb::User bob = Register("bob");
  const std::string alice = Token("alice");
  const std::string bob_token = Token("bob");

  pb::AddAddressRequest add;
  pb::Address* a = add.mutable_address();
  a->set_recipient("Alice");
  a->set_phone("+86 138 0000 0000");
  a->set_line1("88 West Lake Rd");
  a->set_city("Hangzhou");
  a->set_country_code("CN");
  pb::AddAddressResponse added;
  ASSERT_TRUE(stub_->AddAddress(Ctx(alice).get(), add, &added).ok());
  EXPECT_TRUE(added.address().is_default());

  pb::DeleteAddressRequest del;
  del.set_address_id(added.address().id());
  pb::DeleteAddressResponse dr;
  EXPECT_EQ(stub_->DeleteAddress(Ctx(bob_token).get(), del, &dr).error_code(),
            grpc::StatusCode::NOT_FOUND);
  pb::ListAddressesResponse list;
  ASSERT_TRUE(stub_->ListAddresses(Ctx(alice).get(), {}, &list).ok());
  EXPECT_EQ(list.addresses_size(), 1);

  pb::UpdateProfileRequest up;
  up.set_bio("hi there");
  pb::UpdateProfileResponse upr;
  ASSERT_TRUE(stub_->UpdateProfile(Ctx(alice).get(), up, &upr).ok());
  EXPECT_EQ(upr.user().bio(), "hi there");
  EXPECT_EQ(upr.user().display_name(), "alice");  // not sent, not cleared

  pb::GetUserRequest other;
  other.set_user_id(upr.user().id());
  pb::GetUserResponse seen;
  ASSERT_TRUE(stub_->GetUser(Ctx(bob_token).get(), other, &seen).ok());
  EXPECT_EQ(seen.user().bio(), "hi there");
  EXPECT_EQ(seen.user().email(), "");  // private to alice
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountGrpcTest,
                         ::testing::ValuesIn(SqlStorages()), StorageTestName);

}  // namespace
}  // namespace tokkit
