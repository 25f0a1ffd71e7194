#include "services/common/media_urls.h"

#include "absl/strings/str_cat.h"
#include "lib/core/crypto.h"

namespace tokkit {
namespace {

MediaUrls*& Current() {
  static MediaUrls* urls = new MediaUrls();
  return urls;
}

}  // namespace

std::string MediaUrls::Finish(const std::string& path) const {
  if (!signer_) return path;
  // Expiry rounded up to a whole TTL window: the same URL for everyone in a
  // window, so a CDN caches one copy.
  const int64_t window = std::max<int64_t>(1, absl::ToInt64Seconds(ttl_));
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const int64_t expires = (now / window + 2) * window;
  return signer_->Sign(path, absl::FromUnixSeconds(expires));
}

std::string MediaUrls::Video(int64_t video_id) const {
  return Finish(absl::StrCat("/media/v1/videos/", video_id));
}
std::string MediaUrls::Cover(int64_t video_id) const {
  return Finish(absl::StrCat("/media/v1/covers/", video_id));
}
std::string MediaUrls::Avatar(int64_t user_id) const {
  return Finish(absl::StrCat("/media/v1/avatars/", user_id));
}
std::string MediaUrls::ProductImage(int64_t spu_id, int index) const {
  return Finish(absl::StrCat("/media/v1/products/", spu_id, "/images/", index));
}

const MediaUrls& CurrentMediaUrls() { return *Current(); }

void SetMediaUrls(MediaUrls urls) {
  // Set once before serving; the old object is kept (never freed) so a
  // reference taken earlier stays valid.
  Current() = new MediaUrls(std::move(urls));
}

std::string MediaSigningKey(const std::vector<account::SigningKey>& keys) {
  if (keys.empty()) return "";
  return HmacSha256(keys.front().secret, "tokkit media url key v1");
}

}  // namespace tokkit
