#include <soci/soci.h>

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "lib/core/id_generator.h"
#include "lib/core/status_macros.h"
#include "lib/social/sql_repository.h"
#include "lib/store/events/outbox.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit::social {
namespace {

constexpr char kColumns[] =
    "id, sender_id, recipient_id, body, client_message_id, created_at_ms";

std::string ConversationKey(int64_t a, int64_t b) {
  return absl::StrCat(std::min(a, b), ":", std::max(a, b));
}

Message ReadMessage(const soci::row& r) {
  Message m;
  m.id = RowInt(r, 0);
  m.sender_id = RowInt(r, 1);
  m.recipient_id = RowInt(r, 2);
  m.body = RowString(r, 3);
  m.client_message_id = RowString(r, 4);
  m.created_at = FromMillis(RowInt(r, 5));
  return m;
}

Conversation ReadConversation(const soci::row& r) {
  return {RowInt(r, 0), RowInt(r, 1), RowInt(r, 2), RowInt(r, 3)};
}

class SqlChatRepository : public ChatRepository {
 public:
  explicit SqlChatRepository(Database* db) : db_(db) {}

  absl::StatusOr<Message> Send(const Message& m, const Event& event) override {
    if (!m.client_message_id.empty()) {
      ASSIGN_OR_RETURN(std::optional<Message> earlier,
                       FindByClientId(m.sender_id, m.client_message_id));
      if (earlier) return *earlier;
    }
    absl::Status st = db_->Transact([&](soci::session& sql) {
      const std::string key = ConversationKey(m.sender_id, m.recipient_id);
      const int64_t created = ToMillis(m.created_at);
      sql << "INSERT INTO messages (id, conversation_key, sender_id, "
             "recipient_id, body, client_message_id, created_at_ms) VALUES "
             "(:i, :k, :s, :r, :b, :c, :t)",
          soci::use(m.id), soci::use(key), soci::use(m.sender_id),
          soci::use(m.recipient_id), soci::use(m.body),
          soci::use(m.client_message_id), soci::use(created);
      // Recipient: one more unread. Sender: has read what they sent.
      auto recipient_row = [&] {
        sql << Upsert(sql,
                      "conversations (user_id, peer_id, last_message_id, "
                      "last_read_id, unread_count) VALUES (:u, :p, :m, 0, 1)",
                      "user_id, peer_id",
                      "unread_count = conversations.unread_count + 1, "
                      "last_message_id = CASE WHEN "
                      "conversations.last_message_id < :m2 THEN :m3 ELSE "
                      "conversations.last_message_id END"),
            soci::use(m.recipient_id), soci::use(m.sender_id), soci::use(m.id),
            soci::use(m.id), soci::use(m.id);
      };
      auto sender_row = [&] {
        sql << Upsert(sql,
                      "conversations (user_id, peer_id, last_message_id, "
                      "last_read_id, unread_count) VALUES (:u, :p, :m, :r, 0)",
                      "user_id, peer_id",
                      "last_message_id = CASE WHEN "
                      "conversations.last_message_id < :m2 THEN :m3 ELSE "
                      "conversations.last_message_id END, "
                      "last_read_id = CASE WHEN conversations.last_read_id < "
                      ":m4 THEN :m5 ELSE conversations.last_read_id END"),
            soci::use(m.sender_id), soci::use(m.recipient_id), soci::use(m.id),
            soci::use(m.id), soci::use(m.id), soci::use(m.id), soci::use(m.id),
            soci::use(m.id);
      };
      // The lower user id's row first, whoever sends: two people writing
      // to each other at once must lock the pair's rows in the same order,
      // or they deadlock.
      if (m.recipient_id < m.sender_id) {
        recipient_row();
        sender_row();
      } else {
        sender_row();
        recipient_row();
      }
      AppendToOutbox(sql, event);
      return absl::OkStatus();
    });
    if (IsUniqueViolation(st) && !m.client_message_id.empty()) {
      // A concurrent retry with the same key won: return its message.
      ASSIGN_OR_RETURN(std::optional<Message> earlier,
                       FindByClientId(m.sender_id, m.client_message_id));
      if (earlier) return *earlier;
    }
    RETURN_IF_ERROR(st);
    return m;
  }

