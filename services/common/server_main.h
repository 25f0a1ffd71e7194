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

// Reads signing keys from `path` ("<key id> <hex secret>" per line, the first
// signs), creating the file with one fresh key (mode 0600) when it does not
// exist. Every replica must share this file.
absl::StatusOr<std::vector<account::SigningKey>> LoadOrCreateSigningKeys(
    const std::string& path);

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMON_SERVER_MAIN_H_
