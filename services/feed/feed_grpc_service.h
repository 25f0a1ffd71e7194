// gRPC adapter of the video domain.
#ifndef TOKKIT_SERVICES_FEED_FEED_GRPC_SERVICE_H_
#define TOKKIT_SERVICES_FEED_FEED_GRPC_SERVICE_H_

#include "lib/feed/feed_service.h"
#include "proto/tokkit/feed/v1/feed.grpc.pb.h"

namespace tokkit {

namespace feedpb = ::tokkit::feed::v1;

class FeedGrpcService final : public feedpb::FeedService::Service {
 public:
  explicit FeedGrpcService(feed::FeedService* feed) : feed_(feed) {}

  using Ctx = grpc::ServerContext;
  grpc::Status PublishVideo(
      Ctx* context, grpc::ServerReader<feedpb::PublishVideoRequest>* reader,
      feedpb::Video* response) override;
  grpc::Status DeleteVideo(Ctx* context, const feedpb::VideoRequest* request,
                           feedpb::Empty* response) override;
  grpc::Status GetVideo(Ctx* context, const feedpb::VideoRequest* request,
                        feedpb::Video* response) override;
  grpc::Status Download(
      Ctx* context, const feedpb::DownloadRequest* request,
      grpc::ServerWriter<feedpb::DownloadChunk>* writer) override;
  grpc::Status ListAuthorVideos(Ctx* context,
                                const feedpb::AuthorVideosRequest* request,
                                feedpb::VideoPage* response) override;
  grpc::Status ListLatest(Ctx* context, const feedpb::PageRequest* request,
                          feedpb::VideoPage* response) override;
  grpc::Status GetVideos(Ctx* context, const feedpb::GetVideosRequest* request,
                         feedpb::GetVideosResponse* response) override;
  grpc::Status ForYou(Ctx* context, const feedpb::PageRequest* request,
                      feedpb::VideoPage* response) override;
  grpc::Status Popular(Ctx* context, const feedpb::PageRequest* request,
                       feedpb::PopularPage* response) override;
  grpc::Status Search(Ctx* context, const feedpb::SearchRequest* request,
                      feedpb::VideoPage* response) override;
  grpc::Status RecordView(Ctx* context, const feedpb::VideoRequest* request,
                          feedpb::Empty* response) override;

 private:
  feed::FeedService* const feed_;
};

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_FEED_FEED_GRPC_SERVICE_H_
