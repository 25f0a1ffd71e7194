// One-to-one chat. Messages are stored durably before Send returns; live
// delivery goes through the event bus (the outbox relay every replica runs),
// so a recipient connected to any replica gets the message; a client that
// reconnects asks for what it missed since its last seen id.
#ifndef TOKKIT_LIB_SOCIAL_CHAT_SERVICE_H_
#define TOKKIT_LIB_SOCIAL_CHAT_SERVICE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "lib/account/principal.h"
#include "lib/core/clock.h"
#include "lib/core/cursor.h"
#include "lib/core/id_generator.h"
#include "lib/social/model.h"
#include "lib/social/ports.h"
#include "lib/social/repository.h"
#include "lib/store/events/event_bus.h"

namespace tokkit::social {

using account::Principal;

inline constexpr size_t kMaxMessageChars = 2000;

// Receives live messages of one user. Called on the event thread: must not
// block (queue the message and return).
class ChatSink {
 public:
  virtual ~ChatSink() = default;
  virtual void Deliver(const Message& message) = 0;
};

struct ChatDeps {
  ChatRepository* chats = nullptr;
  UserDirectory* users = nullptr;
  EventBus* events = nullptr;
  const Clock* clock = nullptr;
  IdGenerator* ids = nullptr;
};

struct ConversationView {
  Conversation conversation;
  UserSummary peer;
  Message last_message;
};

enum class HistoryDirection { kOlder, kNewer };

class ChatService {
 public:
  explicit ChatService(ChatDeps deps);
  ~ChatService();

  // INVALID_ARGUMENT for an empty/oversized body or a message to oneself,
  // NOT_FOUND for an unknown recipient, PERMISSION_DENIED when either side is
  // banned. A repeated client_message_id returns the first message.
  absl::StatusOr<Message> Send(const Principal& caller, int64_t recipient_id,
                               const std::string& body,
                               const std::string& client_message_id);
  // kOlder pages back from the newest message; kNewer pages forward from the
  // oldest (or from where the token points). `window` keeps only messages
  // sent in [since, until); a page token is valid only with the window it
  // came from.
  absl::StatusOr<Page<Message>> History(const Principal& caller,
                                        int64_t peer_id,
                                        HistoryDirection direction,
                                        const std::string& page_token,
                                        int page_size,
                                        const TimeWindow& window = {});
  // Messages sent or received with id > after_id, oldest first.
  absl::StatusOr<std::vector<Message>> MissedSince(const Principal& caller,
                                                   int64_t after_id, int limit);
  absl::StatusOr<std::vector<ConversationView>> ListConversations(
      const Principal& caller, int limit);
  absl::StatusOr<Conversation> MarkRead(const Principal& caller,
                                        int64_t peer_id, int64_t up_to_id);

  // Live delivery of every message the user sends or receives, on any
  // replica, while the returned handle lives.
  class Connection {
   public:
    ~Connection();

   private:
    friend class ChatService;
    Connection(ChatService* service, int64_t user_id, ChatSink* sink)
        : service_(service), user_id_(user_id), sink_(sink) {}
    ChatService* service_;
    int64_t user_id_;
    ChatSink* sink_;
  };
  std::unique_ptr<Connection> Connect(int64_t user_id, ChatSink* sink);

 private:
  absl::Status OnMessageEvent(const Event& event);
  void Disconnect(int64_t user_id, ChatSink* sink);

  ChatDeps deps_;
  absl::Mutex mu_;
  absl::flat_hash_map<int64_t, absl::flat_hash_set<ChatSink*>> sinks_
      ABSL_GUARDED_BY(mu_);
  // Last: dropped first, waiting for a delivery in progress.
  std::unique_ptr<Subscription> subscription_;
};

}  // namespace tokkit::social

#endif  // TOKKIT_LIB_SOCIAL_CHAT_SERVICE_H_
