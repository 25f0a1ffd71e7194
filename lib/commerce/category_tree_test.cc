#include "lib/commerce/category_tree.h"

#include "gtest/gtest.h"

namespace tokkit::commerce {
namespace {

TEST(CheckParent, OneLevelOnly) {
  const Category top{1, "Kitchen", 0};
  const Category child{2, "Woks", 1};
  EXPECT_TRUE(CheckParent(0, false, 0, std::nullopt).ok());
  EXPECT_TRUE(CheckParent(0, false, 1, top).ok());
  EXPECT_TRUE(CheckParent(5, false, 1, top).ok());
  EXPECT_EQ(CheckParent(0, false, 7, std::nullopt).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(CheckParent(0, false, -1, std::nullopt).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckParent(1, false, 1, top).code(),
            absl::StatusCode::kInvalidArgument);
  // Under a child: two levels.
  EXPECT_EQ(CheckParent(0, false, 2, child).code(),
            absl::StatusCode::kFailedPrecondition);
  // A parent cannot move under another.
  EXPECT_EQ(CheckParent(3, true, 1, top).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(BuildCategoryTree, TopLevelByNameWithChildrenByName) {
  std::vector<CategoryNode> tree = BuildCategoryTree({
      {4, "Teapots", 3},
      {1, "Kitchen", 0},
      {3, "Tea", 0},
      {2, "Woks", 1},
      {5, "Cups", 3},
      {6, "Orphan", 99},  // parent gone: listed at the top
      {7, "Deep", 2},     // under a child (never stored): at the top
  });
  ASSERT_EQ(tree.size(), 4u);
  EXPECT_EQ(tree[0].category.name, "Deep");
  EXPECT_EQ(tree[1].category.name, "Kitchen");
  ASSERT_EQ(tree[1].children.size(), 1u);
  EXPECT_EQ(tree[1].children[0].name, "Woks");
  EXPECT_EQ(tree[2].category.name, "Orphan");
  EXPECT_EQ(tree[3].category.name, "Tea");
  ASSERT_EQ(tree[3].children.size(), 2u);
  EXPECT_EQ(tree[3].children[0].name, "Cups");
  EXPECT_EQ(tree[3].children[1].name, "Teapots");
  EXPECT_TRUE(BuildCategoryTree({}).empty());
}

TEST(CategoryAndChildren, CoversOneLevel) {
  const std::vector<Category> all = {
      {1, "Kitchen", 0}, {2, "Woks", 1}, {3, "Pans", 1}, {4, "Tea", 0}};
  EXPECT_EQ(CategoryAndChildren(all, 1), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(CategoryAndChildren(all, 4), (std::vector<int64_t>{4}));
  EXPECT_EQ(CategoryAndChildren(all, 2), (std::vector<int64_t>{2}));
}

}  // namespace
}  // namespace tokkit::commerce
