#include "services/feed/feed_grpc_service.h"

#include "lib/core/status_macros.h"
#include "services/common/handler.h"
#include "services/common/media_urls.h"

namespace tokkit {
namespace {

using account::Principal;

constexpr int64_t kChunkBytes = int64_t{64} * 1024;

void ToProto(const feed::Video& v, feedpb::Video* out) {
  out->set_id(v.id);
  out->set_author_id(v.author_id);
  out->set_author_name(v.author_name);
  out->set_title(v.title);
  out->set_description(v.description);
  for (const std::string& t : v.tags) out->add_tags(t);
  out->set_video_mime_type(v.video_mime);
  out->set_video_bytes(v.video_bytes);
  out->set_video_sha256(v.video_sha256);
  out->set_has_cover(!v.cover_key.empty());
  out->set_view_count(v.view_count);
  out->set_created_at_ms(absl::ToUnixMillis(v.created_at));
  out->set_video_url(CurrentMediaUrls().Video(v.id));
  if (!v.cover_key.empty()) out->set_cover_url(CurrentMediaUrls().Cover(v.id));
}

void ToProto(const Page<feed::Video>& page, feedpb::VideoPage* out) {
  for (const feed::Video& v : page.items) ToProto(v, out->add_videos());
  out->set_next_page_token(page.next_page_token);
}

}  // namespace

grpc::Status FeedGrpcService::PublishVideo(
    Ctx* context, grpc::ServerReader<feedpb::PublishVideoRequest>* reader,
    feedpb::Video* response) {
  return WithCallerStreaming(
      context, [&](const Principal& caller) -> absl::Status {
        feedpb::PublishVideoRequest part;
        if (!reader->Read(&part) || !part.has_metadata()) {
          return absl::InvalidArgumentError(
              "the first message must carry the metadata");
        }
        feed::PublishRequest request;
        request.title = part.metadata().title();
        request.description = part.metadata().description();
        request.tags.assign(part.metadata().tags().begin(),
                            part.metadata().tags().end());
        const int64_t declared_bytes = part.metadata().video_bytes();
        const std::string declared_sha = part.metadata().video_sha256();
        if (declared_bytes < 0) {
          return absl::InvalidArgumentError("video_bytes must not be negative");
        }
        ASSIGN_OR_RETURN(std::unique_ptr<feed::VideoUpload> upload,
                         feed_->BeginPublish(caller, std::move(request)));
        while (reader->Read(&part)) {
          // A failure stops the upload here; the client's remaining chunks are
          // not read, and the upload's destructor removes what was written.
          switch (part.part_case()) {
            case feedpb::PublishVideoRequest::kVideoChunk:
              RETURN_IF_ERROR(upload->AppendVideo(part.video_chunk()));
              break;
            case feedpb::PublishVideoRequest::kCoverChunk:
              RETURN_IF_ERROR(upload->AppendCover(part.cover_chunk()));
              break;
            default:
              return absl::InvalidArgumentError("metadata may only come first");
          }
        }
        // A cancelled stream also ends Read(): never publish a fragment.
        RETURN_IF_ERROR(StreamEndedCleanly(context));
        RETURN_IF_ERROR(upload->Expect(declared_bytes, declared_sha));
        ASSIGN_OR_RETURN(feed::Video v, upload->Finish());
        ToProto(v, response);
        return absl::OkStatus();
      });
}

grpc::Status FeedGrpcService::DeleteVideo(Ctx* context,
                                          const feedpb::VideoRequest* request,
                                          feedpb::Empty*) {
  return WithCaller(context, *request, [&](const Principal& caller) {
    return feed_->DeleteVideo(caller, request->video_id());
  });
}

grpc::Status FeedGrpcService::GetVideo(Ctx* context,
                                       const feedpb::VideoRequest* request,
                                       feedpb::Video* response) {
  return Public(context, *request, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(feed::Video v, feed_->GetVideo(request->video_id()));
    ToProto(v, response);
    return absl::OkStatus();
  });
}

