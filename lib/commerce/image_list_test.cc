#include "lib/commerce/image_list.h"

#include "gtest/gtest.h"

namespace tokkit::commerce {
namespace {

using V = ImageList;

TEST(ImageList, AddsUpToTheMaximum) {
  V images;
  for (int i = 0; i < kMaxProductImages; ++i) {
    absl::StatusOr<V> next = WithImageAdded(images, std::to_string(i));
    ASSERT_TRUE(next.ok()) << next.status();
    images = *next;
  }
  EXPECT_EQ(images.size(), 9u);
  EXPECT_EQ(images.back(), "8");
  EXPECT_EQ(WithImageAdded(images, "x").status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(ImageList, ReplacesAndRemovesInPlace) {
  const V images = {"a", "b", "c"};
  EXPECT_EQ(*ImageAt(images, 2), "c");
  EXPECT_EQ(*WithImageReplaced(images, 1, "B"), (V{"a", "B", "c"}));
  EXPECT_EQ(*WithImageRemoved(images, 0), (V{"b", "c"}));
  EXPECT_EQ(*WithImageRemoved(images, 2), (V{"a", "b"}));
  for (int bad : {-1, 3}) {
    EXPECT_EQ(WithImageReplaced(images, bad, "x").status().code(),
              absl::StatusCode::kNotFound);
    EXPECT_EQ(WithImageRemoved(images, bad).status().code(),
              absl::StatusCode::kNotFound);
    EXPECT_EQ(ImageAt(images, bad).status().code(),
              absl::StatusCode::kNotFound);
  }
  EXPECT_EQ(WithImageRemoved({}, 0).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ImageList, ReorderNeedsAPermutation) {
  const V images = {"a", "b", "c"};
  EXPECT_EQ(*Reordered(images, {2, 0, 1}), (V{"c", "a", "b"}));
  EXPECT_EQ(*Reordered(images, {0, 1, 2}), images);
  EXPECT_EQ(*Reordered({}, {}), V{});
  for (const std::vector<int>& bad : std::vector<std::vector<int>>{
           {0, 1}, {0, 1, 2, 0}, {0, 0, 1}, {0, 1, 3}, {-1, 0, 1}}) {
    EXPECT_EQ(Reordered(images, bad).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace tokkit::commerce
