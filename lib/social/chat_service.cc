#include "lib/social/chat_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/core/status_macros.h"
#include "lib/core/validation.h"

namespace tokkit::social {

ChatService::ChatService(ChatDeps deps) : deps_(deps) {
  if (deps_.events != nullptr) {
    subscription_ = deps_.events->Subscribe(
        "chat.live", kTopicMessageSent,
        [this](const Event& e) { return OnMessageEvent(e); });
  }
}

// Dropping the subscription waits for a delivery in progress.
ChatService::~ChatService() { subscription_.reset(); }

absl::StatusOr<Message> ChatService::Send(
    const Principal& caller, int64_t recipient_id, const std::string& body,
    const std::string& client_message_id) {
  RETURN_IF_ERROR(ValidatePositiveId("recipient_id", recipient_id));
  if (recipient_id == caller.user_id) {
    return absl::InvalidArgumentError("you cannot message yourself");
  }
  RETURN_IF_ERROR(
      ValidateText("body", body, 1, kMaxMessageChars, /*multiline=*/true));
  if (client_message_id.size() > 64) {
    return absl::InvalidArgumentError(
        "client_message_id is longer than 64 bytes");
  }
  ASSIGN_OR_RETURN(std::vector<UserSummary> people,
                   deps_.users->GetUsers({caller.user_id, recipient_id}));
  bool recipient_found = false;
  for (const UserSummary& u : people) {
    if (u.id == recipient_id) recipient_found = true;
    if (u.banned) {
      return absl::PermissionDeniedError(
          u.id == recipient_id
              ? "messaging is blocked: the recipient is banned"
              : "messaging is blocked: your account is banned");
    }
  }
  if (!recipient_found) return absl::NotFoundError("recipient not found");
  Message m;
  ASSIGN_OR_RETURN(m.id, deps_.ids->Next());
  m.sender_id = caller.user_id;
  m.recipient_id = recipient_id;
  m.body = body;
  m.client_message_id = client_message_id;
  m.created_at = deps_.clock->Now();
  ASSIGN_OR_RETURN(const int64_t event_id, deps_.ids->Next());
  Event e{event_id, kTopicMessageSent, absl::StrCat(recipient_id),
          absl::StrCat(m.id), m.created_at};
  ASSIGN_OR_RETURN(Message stored, deps_.chats->Send(m, e));
  if (deps_.events != nullptr) deps_.events->Poke();
  return stored;
}

absl::StatusOr<Page<Message>> ChatService::History(
    const Principal& caller, int64_t peer_id, HistoryDirection direction,
    const std::string& page_token, int page_size, const TimeWindow& window) {
  RETURN_IF_ERROR(ValidatePositiveId("peer_id", peer_id));
  ASSIGN_OR_RETURN(int limit, PageSize(page_size, 50, 200));
  if (window.since >= window.until) {
    return absl::InvalidArgumentError("since must be before until");
  }
  ASSIGN_OR_RETURN(Cursor cursor, Cursor::Decode(page_token));
  const int64_t dir = direction == HistoryDirection::kNewer ? 1 : 0;
  // The window travels in the token, so a page is never read with
  // another window than the one that produced its position.
  const int64_t since_ms = window.since == absl::InfinitePast()
                               ? INT64_MIN
                               : absl::ToUnixMillis(window.since);
  const int64_t until_ms = window.until == absl::InfiniteFuture()
                               ? INT64_MAX
                               : absl::ToUnixMillis(window.until);
  int64_t from = 0;
  if (!cursor.empty()) {
    ASSIGN_OR_RETURN(int64_t token_dir, cursor.IntAt(0));
    ASSIGN_OR_RETURN(from, cursor.IntAt(1));
    if (token_dir != dir) {
      return absl::InvalidArgumentError(
          "page token is for the other direction");
    }
    // Tokens from before windows existed have two fields: no window.
    int64_t token_since = INT64_MIN, token_until = INT64_MAX;
    if (cursor.size() > 2) {
      ASSIGN_OR_RETURN(token_since, cursor.IntAt(2));
      ASSIGN_OR_RETURN(token_until, cursor.IntAt(3));
    }
    if (token_since != since_ms || token_until != until_ms) {
      return absl::InvalidArgumentError(
          "page token is for another since/until window");
    }
  }
  Page<Message> page;
  ASSIGN_OR_RETURN(page.items,
                   deps_.chats->Between(caller.user_id, peer_id, dir == 1, from,
                                        limit, window));
  if (static_cast<int>(page.items.size()) == limit) {
    page.next_page_token = Cursor()
                               .Add(dir)
                               .Add(page.items.back().id)
                               .Add(since_ms)
                               .Add(until_ms)
                               .Encode();
  }
  return page;
}

absl::StatusOr<std::vector<Message>> ChatService::MissedSince(
    const Principal& caller, int64_t after_id, int limit) {
  if (after_id < 0) return absl::InvalidArgumentError("after_id is negative");
  ASSIGN_OR_RETURN(int n, PageSize(limit, 200, 1000));
  return deps_.chats->Since(caller.user_id, after_id, n);
}

absl::StatusOr<std::vector<ConversationView>> ChatService::ListConversations(
    const Principal& caller, int limit) {
  ASSIGN_OR_RETURN(int n, PageSize(limit, 50, 200));
  ASSIGN_OR_RETURN(std::vector<Conversation> conversations,
                   deps_.chats->Conversations(caller.user_id, n));
  std::vector<int64_t> peers;
  peers.reserve(conversations.size());
  for (const Conversation& c : conversations) peers.push_back(c.peer_id);
  ASSIGN_OR_RETURN(std::vector<UserSummary> users,
                   deps_.users->GetUsers(peers));
  absl::flat_hash_map<int64_t, UserSummary> by_id;
  for (UserSummary& u : users) by_id[u.id] = std::move(u);
  std::vector<ConversationView> out;
  for (const Conversation& c : conversations) {
    ConversationView v;
    v.conversation = c;
    v.peer = by_id[c.peer_id];
    v.peer.id = c.peer_id;
    absl::StatusOr<Message> last = deps_.chats->Find(c.last_message_id);
    if (last.ok()) v.last_message = *std::move(last);
    out.push_back(std::move(v));
  }
  return out;
}

absl::StatusOr<Conversation> ChatService::MarkRead(const Principal& caller,
                                                   int64_t peer_id,
                                                   int64_t up_to_id) {
  RETURN_IF_ERROR(ValidatePositiveId("peer_id", peer_id));
  RETURN_IF_ERROR(ValidatePositiveId("up_to_id", up_to_id));
  return deps_.chats->MarkRead(caller.user_id, peer_id, up_to_id);
}

std::unique_ptr<ChatService::Connection> ChatService::Connect(int64_t user_id,
                                                              ChatSink* sink) {
  absl::MutexLock lock(&mu_);
  sinks_[user_id].insert(sink);
  return std::unique_ptr<Connection>(new Connection(this, user_id, sink));
}

ChatService::Connection::~Connection() {
  service_->Disconnect(user_id_, sink_);
}

void ChatService::Disconnect(int64_t user_id, ChatSink* sink) {
  absl::MutexLock lock(&mu_);
  auto it = sinks_.find(user_id);
  if (it == sinks_.end()) return;
  it->second.erase(sink);
  if (it->second.empty()) sinks_.erase(it);
}

absl::Status ChatService::OnMessageEvent(const Event& event) {
  int64_t message_id = 0;
  if (!absl::SimpleAtoi(event.payload, &message_id)) {
    return absl::InvalidArgumentError("message event without a message id");
  }
  {
    // Skip the read when nobody on this replica is listening.
    absl::MutexLock lock(&mu_);
    if (sinks_.empty()) return absl::OkStatus();
  }
  absl::StatusOr<Message> m = deps_.chats->Find(message_id);
  if (!m.ok()) return m.status();  // retried; reconnecting clients catch up
  // Delivered under the lock so a sink cannot disconnect (and be destroyed)
  // mid-delivery; sinks only enqueue.
  absl::MutexLock lock(&mu_);
  for (int64_t user : {m->recipient_id, m->sender_id}) {
    auto it = sinks_.find(user);
    if (it == sinks_.end()) continue;
    for (ChatSink* sink : it->second) sink->Deliver(*m);
  }
  return absl::OkStatus();
}

}  // namespace tokkit::social
