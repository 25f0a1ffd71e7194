// A real gRPC server on a free loopback port over a Platform, for end-to-end
// tests, and client contexts carrying a bearer token.
#ifndef TOKKIT_SERVICES_COMMON_TESTING_GRPC_TEST_SERVER_H_
#define TOKKIT_SERVICES_COMMON_TESTING_GRPC_TEST_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/platform/platform.h"
#include "services/common/server.h"

namespace tokkit::testing {

class GrpcTestServer {
 public:
  // Serves `services` (kept by the caller) with the platform's authenticator.
  static absl::StatusOr<std::unique_ptr<GrpcTestServer>> Start(
      Platform& platform, const std::vector<grpc::Service*>& services,
      const ServerOptions& options = {});
  ~GrpcTestServer();  // shuts down, giving open streams 2 s

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  // A channel into the server without a socket (what the HTTP gateway of
  // tokkit_server uses).
  std::shared_ptr<grpc::Channel> in_process_channel() const {
    return server_.server->InProcessChannel(grpc::ChannelArguments());
  }
  int port() const { return server_.port; }

 private:
  GrpcTestServer() = default;
  RunningServer server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// A client context with `authorization: Bearer <token>` (none when empty)
// and a 20 s deadline, so a hung call fails the test instead of hanging it.
std::unique_ptr<grpc::ClientContext> BearerContext(
    const std::string& token = "");

}  // namespace tokkit::testing

#endif  // TOKKIT_SERVICES_COMMON_TESTING_GRPC_TEST_SERVER_H_
