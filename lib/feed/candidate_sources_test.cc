// The for-you feed's in-memory candidate sources: what each source holds,
// when a set is reused and when rebuilt, single-flight rebuilds and the
// viewer cache's bound. Storage is an in-memory fake that counts reads; the
// SQL path is covered by feed_service_test on every backend.
#include "lib/feed/candidate_sources.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace tokkit::feed {
namespace {

class FakeVideos : public VideoRepository {
 public:
  std::vector<Video> videos;  // newest last
  std::atomic<int> reads{0};
  absl::Notification* block_popular = nullptr;  // waited on inside Popular
  absl::Notification* popular_entered = nullptr;
  absl::Status popular_status;

  absl::Status Create(const Video&) override { return Unsupported(); }
  absl::StatusOr<Video> Find(int64_t) override { return Unsupported(); }
  absl::StatusOr<std::vector<Video>> FindMany(
      const std::vector<int64_t>& ids) override {
    ++reads;
    std::vector<Video> out;
    for (const Video& v : videos) {
      if (std::find(ids.begin(), ids.end(), v.id) != ids.end())
        out.push_back(v);
    }
    return out;
  }
  absl::StatusOr<int64_t> AuthorOf(int64_t) override { return Unsupported(); }
  absl::StatusOr<int64_t> CountByAuthor(int64_t) override {
    return Unsupported();
  }
  absl::Status SoftDelete(int64_t, int64_t, absl::Time) override {
    return Unsupported();
  }
  absl::StatusOr<std::vector<Video>> ListByAuthor(int64_t, int64_t,
                                                  int) override {
    return Unsupported();
  }
  absl::StatusOr<std::vector<Video>> ListLatest(int64_t, int limit) override {
    ++reads;
    return Newest([](const Video&) { return true; }, limit);
  }
  absl::StatusOr<std::vector<Video>> RecentByAuthors(
      const std::vector<int64_t>& authors, absl::Time since,
      int limit) override {
    ++reads;
    return Newest(
        [&](const Video& v) {
          return v.created_at >= since &&
                 std::find(authors.begin(), authors.end(), v.author_id) !=
                     authors.end();
        },
        limit);
  }
  absl::StatusOr<std::vector<Video>> RecentByTags(
      const std::vector<std::string>& tags, absl::Time since,
      int limit) override {
    ++reads;
    last_tags = tags;
    return Newest(
        [&](const Video& v) {
          if (v.created_at < since) return false;
          for (const std::string& t : v.tags) {
            if (std::find(tags.begin(), tags.end(), t) != tags.end())
              return true;
          }
          return false;
        },
        limit);
  }
  absl::Status AddViews(const absl::flat_hash_map<int64_t, int64_t>&,
                        const PopularityModel&, absl::Time) override {
    return Unsupported();
  }
  absl::StatusOr<bool> AddPopularityOnce(const std::string&, int64_t, int64_t,
                                         double) override {
    return Unsupported();
  }
  absl::StatusOr<std::vector<PopularVideo>> Popular(int64_t, int64_t, bool,
                                                    int limit) override {
    if (popular_entered != nullptr) popular_entered->Notify();
    if (block_popular != nullptr) block_popular->WaitForNotification();
    ++reads;
    if (!popular_status.ok()) return popular_status;
    std::vector<PopularVideo> out;
    // "Popularity" here is the view count.
    std::vector<Video> sorted = videos;
    std::sort(sorted.begin(), sorted.end(), [](const Video& a, const Video& b) {
      return a.view_count > b.view_count;
    });
    for (const Video& v : sorted) {
      if (static_cast<int>(out.size()) == limit) break;
      out.push_back({v, v.view_count});
    }
    return out;
  }
  absl::StatusOr<std::vector<SearchHit>> Search(const std::string&, int,
                                                int) override {
    return Unsupported();
  }

  std::vector<std::string> last_tags;

 private:
  static absl::Status Unsupported() {
    return absl::UnimplementedError("not used by candidate sources");
  }
  template <typename Pred>
  std::vector<Video> Newest(Pred pred, int limit) const {
    std::vector<Video> out;
    for (auto it = videos.rbegin(); it != videos.rend(); ++it) {
      if (static_cast<int>(out.size()) == limit) break;
      if (pred(*it)) out.push_back(*it);
    }
    return out;
  }
};

class FakeSocial : public SocialSignals {
 public:
  absl::flat_hash_map<int64_t, std::vector<int64_t>> follows, likes;
  absl::flat_hash_map<int64_t, Engagement> engagement;
  std::atomic<int> reads{0};

