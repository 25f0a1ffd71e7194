#include "services/common/testing/grpc_test_server.h"

#include "absl/strings/str_cat.h"
#include "lib/core/status_macros.h"

namespace tokkit::testing {

absl::StatusOr<std::unique_ptr<GrpcTestServer>> GrpcTestServer::Start(
    Platform& platform, const std::vector<grpc::Service*>& services,
    const ServerOptions& options) {
  std::unique_ptr<GrpcTestServer> t(new GrpcTestServer());
  ASSIGN_OR_RETURN(t->server_, StartServer("127.0.0.1:0", services,
                                           &platform.authenticator(), options));
  t->channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", t->server_.port),
                                    grpc::InsecureChannelCredentials());
  return t;
}

GrpcTestServer::~GrpcTestServer() {
  if (server_.server) {
    server_.server->Shutdown(std::chrono::system_clock::now() +
                             std::chrono::seconds(2));
  }
}

std::unique_ptr<grpc::ClientContext> BearerContext(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(20));
  return ctx;
}

}  // namespace tokkit::testing
