// The URLs of media that RPC answers carry (Video.video_url, User.avatar_url,
// Product.image_urls), served by the HTTP gateway under /media/v1/. Plain
// paths by default; with --signed_media_urls they carry an expiring HMAC
// signature so a CDN can cache them without a bearer token.
#ifndef TOKKIT_SERVICES_COMMON_MEDIA_URLS_H_
#define TOKKIT_SERVICES_COMMON_MEDIA_URLS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/account/access_token.h"
#include "services/gateway/http_media.h"

namespace tokkit {

class MediaUrls {
 public:
  MediaUrls() = default;  // unsigned paths
  MediaUrls(std::string signing_key, absl::Duration ttl)
      : signer_(gateway::MediaUrlSigner(std::move(signing_key))), ttl_(ttl) {}

  std::string Video(int64_t video_id) const;
  std::string Cover(int64_t video_id) const;
  std::string Avatar(int64_t user_id) const;
  std::string ProductImage(int64_t spu_id, int index) const;

 private:
  std::string Finish(const std::string& path) const;
  std::optional<gateway::MediaUrlSigner> signer_;
  absl::Duration ttl_;
};

// The process's media URLs (set once at start by server_main).
const MediaUrls& CurrentMediaUrls();
void SetMediaUrls(MediaUrls urls);

// The key media URLs are signed with, derived from the access-token signing
// key so every replica and the standalone gateway agree.
std::string MediaSigningKey(const std::vector<account::SigningKey>& keys);

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMON_MEDIA_URLS_H_
