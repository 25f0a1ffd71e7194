// account_server: the account service alone, for deployments that scale each
// domain separately. Stateless: run as many replicas as needed against one
// PostgreSQL, each with its own --worker_id and the shared signing keys.
#include "services/account/account_grpc_service.h"
#include "services/common/server_main.h"

int main(int argc, char** argv) {
  return tokkit::RunServerMain(
      argc, argv, "account_server", [](tokkit::Platform& platform) {
        std::vector<std::unique_ptr<grpc::Service>> s;
        s.push_back(
            std::make_unique<tokkit::AccountGrpcService>(&platform.accounts()));
        return s;
      });
}
