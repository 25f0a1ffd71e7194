#include "lib/commerce/image_list.h"

#include "absl/strings/str_cat.h"

namespace tokkit::commerce {
namespace {

absl::Status CheckIndex(const ImageList& images, int index) {
  if (index < 0 || index >= static_cast<int>(images.size())) {
    return absl::NotFoundError(absl::StrCat(
        "no image at index ", index, "; the product has ", images.size()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ImageAt(const ImageList& images, int index) {
  if (absl::Status st = CheckIndex(images, index); !st.ok()) return st;
  return images[index];
}

absl::StatusOr<ImageList> WithImageAdded(const ImageList& images,
                                         const std::string& key) {
  if (images.size() >= static_cast<size_t>(kMaxProductImages)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("a product has at most ", kMaxProductImages,
                     " images; replace or delete one"));
  }
  ImageList out = images;
  out.push_back(key);
  return out;
}

absl::StatusOr<ImageList> WithImageReplaced(const ImageList& images, int index,
                                            const std::string& key) {
  if (absl::Status st = CheckIndex(images, index); !st.ok()) return st;
  ImageList out = images;
  out[index] = key;
  return out;
}

absl::StatusOr<ImageList> WithImageRemoved(const ImageList& images, int index) {
  if (absl::Status st = CheckIndex(images, index); !st.ok()) return st;
  ImageList out = images;
  out.erase(out.begin() + index);
  return out;
}

absl::StatusOr<ImageList> Reordered(const ImageList& images,
                                    const std::vector<int>& order) {
  const absl::Status bad = absl::InvalidArgumentError(
      absl::StrCat("order must list each of the ", images.size(),
                   " image indexes exactly once"));
  if (order.size() != images.size()) return bad;
  std::vector<bool> seen(images.size(), false);
  ImageList out;
  out.reserve(images.size());
  for (int i : order) {
    if (i < 0 || i >= static_cast<int>(images.size()) || seen[i]) return bad;
    seen[i] = true;
    out.push_back(images[i]);
  }
  return out;
}

}  // namespace tokkit::commerce
