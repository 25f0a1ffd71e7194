// tokkit_server: every tokkit service in one process. With the defaults it
// is the embedded setup: SQLite and blobs under --data_dir, no other servers.
#include "services/account/account_grpc_service.h"
#include "services/assistant/assistant_grpc_service.h"
#include "services/commerce/commerce_grpc_service.h"
#include "services/common/server_main.h"
#include "services/feed/feed_grpc_service.h"
#include "services/order/order_grpc_service.h"
#include "services/social/social_grpc_service.h"

int main(int argc, char** argv) {
  return tokkit::RunServerMain(
      argc, argv, "tokkit_server",
      [](tokkit::Platform& platform) {
        std::vector<std::unique_ptr<grpc::Service>> s;
        s.push_back(
            std::make_unique<tokkit::AccountGrpcService>(&platform.accounts()));
        s.push_back(std::make_unique<tokkit::SocialGrpcService>(
            &platform.social(), &platform.chat()));
        s.push_back(
            std::make_unique<tokkit::FeedGrpcService>(&platform.feed()));
        s.push_back(std::make_unique<tokkit::CommerceGrpcService>(
            &platform.commerce()));
        s.push_back(
            std::make_unique<tokkit::OrderGrpcService>(&platform.orders()));
        s.push_back(std::make_unique<tokkit::AssistantGrpcService>(
            &platform.assistant()));
        return s;
      },
      {/*metrics_listen=*/"127.0.0.1:9464", /*http_listen=*/"127.0.0.1:8080"});
}
