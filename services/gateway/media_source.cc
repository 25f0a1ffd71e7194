#include "services/gateway/media_source.h"

#include "absl/strings/str_cat.h"
#include "lib/core/crypto.h"
#include "lib/core/media_type.h"
#include "proto/tokkit/account/v1/account.grpc.pb.h"
#include "proto/tokkit/commerce/v1/commerce.grpc.pb.h"
#include "proto/tokkit/feed/v1/feed.grpc.pb.h"
#include "services/common/grpc_status.h"

namespace tokkit::gateway {
namespace {

std::string Quoted(absl::string_view s) { return absl::StrCat("\"", s, "\""); }

// A small blob held whole (avatars and product images are capped at a few
// MiB by their services).
MediaObject WholeObject(std::string data, std::string mime_type) {
  MediaObject m;
  m.size = static_cast<int64_t>(data.size());
  m.etag = Quoted(Sha256Hex(data).substr(0, 32));
  m.mime_type = mime_type.empty() ? std::string(MimeType(SniffMediaType(data)))
                                  : std::move(mime_type);
  auto shared = std::make_shared<const std::string>(std::move(data));
  m.read = [shared](int64_t offset,
                    int64_t length) -> absl::StatusOr<std::string> {
    if (offset > static_cast<int64_t>(shared->size())) {
      return absl::OutOfRangeError("offset past the end");
    }
    return shared->substr(offset, length);
  };
  return m;
}

class PlatformMediaSource : public MediaSource {
 public:
  PlatformMediaSource(Platform* platform, absl::Duration redirect_ttl)
      : platform_(platform), redirect_ttl_(redirect_ttl) {}

  absl::StatusOr<MediaObject> Open(MediaKind kind, int64_t id,
                                   int index) override {
    switch (kind) {
      case MediaKind::kVideo:
      case MediaKind::kCover: {
        absl::StatusOr<feed::Video> video = platform_->feed().GetVideo(id);
        if (!video.ok()) return video.status();
        const bool cover = kind == MediaKind::kCover;
        absl::StatusOr<feed::MediaInfo> media =
            cover ? platform_->feed().CoverMedia(id)
                  : platform_->feed().VideoMedia(id);
        if (!media.ok()) return media.status();
        MediaObject m;
        m.mime_type = media->mime_type;
        m.size = media->size;
        // A video's bytes are fixed at publish; its key names them.
        m.etag = Quoted(cover ? Sha256Hex(media->key).substr(0, 32)
                              : video->video_sha256);
        m.modified = video->created_at;
        m.immutable = true;
        if (redirect_ttl_ > absl::ZeroDuration()) {
          absl::StatusOr<std::string> url =
              platform_->blobs().SignedReadUrl(media->key, redirect_ttl_);
          if (url.ok()) m.redirect_url = *std::move(url);
        }
        feed::FeedService* service = &platform_->feed();
        m.read = [service, info = *media](int64_t offset, int64_t length) {
          return service->ReadMedia(info, offset, length);
        };
        return m;
      }
      case MediaKind::kAvatar: {
        absl::StatusOr<account::Avatar> avatar =
            platform_->accounts().GetAvatar(id);
        if (!avatar.ok()) return avatar.status();
        return WholeObject(std::move(avatar->data),
                           std::move(avatar->mime_type));
      }
      case MediaKind::kProductImage: {
        absl::StatusOr<std::string> image =
            platform_->commerce().ReadProductImage(id, index);
        if (!image.ok()) return image.status();
        return WholeObject(*std::move(image), "");
      }
    }
    return absl::NotFoundError("no such media");
  }

 private:
  Platform* const platform_;
  const absl::Duration redirect_ttl_;
};

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(30));
  return ctx;
}

class GrpcMediaSource : public MediaSource {
 public:
  explicit GrpcMediaSource(const std::shared_ptr<grpc::Channel>& channel)
      : feed_(tokkit::feed::v1::FeedService::NewStub(channel)),
        accounts_(tokkit::account::v1::AccountService::NewStub(channel)),
        commerce_(tokkit::commerce::v1::CommerceService::NewStub(channel)) {}

