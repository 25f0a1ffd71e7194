#include <soci/soci.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "lib/core/status_macros.h"
#include "lib/social/sql_counters.h"
#include "lib/social/sql_repository.h"
#include "lib/store/events/outbox.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit::social {
namespace {

constexpr char kColumns[] =
    "id, video_id, author_id, root_id, reply_to_id, reply_to_user_id, body, "
    "like_count, reply_count, deleted, created_at_ms";

Comment ReadComment(const soci::row& r) {
  Comment c;
  c.id = RowInt(r, 0);
  c.video_id = RowInt(r, 1);
  c.author_id = RowInt(r, 2);
  c.root_id = RowInt(r, 3);
  c.reply_to_id = RowInt(r, 4);
  c.reply_to_user_id = RowInt(r, 5);
  c.deleted = RowBool(r, 9);
  c.body = c.deleted ? "" : RowString(r, 6);  // deleted text never leaves
  c.like_count = RowInt(r, 7);
  c.reply_count = RowInt(r, 8);
  c.created_at = FromMillis(RowInt(r, 10));
  return c;
}

std::optional<Comment> FindOn(soci::session& sql, int64_t id) {
  soci::row r;
  sql << absl::StrCat("SELECT ", kColumns, " FROM comments WHERE id = :i"),
      soci::use(id), soci::into(r);
  if (!sql.got_data()) return std::nullopt;
  return ReadComment(r);
}

class SqlCommentRepository : public CommentRepository {
 public:
  explicit SqlCommentRepository(Database* db) : db_(db) {}

  absl::StatusOr<Comment> Create(Comment c, const Event& event) override {
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) -> absl::Status {
      c.root_id = 0;
      c.reply_to_user_id = 0;
      if (c.reply_to_id != 0) {
        std::optional<Comment> parent = FindOn(sql, c.reply_to_id);
        if (!parent || parent->deleted || parent->video_id != c.video_id) {
          return absl::NotFoundError(
              "the comment being replied to was not found");
        }
        // Two levels: a reply to a reply joins the same root thread.
        c.root_id = parent->root_id != 0 ? parent->root_id : parent->id;
        c.reply_to_user_id = parent->author_id;
      }
      const int64_t created = ToMillis(c.created_at);
      sql << "INSERT INTO comments (id, video_id, author_id, root_id, "
             "reply_to_id, reply_to_user_id, body, created_at_ms) VALUES (:i, "
             ":v, :a, :r, :rt, :ru, :b, :c)",
          soci::use(c.id), soci::use(c.video_id), soci::use(c.author_id),
          soci::use(c.root_id), soci::use(c.reply_to_id),
          soci::use(c.reply_to_user_id), soci::use(c.body), soci::use(created);
      if (c.root_id != 0) {
        sql << "UPDATE comments SET reply_count = reply_count + 1 WHERE id = "
               ":r",
            soci::use(c.root_id);
      }
      BumpCounter(sql, "video_stats", "video_id", c.video_id, "comment_count",
                  +1);
      AppendToOutbox(sql, event);
      return absl::OkStatus();
    }));
    return c;
  }

  absl::StatusOr<Comment> Find(int64_t id) override {
    std::optional<Comment> c;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      c = FindOn(sql, id);
      return absl::OkStatus();
    }));
    if (!c) return absl::NotFoundError("comment not found");
    return *c;
  }

  absl::StatusOr<bool> SoftDelete(int64_t id, absl::Time now) override {
    bool changed = false;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) -> absl::Status {
      std::optional<Comment> c = FindOn(sql, id);
      if (!c) return absl::NotFoundError("comment not found");
      const int64_t ms = ToMillis(now);
      changed = ExecAffected(sql,
                             "UPDATE comments SET deleted = 1, deleted_at_ms = "
                             ":n WHERE id = :i AND deleted = 0",
                             ms, id) == 1;
      if (!changed) return absl::OkStatus();
      BumpCounter(sql, "video_stats", "video_id", c->video_id, "comment_count",
                  -1);
      if (c->root_id != 0) {
        sql << "UPDATE comments SET reply_count = reply_count - 1 WHERE id = "
               ":r "
               "AND reply_count > 0",
            soci::use(c->root_id);
      }
      return absl::OkStatus();
    }));
    return changed;
  }

  absl::StatusOr<std::vector<Comment>> ListRoots(int64_t video_id,
                                                 int64_t before,
                                                 int limit) override {
    const int64_t bound = before > 0 ? before : INT64_MAX;
    return Query(
        absl::StrCat("SELECT ", kColumns,
                     " FROM comments WHERE video_id = :v AND root_id = 0 "
                     "AND id < :b AND (deleted = 0 OR reply_count > 0) "
                     "ORDER BY id DESC LIMIT :n"),
        video_id, bound, limit);
  }

  absl::StatusOr<std::vector<Comment>> ListReplies(int64_t root_id,
                                                   int64_t after,
                                                   int limit) override {
    return Query(absl::StrCat("SELECT ", kColumns,
                              " FROM comments WHERE root_id = :r AND id > :a "
                              "AND deleted = 0 ORDER BY id LIMIT :n"),
                 root_id, after, limit);
  }

 private:
  absl::StatusOr<std::vector<Comment>> Query(const std::string& q, int64_t a,
                                             int64_t b, int limit) {
    std::vector<Comment> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << q, soci::use(a), soci::use(b), soci::use(limit));
      for (const soci::row& r : rows) out.push_back(ReadComment(r));
      return absl::OkStatus();
    }));
    return out;
  }

  Database* const db_;
};

}  // namespace

std::unique_ptr<CommentRepository> NewSqlCommentRepository(Database* db) {
  return std::make_unique<SqlCommentRepository>(db);
}

}  // namespace tokkit::social
