#include <soci/soci.h>

#include <optional>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/core/status_macros.h"
#include "lib/feed/sql_repository.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit::feed {

const std::vector<Migration>& FeedMigrations() {
  static const auto* migrations = new std::vector<Migration>{
      {1, "videos",
       R"sql(
CREATE TABLE videos (
  id BIGINT PRIMARY KEY,
  author_id BIGINT NOT NULL,
  title VARCHAR(400) NOT NULL,
  description VARCHAR(4000) NOT NULL DEFAULT '',
  tags VARCHAR(1000) NOT NULL DEFAULT '',
  video_key VARCHAR(512) NOT NULL,
  cover_key VARCHAR(512) NOT NULL DEFAULT '',
  video_mime VARCHAR(64) NOT NULL,
  cover_mime VARCHAR(64) NOT NULL DEFAULT '',
  video_bytes BIGINT NOT NULL,
  video_sha256 VARCHAR(64) NOT NULL,
  deleted SMALLINT NOT NULL DEFAULT 0,
  created_at_ms BIGINT NOT NULL,
  deleted_at_ms BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX videos_author_idx ON videos (author_id, id);
)sql"},
  };
  return *migrations;
}

namespace {

constexpr char kColumns[] =
    "id, author_id, title, description, tags, video_key, cover_key, "
    "video_mime, cover_mime, video_bytes, video_sha256, deleted, created_at_ms";

Video ReadVideo(const soci::row& r) {
  Video v;
  v.id = RowInt(r, 0);
  v.author_id = RowInt(r, 1);
  v.title = RowString(r, 2);
  v.description = RowString(r, 3);
  const std::string tags = RowString(r, 4);
  v.tags = absl::StrSplit(tags, ',', absl::SkipEmpty());
  v.video_key = RowString(r, 5);
  v.cover_key = RowString(r, 6);
  v.video_mime = RowString(r, 7);
  v.cover_mime = RowString(r, 8);
  v.video_bytes = RowInt(r, 9);
  v.video_sha256 = RowString(r, 10);
  v.deleted = RowBool(r, 11);
  v.created_at = FromMillis(RowInt(r, 12));
  return v;
}

class SqlVideoRepository : public VideoRepository {
 public:
  explicit SqlVideoRepository(Database* db) : db_(db) {}

  absl::Status Create(const Video& v) override {
    return db_->Run([&](soci::session& sql) {
      const std::string tags = absl::StrJoin(v.tags, ",");
      const int64_t created = ToMillis(v.created_at);
      sql << "INSERT INTO videos (id, author_id, title, description, tags, "
             "video_key, cover_key, video_mime, cover_mime, video_bytes, "
             "video_sha256, deleted, created_at_ms) VALUES (:i, :a, :t, :d, "
             ":tg, :vk, :ck, :vm, :cm, :vb, :sh, 0, :c)",
          soci::use(v.id), soci::use(v.author_id), soci::use(v.title),
          soci::use(v.description), soci::use(tags), soci::use(v.video_key),
          soci::use(v.cover_key), soci::use(v.video_mime),
          soci::use(v.cover_mime), soci::use(v.video_bytes),
          soci::use(v.video_sha256), soci::use(created);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<Video> Find(int64_t id) override {
    std::optional<Video> found;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << std::string("SELECT ") + kColumns +
                 " FROM videos WHERE id = :i AND deleted = 0",
          soci::use(id), soci::into(r);
      if (sql.got_data()) found = ReadVideo(r);
      return absl::OkStatus();
    }));
    if (!found) return absl::NotFoundError("video not found");
    return *found;
  }

  absl::Status SoftDelete(int64_t author_id, int64_t id, absl::Time now) override {
    return db_->Run([&](soci::session& sql) -> absl::Status {
      const int64_t ms = ToMillis(now);
      if (ExecAffected(sql,
                       "UPDATE videos SET deleted = 1, deleted_at_ms = :n "
                       "WHERE id = :i AND author_id = :a AND deleted = 0",
                       ms, id, author_id) != 1) {
        return absl::NotFoundError("video not found");
      }
      return absl::OkStatus();
    });
  }

 private:
  Database* const db_;
};

}  // namespace

std::unique_ptr<VideoRepository> NewSqlVideoRepository(Database* db) {
  return std::make_unique<SqlVideoRepository>(db);
}

}  // namespace tokkit::feed