  absl::StatusOr<MediaObject> Open(MediaKind kind, int64_t id,
                                   int index) override {
    switch (kind) {
      case MediaKind::kVideo:
      case MediaKind::kCover:
        return OpenVideo(id, kind == MediaKind::kCover);
      case MediaKind::kAvatar: {
        tokkit::account::v1::GetAvatarRequest request;
        request.set_user_id(id);
        tokkit::account::v1::GetAvatarResponse response;
        grpc::Status s =
            accounts_->GetAvatar(Context().get(), request, &response);
        if (!s.ok()) return FromGrpcStatus(s);
        return WholeObject(std::move(*response.mutable_data()),
                           response.mime_type());
      }
      case MediaKind::kProductImage: {
        tokkit::commerce::v1::GetProductImageRequest request;
        request.set_product_id(id);
        request.set_index(index);
        tokkit::commerce::v1::GetProductImageResponse response;
        grpc::Status s =
            commerce_->GetProductImage(Context().get(), request, &response);
        if (!s.ok()) return FromGrpcStatus(s);
        return WholeObject(std::move(*response.mutable_image()), "");
      }
    }
    return absl::NotFoundError("no such media");
  }

 private:
  absl::StatusOr<MediaObject> OpenVideo(int64_t id, bool cover) {
    tokkit::feed::v1::VideoRequest request;
    request.set_video_id(id);
    tokkit::feed::v1::Video video;
    grpc::Status s = feed_->GetVideo(Context().get(), request, &video);
    if (!s.ok()) return FromGrpcStatus(s);
    if (cover && !video.has_cover()) {
      return absl::NotFoundError("video has no cover");
    }
    MediaObject m;
    m.modified = absl::FromUnixMillis(video.created_at_ms());
    m.immutable = true;
    auto* stub = feed_.get();
    auto read = [stub, id, cover](int64_t offset, int64_t length,
                                  tokkit::feed::v1::DownloadChunk* first)
        -> absl::StatusOr<std::string> {
      tokkit::feed::v1::DownloadRequest d;
      d.set_video_id(id);
      d.set_offset(offset);
      d.set_length(length);
      d.set_cover(cover);
      auto ctx = Context();
      auto reader = stub->Download(ctx.get(), d);
      std::string out;
      tokkit::feed::v1::DownloadChunk chunk;
      bool got_first = false;
      while (reader->Read(&chunk)) {
        if (!got_first && first != nullptr) *first = chunk;
        got_first = true;
        out += chunk.data();
      }
      grpc::Status st = reader->Finish();
      if (!st.ok()) return FromGrpcStatus(st);
      return out;
    };
    if (cover) {
      // Covers are small: one call learns the type and size.
      tokkit::feed::v1::DownloadChunk first;
      absl::StatusOr<std::string> data = read(0, 0, &first);
      if (!data.ok()) return data.status();
      return WholeObject(*std::move(data), first.mime_type());
    }
    m.mime_type = video.video_mime_type();
    m.size = video.video_bytes();
    m.etag = Quoted(video.video_sha256());
    m.read = [read](int64_t offset, int64_t length) {
      return read(offset, length, nullptr);
    };
    return m;
  }

  std::unique_ptr<tokkit::feed::v1::FeedService::Stub> feed_;
  std::unique_ptr<tokkit::account::v1::AccountService::Stub> accounts_;
  std::unique_ptr<tokkit::commerce::v1::CommerceService::Stub> commerce_;
};

}  // namespace

std::unique_ptr<MediaSource> NewPlatformMediaSource(
    Platform* platform, absl::Duration redirect_ttl) {
  return std::make_unique<PlatformMediaSource>(platform, redirect_ttl);
}

std::unique_ptr<MediaSource> NewGrpcMediaSource(
    const std::shared_ptr<grpc::Channel>& channel) {
  return std::make_unique<GrpcMediaSource>(channel);
}

}  // namespace tokkit::gateway
