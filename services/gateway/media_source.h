// Where the gateway's /media/v1/ URLs get their bytes: the Platform's blob
// store in process (tokkit_server --http_listen), or the public media RPCs of
// a tokkit server (services/gateway). Reads are ranged so a large video is
// never whole in memory.
#ifndef TOKKIT_SERVICES_GATEWAY_MEDIA_SOURCE_H_
#define TOKKIT_SERVICES_GATEWAY_MEDIA_SOURCE_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/platform/platform.h"

namespace tokkit::gateway {

enum class MediaKind { kVideo, kCover, kAvatar, kProductImage };

struct MediaObject {
  std::string mime_type;
  int64_t size = 0;
  std::string etag;                            // strong, quoted
  absl::Time modified = absl::InfinitePast();  // InfinitePast: unknown
  bool immutable = false;                      // the bytes never change
  // Set when the bytes are better fetched straight from storage (a
  // presigned URL): the gateway answers with a redirect there.
  std::string redirect_url;
  // Reads [offset, offset+length). Blocking.
  std::function<absl::StatusOr<std::string>(int64_t offset, int64_t length)>
      read;
};

class MediaSource {
 public:
  virtual ~MediaSource() = default;
  // Blocking. NOT_FOUND when there is no such media. `index` is the product
  // image number (kProductImage only).
  virtual absl::StatusOr<MediaObject> Open(MediaKind kind, int64_t id,
                                           int index) = 0;
};

// `redirect_ttl` > 0: videos and covers on a store with signed URLs (S3) are
// answered with a redirect to a URL valid that long.
std::unique_ptr<MediaSource> NewPlatformMediaSource(
    Platform* platform, absl::Duration redirect_ttl = absl::ZeroDuration());
std::unique_ptr<MediaSource> NewGrpcMediaSource(
    const std::shared_ptr<grpc::Channel>& channel);

}  // namespace tokkit::gateway

#endif  // TOKKIT_SERVICES_GATEWAY_MEDIA_SOURCE_H_
