// The cases of VideoRepositoryConformance; instantiated by each backend's test.
#include "lib/feed/testing/repository_conformance.h"

#include <cmath>
#include <limits>

namespace tokkit::feed {
namespace {
constexpr absl::Time kNow = kConformanceNow;
}  // namespace

TEST_P(VideoRepositoryConformance, CreateFindAndListsWithTimeCursor) {
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

TEST_P(VideoRepositoryConformance, RecentByTags) {
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

TEST_P(VideoRepositoryConformance, DeletedVideosLeaveEveryList) {
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

TEST_P(VideoRepositoryConformance,
       SearchRanksRelevanceThenPopularityAndIsLiteral) {
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

TEST_P(VideoRepositoryConformance, ViewsAndPopularityWithForwardDecay) {
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
}  // namespace tokkit::feed
