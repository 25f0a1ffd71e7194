// The shared main() of tokkit's service binaries: flags, the signing-key
// file, opening the Platform, serving until SIGINT/SIGTERM.
#ifndef TOKKIT_SERVICES_COMMON_SERVER_MAIN_H_
#define TOKKIT_SERVICES_COMMON_SERVER_MAIN_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/service_type.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/account/access_token.h"
#include "lib/platform/platform.h"
#include "services/common/signing_keys.h"

namespace tokkit {

using ServiceFactory =
    std::function<std::vector<std::unique_ptr<grpc::Service>>(
        Platform& platform)>;

// Flag defaults that differ per binary.
struct ServerDefaults {
  std::string metrics_listen;  // empty: metrics off unless asked for
  std::string http_listen;     // empty: HTTP gateway off unless asked for
};

// Parses flags (--help lists them), opens the platform and serves the
// services `make_services` returns. Returns the process exit code.
int RunServerMain(int argc, char** argv, const std::string& name,
                  const ServiceFactory& make_services,
                  const ServerDefaults& defaults = {});

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMON_SERVER_MAIN_H_
