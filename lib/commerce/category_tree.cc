#include "lib/commerce/category_tree.h"

#include <algorithm>
#include <string>

#include "absl/container/flat_hash_map.h"

namespace tokkit::commerce {

absl::Status CheckParent(int64_t category_id, bool has_children,
                         int64_t parent_id,
                         const std::optional<Category>& parent) {
  if (parent_id < 0) {
    return absl::InvalidArgumentError("parent_id must not be negative");
  }
  if (parent_id == 0) return absl::OkStatus();
  if (parent_id == category_id) {
    return absl::InvalidArgumentError("a category cannot be its own parent");
  }
  if (!parent.has_value()) {
    return absl::NotFoundError("parent category not found");
  }
  if (parent->parent_id != 0) {
    return absl::FailedPreconditionError(
        "categories have one level: the parent must be a top-level category");
  }
  if (has_children) {
    return absl::FailedPreconditionError(
        "categories have one level: a category with subcategories stays top "
        "level");
  }
  return absl::OkStatus();
}

std::vector<CategoryNode> BuildCategoryTree(std::vector<Category> categories) {
  auto by_name = [](const Category& a, const Category& b) {
    return a.name != b.name ? a.name < b.name : a.id < b.id;
  };
  std::sort(categories.begin(), categories.end(), by_name);
  absl::flat_hash_map<int64_t, const Category*> by_id;
  for (const Category& c : categories) by_id[c.id] = &c;
  auto is_top = [&](const Category& c) {
    if (c.parent_id == 0) return true;
    auto p = by_id.find(c.parent_id);
    return p == by_id.end() || p->second->parent_id != 0;
  };
  std::vector<CategoryNode> out;
  absl::flat_hash_map<int64_t, size_t> index;
  for (const Category& c : categories) {
    if (!is_top(c)) continue;
    index[c.id] = out.size();
    out.push_back({c, {}});
  }
  for (const Category& c : categories) {
    if (is_top(c)) continue;
    out[index.at(c.parent_id)].children.push_back(c);  // already by name
  }
  return out;
}

std::vector<int64_t> CategoryAndChildren(
    const std::vector<Category>& categories, int64_t category_id) {
  std::vector<int64_t> out = {category_id};
  for (const Category& c : categories) {
    if (c.parent_id == category_id && c.id != category_id) out.push_back(c.id);
  }
  return out;
}

}  // namespace tokkit::commerce
