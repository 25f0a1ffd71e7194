// The rules of a product's ordered image list (at most kMaxProductImages),
// as pure functions: each returns the list an edit leads to, or why the edit
// is refused. The repository then swaps the list in with a conditional
// update, so concurrent edits never lose one another.
#ifndef TOKKIT_LIB_COMMERCE_IMAGE_LIST_H_
#define TOKKIT_LIB_COMMERCE_IMAGE_LIST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tokkit::commerce {

inline constexpr int kMaxProductImages = 9;

using ImageList = std::vector<std::string>;

// The image at `index`. NOT_FOUND for an index outside the list.
absl::StatusOr<std::string> ImageAt(const ImageList& images, int index);

// Appended last. RESOURCE_EXHAUSTED when the product already has the
// maximum.
absl::StatusOr<ImageList> WithImageAdded(const ImageList& images,
                                         const std::string& key);
// The image at `index` becomes `key`, keeping its place. NOT_FOUND for an
// index outside the list.
absl::StatusOr<ImageList> WithImageReplaced(const ImageList& images, int index,
                                            const std::string& key);
// NOT_FOUND for an index outside the list.
absl::StatusOr<ImageList> WithImageRemoved(const ImageList& images, int index);
// `order` lists every current index exactly once, in the new order
// (INVALID_ARGUMENT otherwise): new[i] = old[order[i]].
absl::StatusOr<ImageList> Reordered(const ImageList& images,
                                    const std::vector<int>& order);

}  // namespace tokkit::commerce

#endif  // TOKKIT_LIB_COMMERCE_IMAGE_LIST_H_
