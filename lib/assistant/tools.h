// The assistant's tools: what the model may ask tokkit to do, each run as
// the asking user (their Principal, never more). Tools that move money are
// only proposed: the assistant records an action, and it runs when the user
// confirms it through a separate call the model cannot make.
#ifndef TOKKIT_LIB_ASSISTANT_TOOLS_H_
#define TOKKIT_LIB_ASSISTANT_TOOLS_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/account/principal.h"
#include "lib/assistant/model.h"
#include "lib/assistant/tool_schema.h"

namespace tokkit::assistant {

using account::Principal;

struct Tool {
  std::string name;
  std::string description;
  ToolSchema parameters;
  // Money moves: Ask only proposes it; Confirm runs it.
  bool needs_confirmation = false;
  // Runs the tool: a JSON result for the model (or, confirmed, the user).
  // `key` is a stable idempotency key for tools that need confirmation
  // (the action's), empty otherwise.
  std::function<absl::StatusOr<std::string>(
      const Principal& user, const ToolArgs& args, const std::string& key)>
      run;
  // One line for the user saying what a proposed action would do.
  std::function<std::string(const ToolArgs& args)> describe;
};

class ToolRegistry {
 public:
  // INVALID_ARGUMENT for a duplicate or unnamed tool.
  absl::Status Add(Tool tool);
  const Tool* Find(const std::string& name) const;
  std::vector<ToolSpec> Specs() const;

 private:
  std::map<std::string, Tool> tools_;
};

}  // namespace tokkit::assistant

#endif  // TOKKIT_LIB_ASSISTANT_TOOLS_H_
