// Storage of the assistant: conversations (messages, tool calls and
// results), the actions it proposed and their state, and each user's daily
// token use. One port; the SQL adapter runs on every backend.
#ifndef TOKKIT_LIB_ASSISTANT_REPOSITORY_H_
#define TOKKIT_LIB_ASSISTANT_REPOSITORY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/assistant/model.h"

namespace tokkit::assistant {

struct Conversation {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string title;  // the first question, cut short
  absl::Time created_at;
  absl::Time updated_at;
};

struct StoredMessage {
  int seq = 0;  // order within the conversation
  ChatMessage message;
  std::string tool_name;  // kTool: which tool answered
  absl::Time created_at;
};

// proposed -> executing -> done | failed; proposed -> declined | expired.
enum class ActionState {
  kProposed = 1,
  kExecuting = 2,
  kDone = 3,
  kFailed = 4,
  kDeclined = 5,
};

struct Action {
  std::string confirmation_id;  // random, single use
  int64_t id = 0;               // also the action's idempotency key
  int64_t conversation_id = 0;
  int64_t user_id = 0;
  std::string tool;
  std::string arguments;  // canonical JSON
  std::string summary;    // what it would do, for the user
  ActionState state = ActionState::kProposed;
  std::string result;  // JSON once done, the error once failed
  absl::Time created_at;
  absl::Time expires_at;
  absl::Time decided_at;  // of the last state change
};

class AssistantRepository {
 public:
  virtual ~AssistantRepository() = default;

  virtual absl::Status CreateConversation(const Conversation& c) = 0;
  // NOT_FOUND unless it exists and is the user's.
  virtual absl::StatusOr<Conversation> FindConversation(int64_t user_id,
                                                        int64_t id) = 0;
  // The user's, most recently updated first, after the (updated_at, id)
  // of the previous page's last (0, 0: from the newest).
  virtual absl::StatusOr<std::vector<Conversation>> ListConversations(
      int64_t user_id, int64_t before_updated_ms, int64_t before_id,
      int limit) = 0;
  // With its messages and actions; NOT_FOUND unless the user's.
  virtual absl::Status DeleteConversation(int64_t user_id, int64_t id) = 0;

  // Appends after the last message (seq is assigned) and touches the
  // conversation's updated_at.
  virtual absl::Status AppendMessages(int64_t conversation_id,
                                      const std::vector<StoredMessage>& m,
                                      absl::Time now) = 0;
  // The last `limit` messages, oldest first.
  virtual absl::StatusOr<std::vector<StoredMessage>> Messages(
      int64_t conversation_id, int limit) = 0;

  virtual absl::Status CreateAction(const Action& a) = 0;
  virtual absl::StatusOr<std::vector<Action>> Actions(
      int64_t conversation_id) = 0;
  // NOT_FOUND unless it exists and is the user's.
  virtual absl::StatusOr<Action> FindAction(
      int64_t user_id, const std::string& confirmation_id) = 0;
  // Conditional: moves it from `from` to `to` (with `result`); false when
  // it was not in `from` (someone else decided).
  virtual absl::StatusOr<bool> MoveAction(const std::string& confirmation_id,
                                          ActionState from, ActionState to,
                                          const std::string& result,
                                          absl::Time now) = 0;

  // Adds to the user's token count of `day` (days since the epoch, UTC)
  // and returns the new total.
  virtual absl::StatusOr<int64_t> AddTokens(int64_t user_id, int64_t day,
                                            int64_t tokens) = 0;
  virtual absl::StatusOr<int64_t> TokensUsed(int64_t user_id, int64_t day) = 0;
};

}  // namespace tokkit::assistant

#endif  // TOKKIT_LIB_ASSISTANT_REPOSITORY_H_
