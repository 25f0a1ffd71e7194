// Builds and starts a gRPC server with tokkit's interceptors, health checking
// and reflection, for the service binaries and for end-to-end tests.
#ifndef TOKKIT_SERVICES_COMMON_SERVER_H_
#define TOKKIT_SERVICES_COMMON_SERVER_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/service_type.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/account/principal.h"
#include "services/common/client_address.h"

namespace tokkit {

struct ServerOptions {
  // Load balancers / gateways whose X-Forwarded-For is believed.
  TrustedProxies trusted_proxies;
};

struct RunningServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;  // the bound port (useful with ":0")
};

// Listens on `address` (host:port; port 0 picks a free one) without TLS:
// terminate TLS at the load balancer or mesh sidecar in front.
absl::StatusOr<RunningServer> StartServer(
    const std::string& address, const std::vector<grpc::Service*>& services,
    account::Authenticator* authenticator, const ServerOptions& options = {});

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMON_SERVER_H_
