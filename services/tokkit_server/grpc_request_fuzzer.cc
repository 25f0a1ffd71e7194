// Every RPC of tokkit_server, fed arbitrary bytes as its request message
// through a real server (the in-process channel, with the interceptors),
// with and without a valid bearer token. Input: byte 0 picks the method,
// byte 1 bit 0 whether to authenticate, the rest is the request. Whatever
// arrives, the server must answer with a status and stay up.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "google/protobuf/descriptor.h"
#include "lib/core/log.h"
#include "lib/platform/testing/test_platform.h"
#include "services/account/account_grpc_service.h"
#include "services/commerce/commerce_grpc_service.h"
#include "services/common/server.h"
#include "services/feed/feed_grpc_service.h"
#include "services/order/order_grpc_service.h"
#include "services/social/social_grpc_service.h"

namespace {

struct World {
  std::unique_ptr<tokkit::testing::TestPlatform> platform;
  std::vector<std::unique_ptr<grpc::Service>> services;
  tokkit::RunningServer server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::GenericStub> stub;
  std::vector<std::string> methods;
  std::string token;
};

World* g_world = nullptr;

// libFuzzer ends a timed run with exit(): stop the server and the platform's
// background threads before static destructors run (SOCI's SQLite backend
// has a static map its statements read), or the outbox tailer reads freed
// memory at exit.
void ShutDownWorld() {
  World* w = std::exchange(g_world, nullptr);
  if (w == nullptr) return;
  w->server.server->Shutdown(std::chrono::system_clock::now());
  delete w;
}

World* MakeWorld() {
  tokkit::log::Options quiet;
  quiet.min_level = tokkit::log::Level::kError;
  (void)tokkit::log::Configure(quiet);
  auto* w = new World();
  w->platform = *tokkit::testing::TestPlatform::Create("sqlite");
  tokkit::Platform& p = w->platform->platform();
  w->services.push_back(
      std::make_unique<tokkit::AccountGrpcService>(&p.accounts()));
  w->services.push_back(
      std::make_unique<tokkit::SocialGrpcService>(&p.social(), &p.chat()));
  w->services.push_back(std::make_unique<tokkit::FeedGrpcService>(&p.feed()));
  w->services.push_back(
      std::make_unique<tokkit::CommerceGrpcService>(&p.commerce()));
  w->services.push_back(
      std::make_unique<tokkit::OrderGrpcService>(&p.orders()));
  std::vector<grpc::Service*> raw;
  for (auto& s : w->services) raw.push_back(s.get());
  w->server = *tokkit::StartServer("127.0.0.1:0", raw, &p.authenticator());
  w->channel = w->server.server->InProcessChannel(grpc::ChannelArguments());
  w->stub = std::make_unique<grpc::GenericStub>(w->channel);
  w->token = w->platform->SignUp("fuzzer")->tokens.access_token;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const char* name :
       {"tokkit.account.v1.AccountService", "tokkit.social.v1.SocialService",
        "tokkit.feed.v1.FeedService", "tokkit.commerce.v1.CommerceService",
        "tokkit.order.v1.OrderService"}) {
    const google::protobuf::ServiceDescriptor* s =
        pool->FindServiceByName(name);
    for (int i = 0; s != nullptr && i < s->method_count(); ++i) {
      w->methods.push_back("/" + std::string(name) + "/" +
                           std::string(s->method(i)->name()));
    }
  }
  std::sort(w->methods.begin(), w->methods.end());
  g_world = w;
  // Registered after SOCI's statics were constructed, so it runs first.
  std::atexit(ShutDownWorld);
  return w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = MakeWorld();
  if (size < 2 || world->methods.empty()) return 0;
  const std::string& method = world->methods[data[0] % world->methods.size()];
  grpc::ClientContext ctx;
  if (data[1] & 1) ctx.AddMetadata("authorization", "Bearer " + world->token);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::Slice slice(data + 2, size - 2);
  grpc::ByteBuffer request(&slice, 1), response;
  absl::Notification done;
  grpc::Status status;
  world->stub->UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                         [&](grpc::Status st) {
                           status = std::move(st);
                           done.Notify();
                         });
  done.WaitForNotification();
  return 0;
}
