// feed_server: videos, feeds, search and views alone. Replicas share the
// database and blob store (mount the same volume, or swap the BlobStore).
#include "services/common/server_main.h"
#include "services/feed/feed_grpc_service.h"

int main(int argc, char** argv) {
  return tokkit::RunServerMain(
      argc, argv, "feed_server", [](tokkit::Platform& platform) {
        std::vector<std::unique_ptr<grpc::Service>> s;
        s.push_back(
            std::make_unique<tokkit::FeedGrpcService>(&platform.feed()));
        return s;
      });
}
