#include <soci/soci.h>

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "lib/core/status_macros.h"
#include "lib/feed/sql_repository.h"
#include "lib/store/blob/blob_ledger.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit::feed {
namespace {

constexpr char kCommonV2[] = R"sql(
ALTER TABLE videos ADD COLUMN author_name VARCHAR(64) NOT NULL DEFAULT '';
CREATE INDEX videos_latest_idx ON videos (deleted, id);
CREATE TABLE video_counters (
  video_id BIGINT PRIMARY KEY,
  view_count BIGINT NOT NULL DEFAULT 0,
  popularity_key BIGINT NOT NULL
);
CREATE INDEX video_counters_popularity_idx ON video_counters (popularity_key, video_id);
CREATE TABLE consumed_events (
  consumer VARCHAR(64) NOT NULL,
  event_id BIGINT NOT NULL,
  PRIMARY KEY (consumer, event_id)
);
)sql";

// SQLite: the video's row in the full-text index, which the repository keeps
// in step (PostgreSQL's and MySQL's indexes follow the table by themselves).
void IndexTextOnSqlite(soci::session& sql, int64_t id, const std::string& title,
                       const std::string& description,
                       const std::vector<std::string>& tags,
                       const std::string& author_name) {
  const std::string words = absl::StrJoin(tags, " ");
  sql << "INSERT INTO video_search (rowid, title, description, tags, "
         "author_name) VALUES (:i, :t, :d, :tg, :a)",
      soci::use(id), soci::use(title), soci::use(description), soci::use(words),
      soci::use(author_name);
}

absl::Status BackfillVideoIndexes(soci::session& sql, SqlDialect dialect) {
  struct Row {
    int64_t id;
    std::string title, description, tags, author_name;
  };
  std::vector<Row> videos;
  {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT id, title, description, tags, author_name "
                        "FROM videos WHERE deleted = 0");
    for (const soci::row& r : rows) {
      videos.push_back({RowInt(r, 0), RowString(r, 1), RowString(r, 2),
                        RowString(r, 3), RowString(r, 4)});
    }
  }
  for (const Row& v : videos) {
    const std::vector<std::string> tags =
        absl::StrSplit(v.tags, ',', absl::SkipEmpty());
    for (const std::string& tag : tags) {
      sql << InsertIgnoringDuplicate(
          sql, "video_tags (tag, video_id) VALUES (:t, :v)"),
          soci::use(tag), soci::use(v.id);
    }
    if (dialect != SqlDialect::kSqlite) continue;  // the index is the table's
    int64_t indexed = 0;
    sql << "SELECT COUNT(*) FROM video_search WHERE rowid = :i",
        soci::use(v.id), soci::into(indexed);
    if (indexed == 0) {
      IndexTextOnSqlite(sql, v.id, v.title, v.description, tags, v.author_name);
    }
  }
  return absl::OkStatus();
}

}  // namespace

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
      {2, "counters, popularity and search",
       // SQLite: an FTS5 index kept in step by the repository.
       absl::StrCat(kCommonV2, R"sql(
CREATE VIRTUAL TABLE video_search USING fts5(title, description, tags, author_name, tokenize = 'unicode61 remove_diacritics 2');
)sql"),
       // PostgreSQL: a generated tsvector with a GIN index.
       absl::StrCat(kCommonV2, R"sql(
ALTER TABLE videos ADD COLUMN search_doc tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', replace(tags, ',', ' ')), 'B') || setweight(to_tsvector('simple', author_name), 'B') || setweight(to_tsvector('simple', description), 'C')) STORED;
CREATE INDEX videos_search_idx ON videos USING GIN (search_doc);
)sql"),
       // MySQL/MariaDB: an InnoDB FULLTEXT index, built without a stopword
       // list so every word can be found (words shorter than the server's
       // innodb_ft_min_token_size, 3 by default, are not indexed).
       absl::StrCat(kCommonV2, R"sql(
SET SESSION innodb_ft_enable_stopword = OFF;
CREATE FULLTEXT INDEX videos_search_idx ON videos (title, description, tags, author_name);
)sql")},
      {3, "video tags",
       R"sql(
CREATE TABLE video_tags (
  tag VARCHAR(30) NOT NULL,
  video_id BIGINT NOT NULL,
  PRIMARY KEY (tag, video_id)
);
)sql"},
      // Steps 2 and 3 only covered videos written after them: a database
      // upgraded from step 1 or 2 had videos missing from the tag index (the
      // for-you feed's same-tag source) and, on SQLite, from search.
      {4, "index videos from before the tag and search indexes", "", "", "",
       BackfillVideoIndexes},
      // MySQL tables are created with a binary collation, under which
      // FULLTEXT matches case-sensitively ("Noodle" missed "noodle"): the
      // searched text gets a case-insensitive one. Copying the table:
      // MariaDB 10.11's in-place rebuild left the FULLTEXT index finding
      // none of the rows already there. Nothing to do elsewhere.
      {5, "case-insensitive video search on MySQL", "", "",
       R"sql(
ALTER TABLE videos MODIFY title VARCHAR(400) NOT NULL COLLATE utf8mb4_unicode_ci, MODIFY description VARCHAR(4000) NOT NULL DEFAULT '' COLLATE utf8mb4_unicode_ci, MODIFY tags VARCHAR(1000) NOT NULL DEFAULT '' COLLATE utf8mb4_unicode_ci, MODIFY author_name VARCHAR(64) NOT NULL DEFAULT '' COLLATE utf8mb4_unicode_ci, ALGORITHM=COPY;
)sql"},
  };
  return *migrations;
}

