// Contract tests of the video repository on every SQL backend.
#include "lib/feed/sql_repository.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"
#include "lib/store/blob/blob_ledger.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit::feed {
namespace {

using ::tokkit::testing::TestBackends;
using ::tokkit::testing::TestDatabase;

const absl::Time kNow = absl::FromUnixSeconds(1767225600);

class VideoRepositoryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto t = TestDatabase::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status();
    db_ = std::move(*t);
    absl::Status m = db_->db().Migrate(kFeedModule, FeedMigrations());
    ASSERT_TRUE(m.ok()) << m;
    // The repository adopts announced blobs in the janitor's table.
    ASSERT_TRUE(db_->db().Migrate(kBlobsModule, BlobMigrations()).ok());
    repo_ = NewSqlVideoRepository(&db_->db());
  }

  Video Make(int64_t id, int64_t author, const std::string& title,
             const std::string& description = "",
             std::vector<std::string> tags = {}) {
    Video v;
    v.id = id;
    v.author_id = author;
    v.author_name = "author" + std::to_string(author);
    v.title = title;
    v.description = description;
    v.tags = std::move(tags);
    v.video_key = "videos/" + std::to_string(id) + ".mp4";
    v.video_mime = "video/mp4";
    v.video_bytes = 10;
    v.video_sha256 = "ab";
    v.created_at = kNow + absl::Seconds(id);
    absl::Status st = repo_->Create(v);
    EXPECT_TRUE(st.ok()) << st;
    return v;
  }

  std::vector<int64_t> Ids(const std::vector<Video>& vs) {
    std::vector<int64_t> out;
    for (const Video& v : vs) out.push_back(v.id);
    return out;
  }

  std::vector<int64_t> SearchIds(const std::string& q) {
    auto hits = repo_->Search(q, 0, 20);
    EXPECT_TRUE(hits.ok()) << hits.status();
    std::vector<int64_t> out;
    for (const auto& h :
         hits.value_or(std::vector<VideoRepository::SearchHit>{})) {
      out.push_back(h.video.id);
    }
    return out;
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<VideoRepository> repo_;
};

