// The shopping assistant's view of a chat model: messages, the tools it may
// call, and what it answers. Provider-neutral; the OpenAI-compatible wire
// format lives in openai_wire.h.
#ifndef TOKKIT_LIB_ASSISTANT_MODEL_H_
#define TOKKIT_LIB_ASSISTANT_MODEL_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tokkit::assistant {

// A tool call the model asked for: `arguments` is the JSON text it wrote,
// not yet validated (it may be malformed).
struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;
};

enum class Role { kSystem, kUser, kAssistant, kTool };

// The role's name on the wire and in stored conversations' views.
inline const char* RoleName(Role role) {
  switch (role) {
    case Role::kSystem:
      return "system";
    case Role::kUser:
      return "user";
    case Role::kAssistant:
      return "assistant";
    case Role::kTool:
      return "tool";
  }
  return "user";
}

struct ChatMessage {
  Role role = Role::kUser;
  std::string content;
  std::vector<ToolCall> tool_calls;  // kAssistant
  std::string tool_call_id;          // kTool: the call it answers
};

// A tool as the model sees it: `parameters` is a JSON Schema (text).
struct ToolSpec {
  std::string name;
  std::string description;
  std::string parameters;
};

struct ModelReply {
  std::string content;
  std::vector<ToolCall> tool_calls;
  std::string finish_reason;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
};

// Called with each piece of text as the model streams it.
using TextDeltaFn = std::function<void(absl::string_view delta)>;

class ChatModel {
 public:
  virtual ~ChatModel() = default;
  // One completion. Errors are canonical: UNAVAILABLE (the server failed
  // or could not be reached, after retries), DEADLINE_EXCEEDED (timeout),
  // RESOURCE_EXHAUSTED (still rate limited after retries),
  // FAILED_PRECONDITION (the server refused the request, e.g. bad key or
  // model), each with a message and never the key.
  virtual absl::StatusOr<ModelReply> Complete(
      const std::vector<ChatMessage>& messages,
      const std::vector<ToolSpec>& tools, const TextDeltaFn& on_delta) = 0;
};

}  // namespace tokkit::assistant

#endif  // TOKKIT_LIB_ASSISTANT_MODEL_H_