  absl::StatusOr<Message> Find(int64_t id) override {
    std::optional<Message> found;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << absl::StrCat("SELECT ", kColumns, " FROM messages WHERE id = :i"),
          soci::use(id), soci::into(r);
      if (sql.got_data()) found = ReadMessage(r);
      return absl::OkStatus();
    }));
    if (!found) return absl::NotFoundError("message not found");
    return *found;
  }

  absl::StatusOr<std::vector<Message>> Between(
      int64_t user_id, int64_t peer_id, bool ascending, int64_t cursor,
      int limit, const TimeWindow& window) override {
    const std::string key = ConversationKey(user_id, peer_id);
    // The window filters on created_at_ms exactly; the ids (minted from the
    // same clock, give or take a borrowed millisecond) bound the index scan,
    // with a minute of slack either side.
    constexpr absl::Duration kSlack = absl::Minutes(1);
    int64_t low = 0, high = INT64_MAX;
    int64_t since_ms = INT64_MIN, until_ms = INT64_MAX;
    if (window.since != absl::InfinitePast()) {
      low = std::max<int64_t>(
          0, IdGenerator::FirstIdAt(window.since - kSlack) - 1);
      since_ms = absl::ToUnixMillis(window.since);
    }
    if (window.until != absl::InfiniteFuture()) {
      high = IdGenerator::FirstIdAt(window.until + kSlack);
      until_ms = absl::ToUnixMillis(window.until);
    }
    if (ascending) {
      low = std::max(low, cursor);
    } else if (cursor > 0) {
      high = std::min(high, cursor);
    }
    std::vector<Message> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << absl::StrCat(
               "SELECT ", kColumns,
               " FROM messages WHERE conversation_key = :k AND id > :lo AND "
               "id < :hi AND created_at_ms >= :s AND created_at_ms < :u "
               "ORDER BY id ",
               ascending ? "" : "DESC ", "LIMIT :n"),
           soci::use(key), soci::use(low), soci::use(high), soci::use(since_ms),
           soci::use(until_ms), soci::use(limit));
      for (const soci::row& r : rows) out.push_back(ReadMessage(r));
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<std::vector<Message>> Since(int64_t user_id, int64_t after,
                                             int limit) override {
    std::vector<Message> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      // Two index range scans rather than one OR that defeats both indexes.
      soci::rowset<soci::row> rows =
          (sql.prepare << absl::StrCat(
               "SELECT ", kColumns,
               " FROM messages WHERE recipient_id = :u AND "
               "id > :a UNION ALL SELECT ",
               kColumns,
               " FROM messages WHERE sender_id = :u2 AND id > :a2 ORDER BY id "
               "LIMIT :n"),
           soci::use(user_id), soci::use(after), soci::use(user_id),
           soci::use(after), soci::use(limit));
      for (const soci::row& r : rows) out.push_back(ReadMessage(r));
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<std::vector<Conversation>> Conversations(int64_t user_id,
                                                          int limit) override {
    std::vector<Conversation> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT peer_id, last_message_id, last_read_id, "
                          "unread_count FROM conversations WHERE user_id = :u "
                          "ORDER BY last_message_id DESC LIMIT :n",
           soci::use(user_id), soci::use(limit));
      for (const soci::row& r : rows) out.push_back(ReadConversation(r));
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<Conversation> MarkRead(int64_t user_id, int64_t peer_id,
                                        int64_t up_to_id) override {
    Conversation c;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) -> absl::Status {
      soci::row r;
      sql << "SELECT peer_id, last_message_id, last_read_id, unread_count FROM "
             "conversations WHERE user_id = :u AND peer_id = :p",
          soci::use(user_id), soci::use(peer_id), soci::into(r);
      if (!sql.got_data())
        return absl::NotFoundError("no conversation with that user");
      c = ReadConversation(r);
      c.last_read_id =
          std::max(c.last_read_id, std::min(up_to_id, c.last_message_id));
      const std::string key = ConversationKey(user_id, peer_id);
      long long unread = 0;
      sql << "SELECT COUNT(*) FROM messages WHERE conversation_key = :k AND "
             "recipient_id = :u AND id > :r",
          soci::use(key), soci::use(user_id), soci::use(c.last_read_id),
          soci::into(unread);
      c.unread_count = unread;
      sql << "UPDATE conversations SET last_read_id = :r, unread_count = :n "
             "WHERE user_id = :u AND peer_id = :p",
          soci::use(c.last_read_id), soci::use(c.unread_count),
          soci::use(user_id), soci::use(peer_id);
      return absl::OkStatus();
    }));
    return c;
  }

 private:
  absl::StatusOr<std::optional<Message>> FindByClientId(int64_t sender_id,
                                                        const std::string& id) {
    std::optional<Message> found;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << absl::StrCat("SELECT ", kColumns,
                          " FROM messages WHERE sender_id = :s AND "
                          "client_message_id = :c"),
          soci::use(sender_id), soci::use(id), soci::into(r);
      if (sql.got_data()) found = ReadMessage(r);
      return absl::OkStatus();
    }));
    return found;
  }

  Database* const db_;
};

}  // namespace

std::unique_ptr<ChatRepository> NewSqlChatRepository(Database* db) {
  return std::make_unique<SqlChatRepository>(db);
}

}  // namespace tokkit::social
