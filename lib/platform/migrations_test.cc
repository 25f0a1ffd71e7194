// Schema migrations on every SQL backend: from an empty database, and from
// every earlier schema (each module stopped k steps in, as an older tokkit
// left it) up to the current one, keeping the data already there and
// indexing it where later steps added indexes. Running them again changes
// nothing.
#include <soci/soci.h>

#include <algorithm>
#include <string>

#include "gtest/gtest.h"
#include "lib/platform/storage_backend.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit {
namespace {

using ::tokkit::testing::TestBackends;
using ::tokkit::testing::TestDatabase;

class MigrationsTest : public ::testing::TestWithParam<std::string> {};

size_t LongestModule() {
  size_t longest = 0;
  for (const SqlSchemaModule& m : SqlSchemaModules()) {
    longest = std::max(longest, m.migrations->size());
  }
  return longest;
}

// Every module's versions, as applied.
std::vector<std::vector<int>> Applied(Database& db) {
  std::vector<std::vector<int>> out;
  for (const SqlSchemaModule& m : SqlSchemaModules()) {
    out.push_back(db.AppliedMigrations(m.name).value_or(std::vector<int>{}));
  }
  return out;
}

TEST_P(MigrationsTest, UpgradesFromEveryEarlierSchemaKeepingData) {
  ASSERT_GT(LongestModule(), 1u);
  for (size_t steps = 1; steps < LongestModule(); ++steps) {
    SCOPED_TRACE(::testing::Message() << "from " << steps << " step(s)");
    auto t = TestDatabase::Create(GetParam(), 1);
    ASSERT_TRUE(t.ok()) << t.status();
    Database& db = (*t)->db();
    for (const SqlSchemaModule& m : SqlSchemaModules()) {
      std::vector<Migration> older(
          m.migrations->begin(),
          m.migrations->begin() + static_cast<std::ptrdiff_t>(
                                      std::min(steps, m.migrations->size())));
      ASSERT_TRUE(db.Migrate(m.name, older).ok()) << m.name;
    }
    // Data the older schema held: a user and a video (both first steps).
    ASSERT_TRUE(db.Run([](soci::session& sql) {
                    sql << "INSERT INTO users (id, username, email, "
                           "display_name, password_hash, created_at_ms, "
                           "updated_at_ms) VALUES (7, 'olduser', "
                           "'old@example.com', 'Old', 'h', 1, 1)";
                    sql << "INSERT INTO videos (id, author_id, title, "
                           "tags, video_key, video_mime, video_bytes, "
                           "video_sha256, created_at_ms) VALUES (9, 7, "
                           "'old harbour clip', 'boats,sea', 'videos/9.mp4', "
                           "'video/mp4', 10, 'ab', 1)";
                    sql << "INSERT INTO categories (id, name) VALUES (3, "
                           "'Boats')";
                    sql << "INSERT INTO spus (id, merchant_id, category_id, "
                           "name, for_sale, created_at_ms) VALUES (5, 7, 3, "
                           "'Old Harbour Rowing Boat', 1, 1)";
                    return absl::OkStatus();
                  }).ok());
    // A like from before likes carried their video's author (social
    // migration 5 fills it in and counts it for both users).
    const bool old_like = steps < 5;
    if (old_like) {
      ASSERT_TRUE(db.Run([](soci::session& sql) {
                      sql << "INSERT INTO video_likes (video_id, user_id, "
                             "like_id, created_at_ms) VALUES (9, 7, 11, 1)";
                      return absl::OkStatus();
                    }).ok());
    }

    DatabaseOptions options;
    options.url = (*t)->url();
    options.pool_size = 2;
    absl::StatusOr<std::unique_ptr<StorageBackend>> backend =
        OpenStorageBackend(options);
    ASSERT_TRUE(backend.ok()) << backend.status();
    absl::Status upgraded = (*backend)->Migrate();
    ASSERT_TRUE(upgraded.ok()) << upgraded;
    const std::vector<std::vector<int>> latest =
        Applied((*backend)->database());
    for (size_t i = 0; i < SqlSchemaModules().size(); ++i) {
      EXPECT_EQ(latest[i].size(), SqlSchemaModules()[i].migrations->size())
          << SqlSchemaModules()[i].name;
    }
    Repositories repos = (*backend)->NewRepositories();
    absl::StatusOr<account::UserRecord> user =
        repos.users->FindByUsername("olduser");
    ASSERT_TRUE(user.ok()) << user.status();
    EXPECT_EQ(user->user.id, 7);
    absl::StatusOr<feed::Video> video = repos.videos->Find(9);
    ASSERT_TRUE(video.ok()) << video.status();
    EXPECT_EQ(video->title, "old harbour clip");
    // Found by the indexes added after it was written (when the feed
    // schema was older than that; a row written raw into the latest schema
    // bypasses the repository that indexes it).
    size_t backfill_version = 0;  // the feed step that indexes old rows
    for (const SqlSchemaModule& m : SqlSchemaModules()) {
      if (std::string(m.name) != "feed") continue;
      for (const Migration& migration : *m.migrations) {
        if (migration.data) backfill_version = migration.version;
      }
    }
    ASSERT_GT(backfill_version, 0u);
    if (steps < backfill_version) {
      absl::StatusOr<std::vector<feed::VideoRepository::SearchHit>> hits =
          repos.videos->Search("harbour", 0, 10);
      ASSERT_TRUE(hits.ok()) << hits.status();
      EXPECT_EQ(hits->size(), 1u);
      absl::StatusOr<std::vector<feed::Video>> tagged =
          repos.videos->RecentByTags({"sea"}, absl::UnixEpoch(), 10);
      ASSERT_TRUE(tagged.ok()) << tagged.status();
      EXPECT_EQ(tagged->size(), 1u);
    }

    // The product predates product search (commerce step 5) in every run.
    commerce::ProductSearch boat;
    boat.query = "harbour";
    absl::StatusOr<commerce::ProductSearchResult> found =
        repos.catalog->SearchSpus(boat, 0, 10);
    ASSERT_TRUE(found.ok()) << found.status();
    ASSERT_EQ(found->hits.size(), 1u);
    EXPECT_EQ(found->hits[0].spu.id, 5);

    if (old_like) {
      absl::StatusOr<social::RelationStats> stats = repos.follows->Stats(7);
      ASSERT_TRUE(stats.ok()) << stats.status();
      EXPECT_EQ(stats->likes_given, 1);
      EXPECT_EQ(stats->likes_received, 1);
    }

    // Once more: nothing left to apply, nothing changes.
    ASSERT_TRUE((*backend)->Migrate().ok());
    EXPECT_EQ(Applied((*backend)->database()), latest);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationsTest,
                         ::testing::ValuesIn(TestBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tokkit