grpc::Status FeedGrpcService::GetVideos(Ctx* context,
                                        const feedpb::GetVideosRequest* request,
                                        feedpb::GetVideosResponse* response) {
  return WithViewer(context, *request, [&](int64_t viewer) -> absl::Status {
    const std::vector<int64_t> ids(request->video_ids().begin(),
                                   request->video_ids().end());
    ASSIGN_OR_RETURN(std::vector<feed::VideoCard> cards,
                     feed_->GetVideos(viewer, ids));
    for (const feed::VideoCard& c : cards) {
      feedpb::VideoCard* out = response->add_videos();
      ToProto(c.video, out->mutable_video());
      out->set_like_count(c.like_count);
      out->set_comment_count(c.comment_count);
      out->set_liked_by_viewer(c.liked_by_viewer);
    }
    return absl::OkStatus();
  });
}

grpc::Status FeedGrpcService::Download(
    Ctx* context, const feedpb::DownloadRequest* request,
    grpc::ServerWriter<feedpb::DownloadChunk>* writer) {
  return Public(context, *request, [&]() -> absl::Status {
    if (request->length() < 0) {
      return absl::InvalidArgumentError(
          "length must not be negative (0: to the end)");
    }
    ASSIGN_OR_RETURN(feed::MediaInfo media,
                     request->cover() ? feed_->CoverMedia(request->video_id())
                                      : feed_->VideoMedia(request->video_id()));
    if (request->offset() < 0 || request->offset() > media.size) {
      return absl::OutOfRangeError("offset is outside the media");
    }
    // offset + length may not fit in 64 bits: compare with what remains.
    const int64_t remaining = media.size - request->offset();
    const int64_t end = request->length() == 0 || request->length() >= remaining
                            ? media.size
                            : request->offset() + request->length();
    int64_t offset = request->offset();
    bool first = true;
    do {
      const int64_t n = std::min(kChunkBytes, end - offset);
      ASSIGN_OR_RETURN(std::string data, feed_->ReadMedia(media, offset, n));
      feedpb::DownloadChunk chunk;
      if (first) {
        chunk.set_mime_type(media.mime_type);
        chunk.set_total_bytes(media.size);
        first = false;
      }
      chunk.set_offset(offset);
      chunk.set_data(std::move(data));
      if (!writer->Write(chunk))
        return absl::CancelledError("client went away");
      offset += n;
    } while (offset < end && !context->IsCancelled());
    return absl::OkStatus();
  });
}

grpc::Status FeedGrpcService::ListAuthorVideos(
    Ctx* context, const feedpb::AuthorVideosRequest* request,
    feedpb::VideoPage* response) {
  return Public(context, *request, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        Page<feed::Video> page,
        feed_->ListByAuthor(request->author_id(), request->page_token(),
                            request->page_size()));
    ToProto(page, response);
    return absl::OkStatus();
  });
}

grpc::Status FeedGrpcService::ListLatest(Ctx* context,
                                         const feedpb::PageRequest* request,
                                         feedpb::VideoPage* response) {
  return Public(context, *request, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        Page<feed::Video> page,
        feed_->ListLatest(request->page_token(), request->page_size()));
    ToProto(page, response);
    return absl::OkStatus();
  });
}

grpc::Status FeedGrpcService::ForYou(Ctx* context,
                                     const feedpb::PageRequest* request,
                                     feedpb::VideoPage* response) {
  return WithViewer(context, *request, [&](int64_t viewer) -> absl::Status {
    ASSIGN_OR_RETURN(
        Page<feed::Video> page,
        feed_->ForYou(viewer, request->page_token(), request->page_size()));
    ToProto(page, response);
    return absl::OkStatus();
  });
}

grpc::Status FeedGrpcService::Popular(Ctx* context,
                                      const feedpb::PageRequest* request,
                                      feedpb::PopularPage* response) {
  return Public(context, *request, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        Page<feed::PopularEntry> page,
        feed_->Popular(request->page_token(), request->page_size()));
    for (const feed::PopularEntry& e : page.items) {
      feedpb::PopularVideo* out = response->add_videos();
      ToProto(e.video, out->mutable_video());
      out->set_score(e.score);
    }
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status FeedGrpcService::Search(Ctx* context,
                                     const feedpb::SearchRequest* request,
                                     feedpb::VideoPage* response) {
  return Public(context, *request, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Page<feed::Video> page,
                     feed_->Search(request->query(), request->page_token(),
                                   request->page_size()));
    ToProto(page, response);
    return absl::OkStatus();
  });
}

grpc::Status FeedGrpcService::RecordView(Ctx* context,
                                         const feedpb::VideoRequest* request,
                                         feedpb::Empty*) {
  return Public(context, *request,
                [&] { return feed_->RecordView(request->video_id()); });
}

}  // namespace tokkit
