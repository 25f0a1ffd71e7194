// A gRPC client of tokkit_server: what an app backend or a test harness in
// C++ does. Registers a user, logs in, calls authenticated RPCs with the
// bearer token, streams an avatar and refreshes the tokens.
//
//   bazel run //services/tokkit_server &      # listens on 127.0.0.1:50051
//   bazel run //examples/grpc_client -- --server=127.0.0.1:50051
#include <gflags/gflags.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "proto/tokkit/account/v1/account.grpc.pb.h"

DEFINE_string(server, "127.0.0.1:50051", "tokkit_server address");
DEFINE_string(username, "", "user to register (default: a fresh name)");

namespace pb = tokkit::account::v1;

namespace {

// Every authenticated call carries the access token as gRPC metadata.
std::unique_ptr<grpc::ClientContext> Authed(const std::string& access_token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("authorization", "Bearer " + access_token);
  return ctx;
}

bool Check(const grpc::Status& st, const char* what) {
  if (!st.ok()) {
    std::fprintf(stderr, "%s failed: %d %s\n", what, st.error_code(),
                 st.error_message().c_str());
  }
  return st.ok();
}

}  // namespace

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  auto channel =
      grpc::CreateChannel(FLAGS_server, grpc::InsecureChannelCredentials());
  if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                 std::chrono::seconds(10))) {
    std::fprintf(stderr, "cannot reach %s\n", FLAGS_server.c_str());
    return 1;
  }
  auto stub = pb::AccountService::NewStub(channel);
  const std::string username =
      FLAGS_username.empty()
          ? absl::StrCat("user", absl::ToUnixMicros(absl::Now()) % 100000000)
          : FLAGS_username;

  pb::RegisterRequest reg;
  reg.set_username(username);
  reg.set_email(username + "@example.com");
  reg.set_password("river-stone-77");
  pb::RegisterResponse registered;
  {
    grpc::ClientContext ctx;
    if (!Check(stub->Register(&ctx, reg, &registered), "Register")) return 1;
  }
  std::printf("registered %s as id %lld\n", username.c_str(),
              static_cast<long long>(registered.user().id()));

  pb::LoginRequest login;
  login.set_login(username);
  login.set_password("river-stone-77");
  pb::LoginResponse session;
  {
    grpc::ClientContext ctx;
    if (!Check(stub->Login(&ctx, login, &session), "Login")) return 1;
  }
  const std::string token = session.tokens().access_token();
  std::printf("logged in\n");

  {
    // Without the token the server refuses: the interceptor checks every call.
    grpc::ClientContext ctx;
    pb::GetUserResponse me;
    grpc::Status st = stub->GetUser(&ctx, pb::GetUserRequest(), &me);
    std::printf("GetUser without a token: %s\n",
                st.ok() ? "ok (unexpected)" : st.error_message().c_str());
    if (st.ok()) return 1;
  }

  pb::UpdateProfileRequest profile;
  profile.set_bio("Posting cooking videos every Friday");
  pb::UpdateProfileResponse updated;
  if (!Check(stub->UpdateProfile(Authed(token).get(), profile, &updated),
             "UpdateProfile")) {
    return 1;
  }
  std::printf("bio: %s\n", updated.user().bio().c_str());

  // A tiny PNG avatar, streamed in chunks as a real upload would be.
  const std::string png =
      std::string("\x89PNG\r\n\x1A\n", 8) + std::string(5000, '\0');
  pb::UploadAvatarResponse avatar;
  {
    auto ctx = Authed(token);
    auto writer = stub->UploadAvatar(ctx.get(), &avatar);
    for (size_t off = 0; off < png.size(); off += 1024) {
      pb::UploadAvatarRequest chunk;
      chunk.set_chunk(png.substr(off, 1024));
      if (!writer->Write(chunk)) break;
    }
    writer->WritesDone();
    if (!Check(writer->Finish(), "UploadAvatar")) return 1;
  }
  std::printf("avatar uploaded: %s\n",
              avatar.user().has_avatar() ? "yes" : "no");

  pb::RefreshRequest refresh;
  refresh.set_refresh_token(session.tokens().refresh_token());
  pb::RefreshResponse rotated;
  {
    grpc::ClientContext ctx;
    if (!Check(stub->Refresh(&ctx, refresh, &rotated), "Refresh")) return 1;
  }
  pb::GetUserResponse me;
  if (!Check(stub->GetUser(Authed(rotated.tokens().access_token()).get(),
                           pb::GetUserRequest(), &me),
             "GetUser")) {
    return 1;
  }
  std::printf("after refresh, GetUser says I am %s\n",
              me.user().username().c_str());
  pb::LogoutResponse out;
  if (!Check(stub->Logout(Authed(rotated.tokens().access_token()).get(),
                          pb::LogoutRequest(), &out),
             "Logout")) {
    return 1;
  }
  std::printf("done\n");
  return 0;
}