  absl::StatusOr<std::vector<int64_t>> FollowedAuthors(int64_t user,
                                                       int) override {
    ++reads;
    return follows[user];
  }
  absl::StatusOr<std::vector<int64_t>> RecentlyLikedVideos(int64_t user,
                                                           int) override {
    ++reads;
    return likes[user];
  }
  absl::StatusOr<absl::flat_hash_map<int64_t, Engagement>> EngagementOf(
      int64_t, const std::vector<int64_t>& ids) override {
    ++reads;
    absl::flat_hash_map<int64_t, Engagement> out;
    for (int64_t id : ids) {
      if (engagement.contains(id)) out[id] = engagement[id];
    }
    return out;
  }
};

class CandidateSourcesTest : public ::testing::Test {
 protected:
  CandidateSourcesTest() : clock_(absl::FromUnixSeconds(1767225600)) {}

  Video& Add(int64_t author, std::vector<std::string> tags = {},
             int64_t views = 0, absl::Duration age = absl::Minutes(1)) {
    Video v;
    v.id = next_id_++;
    v.author_id = author;
    v.tags = std::move(tags);
    v.view_count = views;
    v.created_at = clock_.Now() - age;
    videos_.videos.push_back(v);
    return videos_.videos.back();
  }

  std::unique_ptr<CandidateSources> Sources(CandidateSourceOptions o = {}) {
    return std::make_unique<CandidateSources>(&videos_, &social_, &clock_, o);
  }

  static const ranking::Candidate* Find(const CandidateSet& set, int64_t id) {
    for (const ranking::Candidate& c : set.candidates) {
      if (c.video_id == id) return &c;
    }
    return nullptr;
  }

  SimulatedClock clock_;
  FakeVideos videos_;
  FakeSocial social_;
  int64_t next_id_ = 100;
};

TEST(TopTagsTest, MostLikedFirstTiesByNameAtMostLimit) {
  absl::flat_hash_map<std::string, int> counts = {
      {"cars", 1}, {"noodles", 4}, {"cats", 2}, {"art", 2}, {"tea", 1}};
  EXPECT_EQ(TopTags(counts, 3),
            (std::vector<std::string>{"noodles", "art", "cats"}));
  EXPECT_TRUE(TopTags({}, 5).empty());
  EXPECT_EQ(TopTags(counts, 10).size(), 5u);
}

TEST_F(CandidateSourcesTest, GlobalSetHoldsFreshAndPopularWithEngagement) {
  CandidateSourceOptions o;
  o.per_source = 2;
  const int64_t viral = Add(1, {"cats"}, 1000).id;
  Add(2, {}, 5);
  const int64_t newest1 = Add(3).id;
  const int64_t newest2 = Add(4).id;
  social_.engagement[viral] = {7, 3};
  auto sources = Sources(o);
  auto set = sources->Global();
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ((*set)->candidates.size(), 4u);
  const ranking::Candidate* v = Find(**set, viral);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->sources, ranking::kPopular);
  EXPECT_EQ(v->likes, 7);
  EXPECT_EQ(v->comments, 3);
  EXPECT_EQ(v->views, 1000);
  EXPECT_EQ(v->tags, std::vector<std::string>{"cats"});
  EXPECT_EQ(Find(**set, newest2)->sources, ranking::kFresh);
  // The 5-view video is second most popular and not among the two newest.
  EXPECT_EQ(Find(**set, newest1)->sources, ranking::kFresh);
}

TEST_F(CandidateSourcesTest, GlobalSetIsReusedUntilItAgesOrIsInvalidated) {
  for (int i = 0; i < 5; ++i) Add(i + 1);
  auto sources = Sources();
  ASSERT_TRUE(sources->Global().ok());
  const int reads = videos_.reads;
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(sources->Global().ok());
  EXPECT_EQ(videos_.reads, reads) << "a fresh set costs no read";
  EXPECT_EQ(sources->global_builds(), 1);

  clock_.Advance(absl::Milliseconds(999));
  ASSERT_TRUE(sources->Global().ok());
  EXPECT_EQ(sources->global_builds(), 1);
  clock_.Advance(absl::Milliseconds(1));
  ASSERT_TRUE(sources->Global().ok());
  EXPECT_EQ(sources->global_builds(), 2);

  const int64_t published = Add(9).id;
  sources->InvalidateGlobal();
  auto set = sources->Global();
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(sources->global_builds(), 3);
  EXPECT_NE(Find(**set, published), nullptr);
}