TEST_P(VideoRepositoryTest, CreateFindAndListsWithTimeCursor) {
  Make(1, 10, "one", "", {"food", "travel"});
  Make(2, 20, "two");
  Make(3, 10, "three");
  Video got = *repo_->Find(1);
  EXPECT_EQ(got.title, "one");
  EXPECT_EQ(got.tags, (std::vector<std::string>{"food", "travel"}));
  EXPECT_EQ(got.created_at, kNow + absl::Seconds(1));
  EXPECT_EQ(repo_->Find(9).status().code(), absl::StatusCode::kNotFound);

  EXPECT_EQ(Ids(*repo_->ListLatest(0, 2)), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(Ids(*repo_->ListLatest(2, 2)), (std::vector<int64_t>{1}));
  Make(4, 20, "four");  // a new upload does not disturb the next page
  EXPECT_EQ(Ids(*repo_->ListLatest(2, 2)), (std::vector<int64_t>{1}));
  EXPECT_EQ(Ids(*repo_->ListByAuthor(10, 0, 10)), (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(Ids(*repo_->RecentByAuthors({10, 20}, kNow + absl::Seconds(2), 10)),
            (std::vector<int64_t>{4, 3, 2}));
  EXPECT_EQ(repo_->FindMany({1, 3, 77})->size(), 2u);
}

TEST_P(VideoRepositoryTest, RecentByTags) {
  Make(1, 10, "a", "", {"food", "travel"});
  Make(2, 11, "b", "", {"music"});
  Make(3, 12, "c", "", {"food_tour"});  // '_' is not a wildcard here
  Make(4, 13, "d", "", {"travel"});
  EXPECT_EQ(Ids(*repo_->RecentByTags({"food", "travel"}, kNow, 10)),
            (std::vector<int64_t>{4, 1}));  // once each, newest first
  EXPECT_EQ(Ids(*repo_->RecentByTags({"food"}, kNow + absl::Seconds(2), 10)),
            (std::vector<int64_t>{}));
  EXPECT_TRUE(repo_->RecentByTags({}, kNow, 10)->empty());
  EXPECT_FALSE(
      repo_->RecentByTags({"a", "b", "c", "d", "e", "f"}, kNow, 10).ok());
  ASSERT_TRUE(repo_->SoftDelete(13, 4, kNow).ok());
  EXPECT_EQ(Ids(*repo_->RecentByTags({"travel"}, kNow, 10)),
            (std::vector<int64_t>{1}));
}

TEST_P(VideoRepositoryTest, DeletedVideosLeaveEveryList) {
  Make(1, 10, "cats playing piano");
  Make(2, 10, "dogs");
  EXPECT_EQ(repo_->SoftDelete(99, 1, kNow).code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(repo_->SoftDelete(10, 1, kNow).ok());
  EXPECT_EQ(repo_->SoftDelete(10, 1, kNow).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(repo_->Find(1).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Ids(*repo_->ListLatest(0, 10)), (std::vector<int64_t>{2}));
  EXPECT_EQ(Ids(*repo_->ListByAuthor(10, 0, 10)), (std::vector<int64_t>{2}));
  EXPECT_TRUE(SearchIds("piano").empty());
  PopularityModel m;
  ASSERT_TRUE(repo_->AddViews({{1, 5}, {2, 1}}, m, kNow).ok());
  EXPECT_EQ(repo_->Popular(0, 0, true, 10)->size(), 1u);
}

TEST_P(VideoRepositoryTest, SearchRanksRelevanceThenPopularityAndIsLiteral) {
  Make(1, 10, "street food tour", "noodles and dumplings", {"food"});
  Make(2, 11, "morning run", "food for runners");  // description only
  Make(3, 12, "street food night market", "", {"food"});
  Make(4, 13, "100% *real* \"food\"", "");
  // Title matches outrank a description match.
  std::vector<int64_t> hits = SearchIds("street food");
  ASSERT_EQ(hits.size(), 2u);
  std::vector<int64_t> food = SearchIds("food");
  ASSERT_EQ(food.size(), 4u);
  EXPECT_EQ(food.back(), 2);
  // Between equally relevant results, the more popular comes first.
  PopularityModel m;
  ASSERT_TRUE(repo_->AddViews({{3, 100}}, m, kNow).ok());
  hits = SearchIds("street food");
  EXPECT_EQ(hits[0], 3);
  // Author names and tags are searchable.
  EXPECT_EQ(SearchIds("author11"), (std::vector<int64_t>{2}));
  // Operators and wildcards are plain text, never syntax errors.
  for (const char* q : {"foo*", "\"unbalanced", "food OR run", "NEAR(a b)",
                        "-food", "a:b", "*", "%", "'; DROP TABLE videos; --"}) {
    EXPECT_TRUE(repo_->Search(q, 0, 10).ok()) << q;
  }
  EXPECT_TRUE(SearchIds("foo*").empty());  // no prefix expansion to "food"
  EXPECT_EQ(SearchIds("food OR run").size(), 0u);  // "or" is a word, AND-ed
}

TEST_P(VideoRepositoryTest, ViewsAndPopularityWithForwardDecay) {
  Make(1, 10, "a");
  Make(2, 10, "b");
  Make(3, 10, "c");
  PopularityModel m;
  // b: 10 views now. a: 10 views a day earlier = worth half as much now.
  ASSERT_TRUE(repo_->AddViews({{1, 10}}, m, kNow).ok());
  ASSERT_TRUE(
      repo_->AddViews({{2, 10}, {77, 5}}, m, kNow + absl::Hours(24)).ok());
  EXPECT_EQ(repo_->Find(1)->view_count, 10);
  std::vector<PopularVideo> chart = *repo_->Popular(0, 0, true, 10);
  ASSERT_EQ(chart.size(), 2u);  // c has no activity; 77 does not exist
  EXPECT_EQ(chart[0].video.id, 2);
  const absl::Time later = kNow + absl::Hours(24);
  EXPECT_NEAR(m.ScoreAt(chart[0].log2_popularity(), later), 10.0, 1e-9);
  EXPECT_NEAR(m.ScoreAt(chart[1].log2_popularity(), later), 5.0, 1e-9);

  // Engagement events count once per consumer however often delivered.
  const double like = m.Log2Contribution(m.like_weight, later);
  EXPECT_TRUE(*repo_->AddPopularityOnce("feed", 900, 1, like));
  EXPECT_FALSE(*repo_->AddPopularityOnce("feed", 900, 1, like));
  EXPECT_TRUE(*repo_->AddPopularityOnce("other", 900, 1, like));
  chart = *repo_->Popular(0, 0, true, 10);
  EXPECT_EQ(chart[0].video.id, 1);  // 5 + 5 + 5 = 15 > 10
  EXPECT_NEAR(m.ScoreAt(chart[0].log2_popularity(), later), 15.0, 1e-9);

  // Cursor paging through the chart.
  std::vector<PopularVideo> first = *repo_->Popular(0, 0, true, 1);
  std::vector<PopularVideo> second =
      *repo_->Popular(first[0].popularity_key, first[0].video.id, false, 1);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].video.id, 2);
  EXPECT_TRUE(
      repo_->Popular(second[0].popularity_key, second[0].video.id, false, 1)
          ->empty());
}

TEST(Log2Add, AddsInLinearSpace) {
  EXPECT_NEAR(std::exp2(Log2Add(std::log2(3.0), std::log2(5.0))), 8.0, 1e-12);
  EXPECT_NEAR(Log2Add(-std::numeric_limits<double>::infinity(), 4.0), 4.0,
              1e-12);
  EXPECT_EQ(PopularityKey(Log2Popularity(PopularityKey(3.25))),
            PopularityKey(3.25));
  EXPECT_EQ(PopularityKey(-std::numeric_limits<double>::infinity()),
            kNoPopularity);
  EXPECT_NEAR(Log2Add(2000.0, 2000.0), 2001.0, 1e-9);  // no overflow
}

INSTANTIATE_TEST_SUITE_P(Backends, VideoRepositoryTest,
                         ::testing::ValuesIn(TestBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tokkit::feed