namespace {

#define TOKKIT_VIDEO_COLUMNS                                                  \
  "SELECT v.id, v.author_id, v.author_name, v.title, v.description, v.tags, " \
  "v.video_key, v.cover_key, v.video_mime, v.cover_mime, v.video_bytes, "     \
  "v.video_sha256, v.deleted, v.created_at_ms, "                              \
  "COALESCE(c.view_count, 0) AS views, "                                      \
  "COALESCE(c.popularity_key, -4611686018427387904) AS pop"
#define TOKKIT_VIDEO_FROM \
  " FROM videos v LEFT JOIN video_counters c ON c.video_id = v.id"
constexpr char kSelect[] = TOKKIT_VIDEO_COLUMNS TOKKIT_VIDEO_FROM;
constexpr int kSelectColumns = 16;

Video ReadVideo(const soci::row& r) {
  Video v;
  v.id = RowInt(r, 0);
  v.author_id = RowInt(r, 1);
  v.author_name = RowString(r, 2);
  v.title = RowString(r, 3);
  v.description = RowString(r, 4);
  v.tags = absl::StrSplit(RowString(r, 5), ',', absl::SkipEmpty());
  v.video_key = RowString(r, 6);
  v.cover_key = RowString(r, 7);
  v.video_mime = RowString(r, 8);
  v.cover_mime = RowString(r, 9);
  v.video_bytes = RowInt(r, 10);
  v.video_sha256 = RowString(r, 11);
  v.deleted = RowBool(r, 12);
  v.created_at = FromMillis(RowInt(r, 13));
  v.view_count = RowInt(r, 14);
  return v;
}

int64_t Popularity(const soci::row& r, size_t i) {
  return r.get_indicator(i) == soci::i_null ? kNoPopularity : RowInt(r, i);
}

// Relevance (in bands), then popularity. `inner` selects the video columns
// plus `rel`.
std::string RankedSearch(const std::string& inner) {
  return absl::StrCat("SELECT s.* FROM (", inner, ") s ORDER BY ",
                      RelevanceBand(),
                      " DESC, s.pop DESC, s.id DESC LIMIT :n OFFSET :o");
}

class SqlVideoRepository : public VideoRepository {
 public:
  explicit SqlVideoRepository(Database* db) : db_(db) {}

