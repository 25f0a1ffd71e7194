// social_server: likes, comments, follows and chat alone. Replicas share the
// database; live chat reaches a user connected to any replica through the
// outbox relay each replica runs.
#include "services/common/server_main.h"
#include "services/social/social_grpc_service.h"

int main(int argc, char** argv) {
  return tokkit::RunServerMain(
      argc, argv, "social_server", [](tokkit::Platform& platform) {
        std::vector<std::unique_ptr<grpc::Service>> s;
        s.push_back(std::make_unique<tokkit::SocialGrpcService>(
            &platform.social(), &platform.chat()));
        return s;
      });
}
