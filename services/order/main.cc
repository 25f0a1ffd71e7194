// shop_server: commerce and orders together (they share stock transactions).
// Replicas share the database; each sweeps expired orders safely.
#include "services/commerce/commerce_grpc_service.h"
#include "services/common/server_main.h"
#include "services/order/order_grpc_service.h"

int main(int argc, char** argv) {
  return tokkit::RunServerMain(
      argc, argv, "shop_server", [](tokkit::Platform& platform) {
        std::vector<std::unique_ptr<grpc::Service>> s;
        s.push_back(std::make_unique<tokkit::CommerceGrpcService>(
            &platform.commerce()));
        s.push_back(
            std::make_unique<tokkit::OrderGrpcService>(&platform.orders()));
        return s;
      });
}