TEST_F(CandidateSourcesTest, OthersServeTheStaleSetWhileOneCallerRebuilds) {
  Add(1);
  auto sources = Sources();
  auto first = sources->Global();
  ASSERT_TRUE(first.ok());
  clock_.Advance(absl::Seconds(5));

  absl::Notification entered, release;
  videos_.popular_entered = &entered;
  videos_.block_popular = &release;
  std::thread rebuilder([&] { EXPECT_TRUE(sources->Global().ok()); });
  entered.WaitForNotification();
  // The rebuild is blocked in the database; this caller does not wait.
  auto during = sources->Global();
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(during->get(), first->get());
  // An invalidation during the rebuild: its result may predate the change.
  sources->InvalidateGlobal();
  release.Notify();
  rebuilder.join();
  videos_.popular_entered = nullptr;
  videos_.block_popular = nullptr;
  EXPECT_EQ(sources->global_builds(), 2);
  ASSERT_TRUE(sources->Global().ok());
  EXPECT_EQ(sources->global_builds(), 3) << "the invalidated build is redone";
}

TEST_F(CandidateSourcesTest, AFailedBuildIsAnErrorAndIsRetried) {
  Add(1);
  videos_.popular_status = absl::UnavailableError("database restarting");
  auto sources = Sources();
  EXPECT_EQ(sources->Global().status().code(), absl::StatusCode::kUnavailable);
  videos_.popular_status = absl::OkStatus();
  EXPECT_TRUE(sources->Global().ok());
  EXPECT_EQ(sources->global_builds(), 1);
}

TEST_F(CandidateSourcesTest, ViewerSetHoldsFollowedAndSameTagSources) {
  const int64_t viewer = 50, idol = 7, cook = 8, stranger = 9;
  const int64_t idol_recent = Add(idol).id;
  Add(idol, {}, 0, absl::Hours(24 * 8));  // outside the followed window
  const int64_t liked = Add(cook, {"noodles", "soup"}).id;
  const int64_t same_tag = Add(stranger, {"noodles"}).id;
  Add(stranger, {"cars"});
  social_.follows[viewer] = {idol};
  social_.likes[viewer] = {liked};
  social_.engagement[same_tag] = {2, 1};

  auto sources = Sources();
  auto set = sources->ForViewer(viewer);
  ASSERT_TRUE(set.ok()) << set.status();
  const CandidateSet& s = **set;
  EXPECT_TRUE(s.viewer.followed_authors.contains(idol));
  EXPECT_EQ(s.viewer.liked_authors.at(cook), 1);
  EXPECT_TRUE(s.viewer.liked_tags.contains("soup"));
  ASSERT_NE(Find(s, idol_recent), nullptr);
  EXPECT_EQ(Find(s, idol_recent)->sources, ranking::kFollowed);
  ASSERT_NE(Find(s, same_tag), nullptr);
  EXPECT_EQ(Find(s, same_tag)->sources, ranking::kSameTag);
  EXPECT_EQ(Find(s, same_tag)->likes, 2);
  EXPECT_EQ(s.candidates.size(), 3u);  // + the liked video itself (same tag)
  EXPECT_EQ(videos_.last_tags.size(), 2u);
}

TEST_F(CandidateSourcesTest, ViewerSetIsReusedUntilItAgesOrTheViewerActs) {
  const int64_t viewer = 50;
  Add(7);
  social_.follows[viewer] = {7};
  CandidateSourceOptions o;
  o.viewer_max_age = absl::Seconds(10);
  auto sources = Sources(o);
  ASSERT_TRUE(sources->ForViewer(viewer).ok());
  const int reads = social_.reads;
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(sources->ForViewer(viewer).ok());
  EXPECT_EQ(social_.reads, reads);
  EXPECT_EQ(sources->viewer_builds(), 1);

  sources->ForgetViewer(viewer);
  sources->ForgetViewer(404);  // never seen: nothing to forget
  ASSERT_TRUE(sources->ForViewer(viewer).ok());
  EXPECT_EQ(sources->viewer_builds(), 2);

  clock_.Advance(absl::Seconds(9));
  ASSERT_TRUE(sources->ForViewer(viewer).ok());
  EXPECT_EQ(sources->viewer_builds(), 2);
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(sources->ForViewer(viewer).ok());
  EXPECT_EQ(sources->viewer_builds(), 3);
}

TEST_F(CandidateSourcesTest, ViewerCacheDropsTheLeastRecentlyServed) {
  CandidateSourceOptions o;
  o.max_viewers = 2;
  auto sources = Sources(o);
  ASSERT_TRUE(sources->ForViewer(1).ok());
  ASSERT_TRUE(sources->ForViewer(2).ok());
  ASSERT_TRUE(sources->ForViewer(1).ok());  // 2 is now the least recent
  ASSERT_TRUE(sources->ForViewer(3).ok());  // evicts 2
  EXPECT_EQ(sources->viewer_builds(), 3);
  ASSERT_TRUE(sources->ForViewer(1).ok());
  EXPECT_EQ(sources->viewer_builds(), 3);
  ASSERT_TRUE(sources->ForViewer(2).ok());
  EXPECT_EQ(sources->viewer_builds(), 4);
}

}  // namespace
}  // namespace tokkit::feed
