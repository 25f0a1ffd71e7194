// Category hierarchy rules, pure: at most one level of parents, and the
// listing as a tree. The repository only stores what these allow.
#ifndef TOKKIT_LIB_COMMERCE_CATEGORY_TREE_H_
#define TOKKIT_LIB_COMMERCE_CATEGORY_TREE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "lib/commerce/model.h"

namespace tokkit::commerce {

struct CategoryNode {
  Category category;
  std::vector<Category> children;  // by name
};

// Whether `category` (id 0 for a new one; `has_children` for an existing
// one) may sit under `parent` (nullopt: parent_id was set but no such
// category). One level only: a parent is top level, and a category with
// children stays top level. INVALID_ARGUMENT / NOT_FOUND / FAILED_PRECONDITION
// with a message saying which rule.
absl::Status CheckParent(int64_t category_id, bool has_children,
                         int64_t parent_id,
                         const std::optional<Category>& parent);

// Top-level categories by name, each with its children by name. A category
// whose parent is missing or is not top level is listed at the top.
std::vector<CategoryNode> BuildCategoryTree(std::vector<Category> categories);

// `category_id` and its children's ids (what "in this category" covers).
std::vector<int64_t> CategoryAndChildren(
    const std::vector<Category>& categories, int64_t category_id);

}  // namespace tokkit::commerce

#endif  // TOKKIT_LIB_COMMERCE_CATEGORY_TREE_H_
