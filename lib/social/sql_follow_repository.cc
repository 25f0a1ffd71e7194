#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/core/status_macros.h"
#include "lib/social/sql_counters.h"
#include "lib/social/sql_repository.h"
#include "lib/store/events/outbox.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit::social {
namespace {

class SqlFollowRepository : public FollowRepository {
 public:
  explicit SqlFollowRepository(Database* db) : db_(db) {}

  absl::StatusOr<ToggleResult> Follow(int64_t follower_id, int64_t followee_id,
                                      int64_t follow_id,
                                      const Event& event) override {
    ToggleResult r;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) {
      const int64_t now = ToMillis(event.created_at);
      r.changed =
          ExecAffected(sql,
                       InsertIgnoringDuplicate(
                           sql,
                           "follows (follower_id, followee_id, follow_id, "
                           "created_at_ms) VALUES (:a, :b, :f, :c)"),
                       follower_id, followee_id, follow_id, now) == 1;
      if (r.changed) {
        BumpCounter(sql, "user_stats", "user_id", followee_id, "follower_count",
                    +1);
        BumpCounter(sql, "user_stats", "user_id", follower_id,
                    "following_count", +1);
        AppendToOutbox(sql, event);
      }
      r.active = true;
      r.count = ReadCounter(sql, "user_stats", "user_id", followee_id,
                            "follower_count");
      return absl::OkStatus();
    }));
    return r;
  }

  absl::StatusOr<ToggleResult> Unfollow(int64_t follower_id,
                                        int64_t followee_id) override {
    ToggleResult r;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) {
      r.changed = ExecAffected(sql,
                               "DELETE FROM follows WHERE follower_id = :a AND "
                               "followee_id = :b",
                               follower_id, followee_id) == 1;
      if (r.changed) {
        BumpCounter(sql, "user_stats", "user_id", followee_id, "follower_count",
                    -1);
        BumpCounter(sql, "user_stats", "user_id", follower_id,
                    "following_count", -1);
      }
      r.count = ReadCounter(sql, "user_stats", "user_id", followee_id,
                            "follower_count");
      return absl::OkStatus();
    }));
    return r;
  }

  absl::StatusOr<std::vector<FollowEdge>> Following(int64_t user_id,
                                                    int64_t before,
                                                    int limit) override {
    return Edges(
        "SELECT followee_id, follow_id, created_at_ms FROM follows "
        "WHERE follower_id = :u AND follow_id < :b ORDER BY follow_id "
        "DESC LIMIT :n",
        user_id, before, limit);
  }

  absl::StatusOr<std::vector<FollowEdge>> Followers(int64_t user_id,
                                                    int64_t before,
                                                    int limit) override {
    return Edges(
        "SELECT follower_id, follow_id, created_at_ms FROM follows "
        "WHERE followee_id = :u AND follow_id < :b ORDER BY follow_id "
        "DESC LIMIT :n",
        user_id, before, limit);
  }

  absl::StatusOr<std::vector<FollowEdge>> Friends(int64_t user_id,
                                                  int64_t before,
                                                  int limit) override {
    return Edges(
        "SELECT f.followee_id, f.follow_id, f.created_at_ms FROM "
        "follows f JOIN follows g ON g.follower_id = f.followee_id AND "
        "g.followee_id = f.follower_id WHERE f.follower_id = :u AND "
        "f.follow_id < :b ORDER BY f.follow_id DESC LIMIT :n",
        user_id, before, limit);
  }

  absl::StatusOr<absl::flat_hash_set<int64_t>> FollowedAmong(
      int64_t follower_id, const std::vector<int64_t>& candidates) override {
    absl::flat_hash_set<int64_t> out;
    if (candidates.empty() || follower_id <= 0) return out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << absl::StrCat("SELECT followee_id FROM follows WHERE "
                                       "follower_id = :u AND followee_id IN (",
                                       absl::StrJoin(candidates, ","), ")"),
           soci::use(follower_id));
      for (const soci::row& r : rows) out.insert(RowInt(r, 0));
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<RelationStats> Stats(int64_t user_id) override {
    RelationStats s;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << "SELECT follower_count, following_count, likes_given, "
             "likes_received FROM user_stats WHERE user_id = :u",
          soci::use(user_id), soci::into(r);
      if (sql.got_data()) {
        s.followers = RowInt(r, 0);
        s.following = RowInt(r, 1);
        s.likes_given = RowInt(r, 2);
        s.likes_received = RowInt(r, 3);
      }
      return absl::OkStatus();
    }));
    return s;
  }

 private:
  absl::StatusOr<std::vector<FollowEdge>> Edges(const char* q, int64_t user_id,
                                                int64_t before, int limit) {
    std::vector<FollowEdge> out;
    const int64_t bound = before > 0 ? before : INT64_MAX;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows = (sql.prepare << q, soci::use(user_id),
                                      soci::use(bound), soci::use(limit));
      for (const soci::row& r : rows) {
        out.push_back({RowInt(r, 0), RowInt(r, 1), FromMillis(RowInt(r, 2))});
      }
      return absl::OkStatus();
    }));
    return out;
  }

  Database* const db_;
};

}  // namespace

std::unique_ptr<FollowRepository> NewSqlFollowRepository(Database* db) {
  return std::make_unique<SqlFollowRepository>(db);
}

}  // namespace tokkit::social
