#include <soci/soci.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/core/status_macros.h"
#include "lib/social/sql_counters.h"
#include "lib/social/sql_repository.h"
#include "lib/store/events/outbox.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit::social {
namespace {

class SqlLikeRepository : public LikeRepository {
 public:
  explicit SqlLikeRepository(Database* db) : db_(db) {}

  absl::StatusOr<ToggleResult> LikeVideo(int64_t user_id, int64_t video_id,
                                         int64_t author_id, int64_t like_id,
                                         const Event& event) override {
    ToggleResult r;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) {
      const int64_t now = ToMillis(event.created_at);
      // The primary key makes this idempotent: no check-then-insert race.
      r.changed = ExecAffected(sql,
                               InsertIgnoringDuplicate(
                                   sql,
                                   "video_likes (video_id, user_id, like_id, "
                                   "created_at_ms) VALUES (:v, :u, :l, :c)"),
                               video_id, user_id, like_id, now) == 1;
      if (r.changed) {
        BumpCounter(sql, "video_stats", "video_id", video_id, "like_count", +1);
        BumpCounter(sql, "user_stats", "user_id", user_id, "likes_given", +1);
        if (author_id != 0) {
          BumpCounter(sql, "user_stats", "user_id", author_id, "likes_received",
                      +1);
        }
        AppendToOutbox(sql, event);
      }
      r.active = true;
      r.count =
          ReadCounter(sql, "video_stats", "video_id", video_id, "like_count");
      return absl::OkStatus();
    }));
    return r;
  }

  absl::StatusOr<ToggleResult> UnlikeVideo(int64_t user_id, int64_t video_id,
                                           int64_t author_id) override {
    ToggleResult r;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) {
      // The author comes from the caller (the video's, which never
      // changes), not from a read of the row: a row read before a racing
      // like committed would not be there to say.
      r.changed =
          ExecAffected(sql,
                       "DELETE FROM video_likes WHERE video_id = :v AND "
                       "user_id = :u",
                       video_id, user_id) == 1;
      if (r.changed) {
        BumpCounter(sql, "video_stats", "video_id", video_id, "like_count", -1);
        BumpCounter(sql, "user_stats", "user_id", user_id, "likes_given", -1);
        if (author_id != 0) {
          BumpCounter(sql, "user_stats", "user_id", author_id, "likes_received",
                      -1);
        }
      }
      r.count =
          ReadCounter(sql, "video_stats", "video_id", video_id, "like_count");
      return absl::OkStatus();
    }));
    return r;
  }

  absl::StatusOr<ToggleResult> LikeComment(int64_t user_id, int64_t comment_id,
                                           absl::Time now) override {
    ToggleResult r;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) -> absl::Status {
      int live = 0;
      sql << "SELECT COUNT(*) FROM comments WHERE id = :c AND deleted = 0",
          soci::use(comment_id), soci::into(live);
      if (live == 0) return absl::NotFoundError("comment not found");
      const int64_t ms = ToMillis(now);
      r.changed = ExecAffected(sql,
                               InsertIgnoringDuplicate(
                                   sql,
                                   "comment_likes (comment_id, user_id, "
                                   "created_at_ms) VALUES (:c, :u, :t)"),
                               comment_id, user_id, ms) == 1;
      if (r.changed) {
        sql << "UPDATE comments SET like_count = like_count + 1 WHERE id = :c",
            soci::use(comment_id);
      }
      r.active = true;
      r.count = ReadCounter(sql, "comments", "id", comment_id, "like_count");
      return absl::OkStatus();
    }));
    return r;
  }

  absl::StatusOr<ToggleResult> UnlikeComment(int64_t user_id,
                                             int64_t comment_id) override {
    ToggleResult r;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) {
      r.changed =
          ExecAffected(sql,
                       "DELETE FROM comment_likes WHERE comment_id = :c "
                       "AND user_id = :u",
                       comment_id, user_id) == 1;
      if (r.changed) {
        sql << "UPDATE comments SET like_count = like_count - 1 WHERE id = :c "
               "AND like_count > 0",
            soci::use(comment_id);
      }
      r.count = ReadCounter(sql, "comments", "id", comment_id, "like_count");
      return absl::OkStatus();
    }));
    return r;
  }

  absl::StatusOr<std::vector<VideoSocialState>> VideoStates(
      int64_t viewer_id, const std::vector<int64_t>& video_ids) override {
    std::vector<VideoSocialState> out;
    if (video_ids.empty()) return out;
    const std::string in = absl::StrJoin(video_ids, ",");  // integers only
    absl::flat_hash_map<int64_t, VideoSocialState> by_id;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> stats =
          sql.prepare << absl::StrCat(
              "SELECT video_id, like_count, comment_count FROM video_stats "
              "WHERE video_id IN (",
              in, ")");
      for (const soci::row& r : stats) {
        VideoSocialState& s = by_id[RowInt(r, 0)];
        s.like_count = RowInt(r, 1);
        s.comment_count = RowInt(r, 2);
      }
      if (viewer_id > 0) {
        soci::rowset<soci::row> liked =
            (sql.prepare << absl::StrCat("SELECT video_id FROM video_likes "
                                         "WHERE user_id = :u AND video_id IN (",
                                         in, ")"),
             soci::use(viewer_id));
        for (const soci::row& r : liked)
          by_id[RowInt(r, 0)].liked_by_viewer = true;
      }
      return absl::OkStatus();
    }));
    for (int64_t id : video_ids) {
      VideoSocialState s = by_id[id];
      s.video_id = id;
      out.push_back(s);
    }
    return out;
  }

  absl::StatusOr<absl::flat_hash_set<int64_t>> LikedComments(
      int64_t viewer_id, const std::vector<int64_t>& comment_ids) override {
    absl::flat_hash_set<int64_t> out;
    if (comment_ids.empty() || viewer_id <= 0) return out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << absl::StrCat("SELECT comment_id FROM comment_likes "
                                       "WHERE user_id = :u AND comment_id IN (",
                                       absl::StrJoin(comment_ids, ","), ")"),
           soci::use(viewer_id));
      for (const soci::row& r : rows) out.insert(RowInt(r, 0));
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<std::vector<LikedVideo>> LikedVideos(int64_t user_id,
                                                      int64_t before,
                                                      int limit) override {
    std::vector<LikedVideo> out;
    const int64_t bound = before > 0 ? before : INT64_MAX;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT video_id, like_id, created_at_ms FROM "
                          "video_likes WHERE user_id = :u AND like_id < :b "
                          "ORDER BY like_id DESC LIMIT :n",
           soci::use(user_id), soci::use(bound), soci::use(limit));
      for (const soci::row& r : rows) {
        out.push_back({RowInt(r, 0), RowInt(r, 1), FromMillis(RowInt(r, 2))});
      }
      return absl::OkStatus();
    }));
    return out;
  }

 private:
  Database* const db_;
};

}  // namespace

std::unique_ptr<LikeRepository> NewSqlLikeRepository(Database* db) {
  return std::make_unique<SqlLikeRepository>(db);
}

}  // namespace tokkit::social
