#include "lib/assistant/tools.h"

#include "absl/strings/str_cat.h"

namespace tokkit::assistant {

absl::Status ToolRegistry::Add(Tool tool) {
  if (tool.name.empty() || !tool.run) {
    return absl::InvalidArgumentError("a tool needs a name and a handler");
  }
  if (tools_.count(tool.name) > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("tool '", tool.name, "' is registered twice"));
  }
  const std::string name = tool.name;
  tools_.emplace(name, std::move(tool));
  return absl::OkStatus();
}

const Tool* ToolRegistry::Find(const std::string& name) const {
  auto it = tools_.find(name);
  return it == tools_.end() ? nullptr : &it->second;
}

std::vector<ToolSpec> ToolRegistry::Specs() const {
  std::vector<ToolSpec> out;
  for (const auto& [name, tool] : tools_) {
    std::string description = tool.description;
    if (tool.needs_confirmation) {
      description +=
          " This only proposes the action: the user must confirm it in the "
          "app before anything happens.";
    }
    out.push_back({name, description, JsonSchemaOf(tool.parameters)});
  }
  return out;
}

}  // namespace tokkit::assistant