  absl::Status Create(const Video& v) override {
    return db_->Transact([&](soci::session& sql) {
      const std::string tags = absl::StrJoin(v.tags, ",");
      const int64_t created = ToMillis(v.created_at);
      sql << "INSERT INTO videos (id, author_id, author_name, title, "
             "description, tags, video_key, cover_key, video_mime, cover_mime, "
             "video_bytes, video_sha256, deleted, created_at_ms) VALUES (:i, "
             ":a, "
             ":an, :t, :d, :tg, :vk, :ck, :vm, :cm, :vb, :sh, 0, :c)",
          soci::use(v.id), soci::use(v.author_id), soci::use(v.author_name),
          soci::use(v.title), soci::use(v.description), soci::use(tags),
          soci::use(v.video_key), soci::use(v.cover_key),
          soci::use(v.video_mime), soci::use(v.cover_mime),
          soci::use(v.video_bytes), soci::use(v.video_sha256),
          soci::use(created);
      for (const std::string& tag : v.tags) {
        sql << "INSERT INTO video_tags (tag, video_id) VALUES (:t, :v)",
            soci::use(tag), soci::use(v.id);
      }
      RETURN_IF_ERROR(AdoptBlobs(sql, {v.video_key, v.cover_key}));
      if (db_->dialect() == SqlDialect::kSqlite) {
        IndexTextOnSqlite(sql, v.id, v.title, v.description, v.tags,
                          v.author_name);
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<Video> Find(int64_t id) override {
    ASSIGN_OR_RETURN(std::vector<Video> found, FindMany({id}));
    if (found.empty()) return absl::NotFoundError("video not found");
    return found[0];
  }

  absl::StatusOr<std::vector<Video>> FindMany(
      const std::vector<int64_t>& ids) override {
    if (ids.empty()) return std::vector<Video>();
    if (ids.size() > 1000)
      return absl::InvalidArgumentError("at most 1000 ids");
    // Integers only, so inlining is safe.
    return Query(absl::StrCat(kSelect, " WHERE v.deleted = 0 AND v.id IN (",
                              absl::StrJoin(ids, ","), ")"));
  }

  absl::Status SoftDelete(int64_t author_id, int64_t id,
                          absl::Time now) override {
    return db_->Transact([&](soci::session& sql) -> absl::Status {
      const int64_t ms = ToMillis(now);
      const long long changed =
          author_id == 0
              ? ExecAffected(
                    sql,
                    "UPDATE videos SET deleted = 1, deleted_at_ms = :n "
                    "WHERE id = :i AND deleted = 0",
                    ms, id)
              : ExecAffected(
                    sql,
                    "UPDATE videos SET deleted = 1, deleted_at_ms = :n "
                    "WHERE id = :i AND author_id = :a AND deleted = 0",
                    ms, id, author_id);
      if (changed != 1) return absl::NotFoundError("video not found");
      if (db_->dialect() == SqlDialect::kSqlite) {
        sql << "DELETE FROM video_search WHERE rowid = :i", soci::use(id);
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<Video>> ListByAuthor(int64_t author_id,
                                                  int64_t before,
                                                  int limit) override {
    return Query(
        absl::StrCat(kSelect,
                     " WHERE v.author_id = :a AND v.deleted = 0 AND v.id < :b "
                     "ORDER BY v.id DESC LIMIT :n"),
        author_id, before > 0 ? before : INT64_MAX, limit);
  }

  absl::StatusOr<int64_t> AuthorOf(int64_t id) override {
    std::optional<int64_t> author;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << "SELECT author_id FROM videos WHERE id = :i", soci::use(id),
          soci::into(r);
      if (sql.got_data()) author = RowInt(r, 0);
      return absl::OkStatus();
    }));
    if (!author) return absl::NotFoundError("video not found");
    return *author;
  }

  absl::StatusOr<int64_t> CountByAuthor(int64_t author_id) override {
    int64_t n = 0;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      // videos_author_idx (author_id, id) narrows it to the author's rows.
      sql << "SELECT COUNT(*) FROM videos WHERE author_id = :a AND "
             "deleted = 0",
          soci::use(author_id), soci::into(r);
      n = sql.got_data() ? RowInt(r, 0) : 0;
      return absl::OkStatus();
    }));
    return n;
  }

  absl::StatusOr<std::vector<Video>> ListLatest(int64_t before,
                                                int limit) override {
    return Query(
        absl::StrCat(kSelect,
                     " WHERE v.deleted = 0 AND v.id < :b ORDER BY v.id DESC "
                     "LIMIT :n"),
        before > 0 ? before : INT64_MAX, limit);
  }

  absl::StatusOr<std::vector<Video>> RecentByAuthors(
      const std::vector<int64_t>& authors, absl::Time since,
      int limit) override {
    if (authors.empty()) return std::vector<Video>();
    if (authors.size() > 1000)
      return absl::InvalidArgumentError("at most 1000 authors");
    return Query(
        absl::StrCat(kSelect, " WHERE v.deleted = 0 AND v.author_id IN (",
                     absl::StrJoin(authors, ","),
                     ") AND v.created_at_ms >= :s ORDER BY v.id DESC LIMIT :n"),
        ToMillis(since), limit);
  }

  absl::StatusOr<std::vector<Video>> RecentByTags(
      const std::vector<std::string>& tags, absl::Time since,
      int limit) override {
    if (tags.empty()) return std::vector<Video>();
    if (tags.size() > 5) return absl::InvalidArgumentError("at most 5 tags");
    // A fixed five placeholders; unused ones match no tag.
    std::vector<std::string> t(tags.begin(), tags.end());
    t.resize(5);
    return Query(absl::StrCat(kSelect,
                              " WHERE v.deleted = 0 AND v.created_at_ms >= :s "
                              "AND v.id IN (SELECT video_id FROM video_tags "
                              "WHERE tag IN (:t0, :t1, :t2, :t3, :t4)) "
                              "ORDER BY v.id DESC LIMIT :n"),
                 ToMillis(since), t[0], t[1], t[2], t[3], t[4], limit);
  }

  absl::Status AddViews(const absl::flat_hash_map<int64_t, int64_t>& views,
                        const PopularityModel& model, absl::Time at) override {
    return db_->Transact([&](soci::session& sql) {
      for (const auto& [video_id, n] : views) {
        AddToCounters(sql, video_id, n,
                      model.Log2Contribution(
                          model.view_weight * static_cast<double>(n), at));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<bool> AddPopularityOnce(const std::string& consumer,
                                         int64_t event_id, int64_t video_id,
                                         double log2_contribution) override {
    bool fresh = false;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) {
      fresh = ExecAffected(sql,
                           InsertIgnoringDuplicate(
                               sql,
                               "consumed_events (consumer, event_id) "
                               "VALUES (:c, :e)"),
                           consumer, event_id) == 1;
      if (fresh) AddToCounters(sql, video_id, 0, log2_contribution);
      return absl::OkStatus();
    }));
    return fresh;
  }

  absl::StatusOr<std::vector<PopularVideo>> Popular(int64_t before_key,
                                                    int64_t before_id,
                                                    bool first_page,
                                                    int limit) override {
    std::vector<PopularVideo> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      const std::string base =
          absl::StrCat(kSelect, " WHERE v.deleted = 0 AND c.popularity_key > ",
                       kNoPopularity);
      auto read = [&](soci::rowset<soci::row>& rows) {
        for (const soci::row& r : rows) {
          out.push_back({ReadVideo(r), Popularity(r, kSelectColumns - 1)});
        }
      };
      const char* order = " ORDER BY c.popularity_key DESC, v.id DESC LIMIT :n";
      if (first_page) {
        soci::rowset<soci::row> rows =
            (sql.prepare << absl::StrCat(base, order), soci::use(limit));
        read(rows);
      } else {
        soci::rowset<soci::row> rows =
            (sql.prepare << absl::StrCat(
                 base,
                 " AND (c.popularity_key < :k OR (c.popularity_key = :k2 AND "
                 "v.id < :i))",
                 order),
             soci::use(before_key), soci::use(before_key), soci::use(before_id),
             soci::use(limit));
        read(rows);
      }
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<std::vector<SearchHit>> Search(const std::string& query,
                                                int offset,
                                                int limit) override {
    std::vector<SearchHit> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      std::string q;
      std::string text;
      if (db_->dialect() == SqlDialect::kSqlite) {
        text = Fts5Literal(query);
        // bm25 is lower-is-better; columns weighted title > tags = author >
        // description.
        q = RankedSearch(
            absl::StrCat(TOKKIT_VIDEO_COLUMNS,
                         ", -bm25(video_search, 10.0, 1.0, 4.0, 4.0) AS rel "
                         "FROM video_search "
                         "JOIN videos v ON v.id = video_search.rowid LEFT JOIN "
                         "video_counters c "
                         "ON c.video_id = v.id WHERE video_search MATCH :q AND "
                         "v.deleted = 0"));
      } else if (db_->dialect() == SqlDialect::kMysql) {
        text = MysqlBooleanLiteral(query);
        q = RankedSearch(absl::StrCat(
            TOKKIT_VIDEO_COLUMNS,
            ", MATCH (v.title, v.description, v.tags, v.author_name) AGAINST "
            "(:q IN BOOLEAN MODE) AS rel",
            TOKKIT_VIDEO_FROM,
            " WHERE MATCH (v.title, v.description, v.tags, v.author_name) "
            "AGAINST (:q2 IN BOOLEAN MODE) AND v.deleted = 0"));
      } else {
        text = query;  // plainto_tsquery treats its input as plain words
        q = RankedSearch(absl::StrCat(
            TOKKIT_VIDEO_COLUMNS,
            ", ts_rank(v.search_doc, plainto_tsquery('simple', :q)) AS rel",
            TOKKIT_VIDEO_FROM,
            " WHERE v.search_doc @@ plainto_tsquery('simple', :q2) AND "
            "v.deleted = 0"));
      }
      if (db_->dialect() == SqlDialect::kSqlite) {
        soci::rowset<soci::row> rows = (sql.prepare << q, soci::use(text),
                                        soci::use(limit), soci::use(offset));
        for (const soci::row& r : rows) {
          out.push_back(
              {ReadVideo(r), RowDouble(r, kSelectColumns), Popularity(r, 15)});
        }
      } else {
        soci::rowset<soci::row> rows =
            (sql.prepare << q, soci::use(text), soci::use(text),
             soci::use(limit), soci::use(offset));
        for (const soci::row& r : rows) {
          out.push_back(
              {ReadVideo(r), RowDouble(r, kSelectColumns), Popularity(r, 15)});
        }
      }
      return absl::OkStatus();
    }));
    return out;
  }

 private:
  // Adds views and a popularity contribution to one video's counters row,
  // creating it for live videos only. The row is locked (PostgreSQL) or the
  // database write-locked (SQLite) for the read-modify-write of the log sum.
  void AddToCounters(soci::session& sql, int64_t video_id, int64_t views,
                     double log2_contribution) {
    sql << InsertIgnoringDuplicate(
        sql,
        "video_counters (video_id, view_count, popularity_key) "
        "SELECT id, 0, :k FROM videos WHERE id = :v AND deleted = 0"),
        soci::use(kNoPopularity), soci::use(video_id);
    soci::row r;
    sql << absl::StrCat(
        "SELECT popularity_key FROM video_counters WHERE video_id = :v",
        ForUpdate(sql)),
        soci::use(video_id), soci::into(r);
    if (!sql.got_data()) return;  // unknown or deleted video
    const int64_t updated = PopularityKey(
        Log2Add(Log2Popularity(Popularity(r, 0)), log2_contribution));
    sql << "UPDATE video_counters SET view_count = view_count + :n, "
           "popularity_key = :p WHERE video_id = :v",
        soci::use(views), soci::use(updated), soci::use(video_id);
  }

  template <typename... Values>
  absl::StatusOr<std::vector<Video>> Query(const std::string& q,
                                           const Values&... values) {
    std::vector<Video> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows = (sql.prepare << q, ..., soci::use(values));
      for (const soci::row& r : rows) out.push_back(ReadVideo(r));
      return absl::OkStatus();
    }));
    return out;
  }

  Database* const db_;
};

}  // namespace

std::unique_ptr<VideoRepository> NewSqlVideoRepository(Database* db) {
  return std::make_unique<SqlVideoRepository>(db);
}

}  // namespace tokkit::feed
