#include "lib/assistant/sql_repository.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "absl/strings/str_cat.h"
#include "lib/core/status_macros.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit::assistant {

const std::vector<Migration>& AssistantMigrations() {
  static const auto* migrations = new std::vector<Migration>{
      {1, "conversations, proposed actions, token use",
       R"sql(
CREATE TABLE assistant_conversations (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  title VARCHAR(200) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
CREATE INDEX assistant_conversations_user_idx ON assistant_conversations (user_id, updated_at_ms);
CREATE TABLE assistant_messages (
  conversation_id BIGINT NOT NULL,
  seq INTEGER NOT NULL,
  role SMALLINT NOT NULL,
  content TEXT NOT NULL,
  tool_calls TEXT NOT NULL,
  tool_call_id VARCHAR(100) NOT NULL,
  tool_name VARCHAR(64) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);
CREATE TABLE assistant_actions (
  confirmation_id VARCHAR(64) PRIMARY KEY,
  id BIGINT NOT NULL,
  conversation_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  tool VARCHAR(64) NOT NULL,
  arguments TEXT NOT NULL,
  summary VARCHAR(500) NOT NULL,
  state SMALLINT NOT NULL,
  result TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  decided_at_ms BIGINT NOT NULL
);
CREATE INDEX assistant_actions_conversation_idx ON assistant_actions (conversation_id, id);
CREATE TABLE assistant_usage (
  user_id BIGINT NOT NULL,
  usage_day BIGINT NOT NULL,
  tokens BIGINT NOT NULL,
  PRIMARY KEY (user_id, usage_day)
);
)sql"},
  };
  return *migrations;
}

namespace {

using nlohmann::json;

// TEXT holds 64 KiB on MySQL; what the assistant stores is cut to fit.
constexpr size_t kMaxStoredText = 60000;

std::string Bounded(const std::string& text) {
  if (text.size() <= kMaxStoredText) return text;
  return text.substr(0, kMaxStoredText) + " [cut]";
}

std::string EncodeCalls(const std::vector<ToolCall>& calls) {
  json out = json::array();
  for (const ToolCall& c : calls) {
    out.push_back({{"id", c.id}, {"name", c.name}, {"arguments", c.arguments}});
  }
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<ToolCall> DecodeCalls(const std::string& text) {
  std::vector<ToolCall> out;
  json calls = json::parse(text, nullptr, false);
  if (!calls.is_array()) return out;
  for (const json& c : calls) {
    if (!c.is_object()) continue;
    out.push_back(
        {c.value("id", ""), c.value("name", ""), c.value("arguments", "")});
  }
  return out;
}

Conversation ReadConversation(const soci::row& r) {
  Conversation c;
  c.id = RowInt(r, 0);
  c.user_id = RowInt(r, 1);
  c.title = RowString(r, 2);
  c.created_at = FromMillis(RowInt(r, 3));
  c.updated_at = FromMillis(RowInt(r, 4));
  return c;
}

constexpr char kActionColumns[] =
    "confirmation_id, id, conversation_id, user_id, tool, arguments, "
    "summary, state, result, created_at_ms, expires_at_ms, decided_at_ms";

Action ReadAction(const soci::row& r) {
  Action a;
  a.confirmation_id = RowString(r, 0);
  a.id = RowInt(r, 1);
  a.conversation_id = RowInt(r, 2);
  a.user_id = RowInt(r, 3);
  a.tool = RowString(r, 4);
  a.arguments = RowString(r, 5);
  a.summary = RowString(r, 6);
  a.state = static_cast<ActionState>(RowInt(r, 7));
  a.result = RowString(r, 8);
  a.created_at = FromMillis(RowInt(r, 9));
  a.expires_at = FromMillis(RowInt(r, 10));
  a.decided_at = FromMillis(RowInt(r, 11));
  return a;
}

class SqlAssistantRepository : public AssistantRepository {
 public:
  explicit SqlAssistantRepository(Database* db) : db_(db) {}

  absl::Status CreateConversation(const Conversation& c) override {
    return db_->Run([&](soci::session& sql) {
      const int64_t created = ToMillis(c.created_at),
                    updated = ToMillis(c.updated_at);
      sql << "INSERT INTO assistant_conversations (id, user_id, title, "
             "created_at_ms, updated_at_ms) VALUES (:i, :u, :t, :c, :m)",
          soci::use(c.id), soci::use(c.user_id), soci::use(c.title),
          soci::use(created), soci::use(updated);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<Conversation> FindConversation(int64_t user_id,
                                                int64_t id) override {
    std::optional<Conversation> c;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << "SELECT id, user_id, title, created_at_ms, updated_at_ms FROM "
             "assistant_conversations WHERE id = :i AND user_id = :u",
          soci::use(id), soci::use(user_id), soci::into(r);
      if (sql.got_data()) c = ReadConversation(r);
      return absl::OkStatus();
    }));
    if (!c) return absl::NotFoundError("conversation not found");
    return *c;
  }

  absl::StatusOr<std::vector<Conversation>> ListConversations(
      int64_t user_id, int64_t before_updated_ms, int64_t before_id,
      int limit) override {
    std::vector<Conversation> out;
    const bool first = before_updated_ms == 0 && before_id == 0;
    const int64_t bound = first ? INT64_MAX : before_updated_ms;
    const int64_t id_bound = first ? INT64_MAX : before_id;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT id, user_id, title, created_at_ms, "
                          "updated_at_ms FROM assistant_conversations WHERE "
                          "user_id = :u AND (updated_at_ms < :b OR "
                          "(updated_at_ms = :b2 AND id < :i)) ORDER BY "
                          "updated_at_ms DESC, id DESC LIMIT :n",
           soci::use(user_id), soci::use(bound), soci::use(bound),
           soci::use(id_bound), soci::use(limit));
      for (const soci::row& r : rows) out.push_back(ReadConversation(r));
      return absl::OkStatus();
    }));
    return out;
  }

  absl::Status DeleteConversation(int64_t user_id, int64_t id) override {
    return db_->Transact([&](soci::session& sql) -> absl::Status {
      if (ExecAffected(sql,
                       "DELETE FROM assistant_conversations WHERE id = :i "
                       "AND user_id = :u",
                       id, user_id) != 1) {
        return absl::NotFoundError("conversation not found");
      }
      sql << "DELETE FROM assistant_messages WHERE conversation_id = :c",
          soci::use(id);
      sql << "DELETE FROM assistant_actions WHERE conversation_id = :c",
          soci::use(id);
      return absl::OkStatus();
    });
  }

  absl::Status AppendMessages(int64_t conversation_id,
                              const std::vector<StoredMessage>& messages,
                              absl::Time now) override {
    return db_->Transact([&](soci::session& sql) -> absl::Status {
      const int64_t now_ms = ToMillis(now);
      // The conversation row first: it serialises appends to it.
      if (ExecAffected(sql,
                       "UPDATE assistant_conversations SET updated_at_ms = "
                       ":n WHERE id = :i",
                       now_ms, conversation_id) != 1) {
        return absl::NotFoundError("conversation not found");
      }
      soci::row r;
      sql << "SELECT COALESCE(MAX(seq), 0) FROM assistant_messages WHERE "
             "conversation_id = :c",
          soci::use(conversation_id), soci::into(r);
      int seq = static_cast<int>(RowInt(r, 0));
      for (const StoredMessage& m : messages) {
        ++seq;
        const int role = static_cast<int>(m.message.role);
        const std::string content = Bounded(m.message.content);
        const std::string calls = Bounded(EncodeCalls(m.message.tool_calls));
        sql << "INSERT INTO assistant_messages (conversation_id, seq, role, "
               "content, tool_calls, tool_call_id, tool_name, created_at_ms) "
               "VALUES (:c, :s, :r, :t, :k, :i, :n, :m)",
            soci::use(conversation_id), soci::use(seq), soci::use(role),
            soci::use(content), soci::use(calls),
            soci::use(m.message.tool_call_id), soci::use(m.tool_name),
            soci::use(now_ms);
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<StoredMessage>> Messages(int64_t conversation_id,
                                                      int limit) override {
    std::vector<StoredMessage> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT seq, role, content, tool_calls, "
                          "tool_call_id, tool_name, created_at_ms FROM "
                          "assistant_messages WHERE conversation_id = :c "
                          "ORDER BY seq DESC LIMIT :n",
           soci::use(conversation_id), soci::use(limit));
      for (const soci::row& r : rows) {
        StoredMessage m;
        m.seq = static_cast<int>(RowInt(r, 0));
        m.message.role = static_cast<Role>(RowInt(r, 1));
        m.message.content = RowString(r, 2);
        m.message.tool_calls = DecodeCalls(RowString(r, 3));
        m.message.tool_call_id = RowString(r, 4);
        m.tool_name = RowString(r, 5);
        m.created_at = FromMillis(RowInt(r, 6));
        out.insert(out.begin(), std::move(m));
      }
      return absl::OkStatus();
    }));
    return out;
  }

  absl::Status CreateAction(const Action& a) override {
    return db_->Run([&](soci::session& sql) {
      const int state = static_cast<int>(a.state);
      const int64_t created = ToMillis(a.created_at),
                    expires = ToMillis(a.expires_at);
      const std::string arguments = Bounded(a.arguments);
      sql << "INSERT INTO assistant_actions (confirmation_id, id, "
             "conversation_id, user_id, tool, arguments, summary, state, "
             "result, created_at_ms, expires_at_ms, decided_at_ms) VALUES "
             "(:k, :i, :c, :u, :t, :a, :s, :st, '', :cr, :e, 0)",
          soci::use(a.confirmation_id), soci::use(a.id),
          soci::use(a.conversation_id), soci::use(a.user_id), soci::use(a.tool),
          soci::use(arguments), soci::use(a.summary), soci::use(state),
          soci::use(created), soci::use(expires);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<Action>> Actions(
      int64_t conversation_id) override {
    std::vector<Action> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << absl::StrCat("SELECT ", kActionColumns,
                                       " FROM assistant_actions WHERE "
                                       "conversation_id = :c ORDER BY id"),
           soci::use(conversation_id));
      for (const soci::row& r : rows) out.push_back(ReadAction(r));
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<Action> FindAction(
      int64_t user_id, const std::string& confirmation_id) override {
    std::optional<Action> a;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << absl::StrCat("SELECT ", kActionColumns,
                          " FROM assistant_actions WHERE confirmation_id = "
                          ":k AND user_id = :u"),
          soci::use(confirmation_id), soci::use(user_id), soci::into(r);
      if (sql.got_data()) a = ReadAction(r);
      return absl::OkStatus();
    }));
    if (!a) return absl::NotFoundError("no such proposed action");
    return *a;
  }

  absl::StatusOr<bool> MoveAction(const std::string& confirmation_id,
                                  ActionState from, ActionState to,
                                  const std::string& result,
                                  absl::Time now) override {
    bool moved = false;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      const int f = static_cast<int>(from), t = static_cast<int>(to);
      const int64_t now_ms = ToMillis(now);
      moved = ExecAffected(sql,
                           "UPDATE assistant_actions SET state = :t, result "
                           "= :r, decided_at_ms = :n WHERE confirmation_id = "
                           ":k AND state = :f",
                           t, Bounded(result), now_ms, confirmation_id, f) == 1;
      return absl::OkStatus();
    }));
    return moved;
  }

  absl::StatusOr<int64_t> AddTokens(int64_t user_id, int64_t day,
                                    int64_t tokens) override {
    int64_t total = 0;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) {
      sql << Upsert(
          sql,
          "assistant_usage (user_id, usage_day, tokens) VALUES (:u, :d, "
          ":t)",
          "user_id, usage_day", "tokens = assistant_usage.tokens + :t2"),
          soci::use(user_id), soci::use(day), soci::use(tokens),
          soci::use(tokens);
      soci::row r;
      sql << "SELECT tokens FROM assistant_usage WHERE user_id = :u AND "
             "usage_day "
             "= :d",
          soci::use(user_id), soci::use(day), soci::into(r);
      total = RowInt(r, 0);
      return absl::OkStatus();
    }));
    return total;
  }

  absl::StatusOr<int64_t> TokensUsed(int64_t user_id, int64_t day) override {
    int64_t total = 0;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << "SELECT tokens FROM assistant_usage WHERE user_id = :u AND "
             "usage_day "
             "= :d",
          soci::use(user_id), soci::use(day), soci::into(r);
      if (sql.got_data()) total = RowInt(r, 0);
      return absl::OkStatus();
    }));
    return total;
  }

 private:
  Database* const db_;
};

}  // namespace

std::unique_ptr<AssistantRepository> NewSqlAssistantRepository(Database* db) {
  return std::make_unique<SqlAssistantRepository>(db);
}

}  // namespace tokkit::assistant
