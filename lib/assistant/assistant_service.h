// The shopping assistant: a user chats with a model that calls tokkit's
// tools as that user. Money never moves during a chat: checkout and pay are
// recorded as proposed actions, and run only when the user confirms one by
// its single-use confirmation id through Confirm (which the model cannot
// call). So a "buy everything" hidden in a product description can at most
// make the model propose, never pay.
#ifndef TOKKIT_LIB_ASSISTANT_ASSISTANT_SERVICE_H_
#define TOKKIT_LIB_ASSISTANT_ASSISTANT_SERVICE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/account/principal.h"
#include "lib/assistant/model.h"
#include "lib/assistant/repository.h"
#include "lib/assistant/tools.h"
#include "lib/core/clock.h"
#include "lib/core/cursor.h"
#include "lib/core/id_generator.h"

namespace tokkit::assistant {

struct AssistantOptions {
  int max_tool_rounds = 6;  // model calls per question
  int64_t max_tokens_per_user_day = 200000;
  int history_messages = 40;                      // sent back to the model
  absl::Duration action_ttl = absl::Minutes(30);  // to confirm a proposal
  std::string system_prompt;                      // empty: the built-in one
};

struct AssistantDeps {
  AssistantRepository* repository = nullptr;
  ChatModel* model = nullptr;  // null: not configured
  const ToolRegistry* tools = nullptr;
  const Clock* clock = nullptr;
  IdGenerator* ids = nullptr;
};

// What Ask reports as it happens.
struct AskEvent {
  enum class Kind {
    kText,            // text: a piece of the answer
    kToolCall,        // tool, arguments: the model called a tool
    kToolResult,      // tool, ok, text (the result or the error)
    kProposedAction,  // action: something the user may confirm
  };
  Kind kind = Kind::kText;
  std::string text;
  std::string tool;
  std::string arguments;
  bool ok = true;
  Action action;
};

struct AskResult {
  int64_t conversation_id = 0;
  std::string answer;  // the final text
  std::vector<Action> proposed;
  bool stopped_at_round_cap = false;
};

class AssistantService {
 public:
  AssistantService(AssistantDeps deps, AssistantOptions options);

  // One question in a conversation (0: a new one). FAILED_PRECONDITION
  // without a configured model; RESOURCE_EXHAUSTED past the daily token
  // cap; the model's errors as they are (UNAVAILABLE, DEADLINE_EXCEEDED).
  absl::StatusOr<AskResult> Ask(
      const Principal& user, int64_t conversation_id,
      const std::string& question,
      const std::function<void(const AskEvent&)>& on_event);

  // Runs a proposed action once: a second Confirm answers what the first
  // did. NOT_FOUND for another user's id; FAILED_PRECONDITION once
  // declined or expired.
  absl::StatusOr<Action> Confirm(const Principal& user,
                                 const std::string& confirmation_id);
  absl::StatusOr<Action> Decline(const Principal& user,
                                 const std::string& confirmation_id);

  absl::StatusOr<Page<Conversation>> ListConversations(
      const Principal& user, const std::string& page_token, int page_size);
  struct ConversationView {
    Conversation conversation;
    std::vector<StoredMessage> messages;
    std::vector<Action> actions;
  };
  absl::StatusOr<ConversationView> GetConversation(const Principal& user,
                                                   int64_t conversation_id);
  absl::Status DeleteConversation(const Principal& user,
                                  int64_t conversation_id);

 private:
  absl::Status CheckBudget(const Principal& user);
  absl::Status Spend(const Principal& user, const ModelReply& reply);

  AssistantDeps deps_;
  AssistantOptions options_;
};

// What Ask says without a model, and how to configure one.
inline constexpr char kNoModelMessage[] =
    "the assistant has no model configured: start the server with "
    "--assistant_url (an OpenAI-compatible server, e.g. "
    "http://127.0.0.1:8080 for llama.cpp or http://127.0.0.1:11434 for "
    "Ollama), --assistant_model and, if it needs one, "
    "--assistant_api_key_file";

}  // namespace tokkit::assistant

#endif  // TOKKIT_LIB_ASSISTANT_ASSISTANT_SERVICE_H_
