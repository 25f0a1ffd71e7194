// Publishing, playback, lists, views, popularity, search and the ranked feed
// through the Platform, on every SQL backend.
#include "lib/feed/feed_service.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "lib/core/crypto.h"
#include "lib/feed/sql_repository.h"
#include "lib/platform/testing/test_platform.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit::feed {
namespace {

using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;
using ::tokkit::testing::TestPlatform;

std::string Mp4(size_t body_bytes, char fill = 'v') {
  return std::string(
             "\0\0\0\x18"
             "ftypisom",
             12) +
         std::string(body_bytes, fill);
}
const std::string kPng = std::string("\x89PNG\r\n\x1A\n", 8) + "cover";

class FeedTest
    : public ::testing::TestWithParam<::tokkit::testing::StorageUnderTest> {
 protected:
  void SetUp() override {
    auto t = TestPlatform::Create(GetParam(), [](PlatformConfig& c) {
      c.feed.view_flush_interval = absl::ZeroDuration();  // flushed by hand
      c.feed.max_video_bytes = 1 << 20;
    });
    ASSERT_TRUE(t.ok()) << t.status();
    tp_ = std::move(*t);
  }
  FeedService& feed() { return tp_->platform().feed(); }

  Principal User(const std::string& name) {
    auto login = tp_->SignUp(name);
    EXPECT_TRUE(login.ok()) << login.status();
    return login->principal;
  }

  absl::StatusOr<Video> Publish(const Principal& who, const std::string& title,
                                const std::string& bytes,
                                const std::string& cover = "",
                                std::vector<std::string> tags = {}) {
    auto upload = feed().BeginPublish(who, {title, "", std::move(tags)});
    if (!upload.ok()) return upload.status();
    for (size_t off = 0; off < bytes.size(); off += 1000) {
      absl::Status st =
          (*upload)->AppendVideo(absl::string_view(bytes).substr(off, 1000));
      if (!st.ok()) return st;
    }
    if (!cover.empty()) {
      absl::Status st = (*upload)->AppendCover(cover);
      if (!st.ok()) return st;
    }
    return (*upload)->Finish();
  }

  Video MustPublish(const Principal& who, const std::string& title,
                    std::vector<std::string> tags = {}) {
    absl::StatusOr<Video> v =
        Publish(who, title, Mp4(100), "", std::move(tags));
    EXPECT_TRUE(v.ok()) << v.status();
    tp_->clock().Advance(absl::Seconds(1));
    return v.value_or(Video{});
  }

  // Files in the blob store outside its temporary area.
  int BlobFiles() {
    int n = 0;
    const std::filesystem::path root = tp_->config().blob_dir;
    for (auto& e : std::filesystem::recursive_directory_iterator(root)) {
      if (e.is_regular_file()) ++n;
    }
    return n;
  }

  std::unique_ptr<TestPlatform> tp_;
};

TEST_P(FeedTest, PublishStreamsHashesAndPlaysBackRanges) {
  Principal alice = User("alice");
  const std::string bytes = Mp4(5000, 'x');
  absl::StatusOr<Video> v =
      Publish(alice, "Street food", bytes, kPng, {"#Food", "food", "Travel"});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->video_mime, "video/mp4");
  EXPECT_EQ(v->cover_mime, "image/png");
  EXPECT_EQ(v->video_bytes, static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(v->video_sha256, Sha256Hex(bytes));
  EXPECT_EQ(v->tags, (std::vector<std::string>{"food", "travel"}));
  EXPECT_EQ(v->author_name, "alice");

  MediaInfo media = *feed().VideoMedia(v->id);
  EXPECT_EQ(media.size, static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(*feed().ReadMedia(media, 0, -1), bytes);
  EXPECT_EQ(*feed().ReadMedia(media, 4, 8), bytes.substr(4, 8));
  EXPECT_EQ(*feed().ReadMedia(media, media.size, 10), "");
  EXPECT_EQ(feed().ReadMedia(media, media.size + 1, 1).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(*feed().ReadMedia(*feed().CoverMedia(v->id), 0, -1), kPng);
  const std::string webm =
      std::string("\x1A\x45\xDF\xA3", 4) + std::string(40, 'w');
  EXPECT_EQ(Publish(alice, "webm", webm)->video_mime, "video/webm");
}

TEST_P(FeedTest, BadUploadsAreRefusedAndLeaveNothingBehind) {
  Principal alice = User("alice");
  struct Case {
    std::string title, bytes, cover;
    std::vector<std::string> tags;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"t", "#!/bin/sh\necho not a video at all\n", "", {}, "MP4"},
      {"t", Mp4((1 << 20) + 1), "", {}, "larger than"},
      {"t", Mp4(10), "GIF89a not allowed", {}, "cover"},
      {"t", Mp4(10), std::string(3 << 20, 'c'), {}, "cover is larger"},
      {"t", "", "", {}, "empty"},
      {"", Mp4(10), "", {}, "title"},
      {std::string(101, 't'), Mp4(10), "", {}, "title"},
      {"t", Mp4(10), "", {"a b"}, "tag"},
      {"t", Mp4(10), "", std::vector<std::string>(11, "x"), "at most 10"},
  };
  for (const Case& c : cases) {
    absl::Status st =
        Publish(alice, c.title, c.bytes, c.cover, c.tags).status();
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_TRUE(absl::StrContains(st.message(), c.message)) << st;
  }
  {  // abandoned midway
    auto upload = feed().BeginPublish(alice, {"gone", "", {}});
    ASSERT_TRUE((*upload)->AppendVideo(Mp4(5000)).ok());
  }
  EXPECT_EQ(BlobFiles(), 0);
  EXPECT_TRUE(feed().ListLatest("", 10)->items.empty());
}

// Regression: kill -9 between writing a blob and its row left blob files no
// row owned, forever. Each blob is announced first; the janitor deletes the
// unowned ones after the grace, and never an owned one.
TEST_P(FeedTest, BlobsOfACrashedUploadAreSweptAfterTheGrace) {
  Principal alice = User("alice");
  const Video kept = MustPublish(alice, "kept");
  BlobJanitor& janitor = tp_->platform().blob_janitor();
  BlobStore& blobs = tp_->platform().blobs();
  // What Finish() does before the row, then the process dies.
  const std::string orphan = "videos/1/999.mp4";
  ASSERT_TRUE(janitor.Expect(orphan).ok());
  ASSERT_TRUE(blobs.Put(orphan, Mp4(10)).ok());
  EXPECT_EQ(BlobFiles(), 2);

  EXPECT_EQ(*janitor.Sweep(), 0);  // within the grace: maybe still uploading
  EXPECT_EQ(BlobFiles(), 2);
  tp_->clock().Advance(tp_->config().blob_grace + absl::Seconds(1));
  EXPECT_EQ(*janitor.Sweep(), 1);
  EXPECT_EQ(BlobFiles(), 1);
  EXPECT_TRUE(feed().ReadMedia(*feed().VideoMedia(kept.id), 0, -1).ok());
  EXPECT_EQ(*janitor.Sweep(), 0);

  // An upload whose row comes after the sweep claimed its blob fails
  // instead of pointing at a deleted blob.
  const std::string late = "videos/1/1000.mp4";
  ASSERT_TRUE(janitor.Expect(late).ok());
  ASSERT_TRUE(blobs.Put(late, Mp4(10)).ok());
  tp_->clock().Advance(tp_->config().blob_grace + absl::Seconds(1));
  EXPECT_EQ(*janitor.Sweep(), 1);
  Video row = kept;
  row.id = kept.id + 1;
  row.video_key = late;
  row.cover_key = "";
  auto repo = NewSqlVideoRepository(&tp_->platform().database());
  EXPECT_EQ(repo->Create(row).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(feed().GetVideo(row.id).status().code(),
            absl::StatusCode::kNotFound);

  // Adopted blobs are never swept, however long after.
  tp_->clock().Advance(absl::Hours(48));
  EXPECT_EQ(*janitor.Sweep(), 0);
  EXPECT_EQ(BlobFiles(), 1);
  EXPECT_TRUE(feed().ReadMedia(*feed().VideoMedia(kept.id), 0, -1).ok());
}

TEST_P(FeedTest, ListsDeletionAndSearch) {
  Principal alice = User("alice"), bob = User("bob");
  Video a1 = MustPublish(alice, "noodle soup recipe", {"food"});
  Video b1 = MustPublish(bob, "mountain hike");
  Video a2 = MustPublish(alice, "dumpling night", {"food"});
  Page<Video> latest = *feed().ListLatest("", 2);
  ASSERT_EQ(latest.items.size(), 2u);
  EXPECT_EQ(latest.items[0].id, a2.id);
  EXPECT_EQ(feed().ListLatest(latest.next_page_token, 2)->items[0].id, a1.id);
  EXPECT_EQ(feed().ListByAuthor(alice.user_id, "", 10)->items.size(), 2u);

  EXPECT_EQ(feed().Search("food", "", 10)->items.size(), 2u);
  EXPECT_EQ(feed().Search("bob", "", 10)->items.size(), 1u);  // author name
  // Regression: MySQL matched case-sensitively (binary collation).
  EXPECT_EQ(feed().Search("Noodle SOUP", "", 10)->items.size(), 1u);
  EXPECT_EQ(feed().Search("   ", "", 10).status().code(),
            absl::StatusCode::kInvalidArgument);
  Page<Video> one = *feed().Search("food", "", 1);
  ASSERT_EQ(one.items.size(), 1u);
  Page<Video> two = *feed().Search("food", one.next_page_token, 1);
  ASSERT_EQ(two.items.size(), 1u);
  EXPECT_NE(one.items[0].id, two.items[0].id);

  EXPECT_EQ(feed().DeleteVideo(bob, a1.id).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(feed().DeleteVideo(alice, a1.id).ok());
  EXPECT_EQ(feed().GetVideo(a1.id).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(feed().Search("noodle", "", 10)->items.size(), 0u);
  EXPECT_EQ(feed().ListByAuthor(alice.user_id, "", 10)->items.size(), 1u);
  EXPECT_EQ(feed().VideoMedia(a1.id).status().code(),
            absl::StatusCode::kNotFound);
  (void)b1;
}

TEST_P(FeedTest, ViewsAreWriteBehindAndExactAfterFlush) {
  Principal alice = User("alice");
  Video v = MustPublish(alice, "a");
  Video w = MustPublish(alice, "b");
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(feed().RecordView(v.id).ok());
  ASSERT_TRUE(feed().RecordView(w.id).ok());
  EXPECT_EQ(feed().GetVideo(v.id)->view_count, 0);  // not written per view
  ASSERT_TRUE(feed().FlushViews().ok());
  EXPECT_EQ(feed().GetVideo(v.id)->view_count, 25);
  Page<PopularEntry> chart = *feed().Popular("", 10);
  ASSERT_EQ(chart.items.size(), 2u);
  EXPECT_EQ(chart.items[0].video.id, v.id);
  EXPECT_NEAR(chart.items[0].score, 25.0, 1e-6);
  // A day later the same activity is worth half.
  tp_->clock().Advance(absl::Hours(24));
  EXPECT_NEAR(feed().Popular("", 10)->items[0].score, 12.5, 1e-6);
  EXPECT_EQ(feed().RecordView(0).code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(FeedTest, LikesAndCommentsFeedThePopularChartOnce) {
  Principal alice = User("alice"), bob = User("bob");
  Video quiet = MustPublish(alice, "quiet");
  Video liked = MustPublish(alice, "liked");
  ASSERT_TRUE(feed().RecordView(quiet.id).ok());
  ASSERT_TRUE(feed().FlushViews().ok());
  ASSERT_TRUE(tp_->platform().social().LikeVideo(bob, liked.id).ok());
  ASSERT_TRUE(
      tp_->platform().social().AddComment(bob, liked.id, "wow", 0).ok());
  // Delivered by the outbox relay (a background thread).
  double score = 0;
  for (int i = 0; i < 300; ++i) {
    Page<PopularEntry> chart = *feed().Popular("", 10);
    if (!chart.items.empty() && chart.items[0].video.id == liked.id) {
      score = chart.items[0].score;
      if (score >= 15.0 - 1e-6) break;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_NEAR(score, 15.0, 1e-6);  // like 5 + comment 10, counted once each
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_NEAR(feed().Popular("", 10)->items[0].score, 15.0, 1e-6);
}

TEST_P(FeedTest, ForYouRanksFollowedAuthorsDiverseAndNeverRepeats) {
  Principal viewer = User("viewer"), fav = User("favourite");
  std::vector<Principal> others;
  for (int i = 0; i < 4; ++i)
    others.push_back(User("maker" + std::to_string(i)));
  Video old_fav = MustPublish(fav, "old but followed");
  tp_->clock().Advance(absl::Hours(6));
  for (int i = 0; i < 4; ++i) {
    for (int k = 0; k < 3; ++k) MustPublish(others[i], "clip");
  }
  ASSERT_TRUE(tp_->platform().social().Follow(viewer, fav.user_id).ok());

  absl::flat_hash_set<int64_t> seen;
  std::string token;
  Page<Video> first = *feed().ForYou(viewer.user_id, "", 5);
  ASSERT_EQ(first.items.size(), 5u);
  EXPECT_EQ(first.items[0].id, old_fav.id);  // follow affinity wins
  absl::flat_hash_map<int64_t, int> per_author;
  for (const Video& v : first.items) ++per_author[v.author_id];
  for (const auto& [author, n] : per_author) EXPECT_LE(n, 2) << author;
  token = first.next_page_token;
  for (const Video& v : first.items) seen.insert(v.id);
  for (int page = 0; page < 3; ++page) {
    Page<Video> next = *feed().ForYou(viewer.user_id, token, 5);
    for (const Video& v : next.items) {
      EXPECT_TRUE(seen.insert(v.id).second) << "repeat " << v.id;
    }
    if (next.items.empty()) break;
    token = next.next_page_token;
  }
  EXPECT_EQ(seen.size(), 13u);                // everything, once
  EXPECT_TRUE(feed().ForYou(0, "", 5).ok());  // anonymous
  EXPECT_EQ(feed().ForYou(viewer.user_id, "bogus!", 5).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(FeedTest, ForYouFindsVideosSharingTheViewersLikedTags) {
  auto t = TestPlatform::Create(GetParam(), [](PlatformConfig& c) {
    c.feed.view_flush_interval = absl::ZeroDuration();
    c.feed.candidates.per_source = 2;  // latest and popular see two videos each
  });
  ASSERT_TRUE(t.ok()) << t.status();
  tp_ = std::move(*t);
  Principal viewer = User("viewer"), cook = User("cook"), other = User("other");
  Video old_noodles = MustPublish(other, "old noodle clip", {"noodles"});
  Video liked = MustPublish(cook, "noodle pulling", {"noodles"});
  for (int i = 0; i < 4; ++i) MustPublish(cook, "unrelated", {"cars"});
  ASSERT_TRUE(tp_->platform().social().LikeVideo(viewer, liked.id).ok());
  Page<Video> page = *feed().ForYou(viewer.user_id, "", 10);
  bool found = false;
  for (const Video& v : page.items) found |= v.id == old_noodles.id;
  EXPECT_TRUE(found)
      << "the same-tag source should surface the old noodle clip";
  // An anonymous viewer has no liked tags and cannot reach it.
  bool anonymous_found = false;
  const Page<Video> anonymous = *feed().ForYou(0, "", 10);
  for (const Video& v : anonymous.items) {
    anonymous_found |= v.id == old_noodles.id;
  }
  EXPECT_FALSE(anonymous_found);
}

TEST_P(FeedTest, ForYouPagesReuseTheirCandidateSources) {
  Principal viewer = User("viewer"), maker = User("maker");
  for (int i = 0; i < 12; ++i) MustPublish(maker, "clip");
  const CandidateSources& sources = feed().candidate_sources();
  std::string token;
  for (int page = 0; page < 3; ++page) {
    auto p = feed().ForYou(viewer.user_id, token, 3);
    ASSERT_TRUE(p.ok()) << p.status();
    ASSERT_EQ(p->items.size(), 3u);
    token = p->next_page_token;
  }
  EXPECT_EQ(sources.global_builds(), 1);
  EXPECT_EQ(sources.viewer_builds(), 1);
  tp_->clock().Advance(feed().options().candidates.global_max_age);
  ASSERT_TRUE(feed().ForYou(viewer.user_id, token, 3).ok());
  EXPECT_EQ(sources.global_builds(), 2);
  EXPECT_EQ(sources.viewer_builds(), 1);
}

TEST_P(FeedTest, ForYouShowsAVideoPublishedHereOnTheNextPage) {
  Principal viewer = User("viewer"), maker = User("maker");
  MustPublish(maker, "first");
  ASSERT_TRUE(feed().ForYou(viewer.user_id, "", 10).ok());
  auto v = Publish(maker, "just now", Mp4(100));  // no time passes
  ASSERT_TRUE(v.ok()) << v.status();
  Page<Video> page = *feed().ForYou(viewer.user_id, "", 10);
  bool found = false;
  for (const Video& x : page.items) found |= x.id == v->id;
  EXPECT_TRUE(found);
}

TEST_P(FeedTest, ForYouNeverServesAVideoDeletedElsewhere) {
  Principal viewer = User("viewer"), maker = User("maker");
  std::vector<int64_t> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(MustPublish(maker, "clip").id);
  ASSERT_EQ(feed().ForYou(viewer.user_id, "", 10)->items.size(), 4u);
  // Another replica deletes two: this one's candidate sets still name them.
  Repositories other_replica = tp_->platform().storage().NewRepositories();
  ASSERT_TRUE(
      other_replica.videos->SoftDelete(0, ids[0], tp_->clock().Now()).ok());
  ASSERT_TRUE(
      other_replica.videos->SoftDelete(0, ids[3], tp_->clock().Now()).ok());
  Page<Video> page = *feed().ForYou(viewer.user_id, "", 10);
  EXPECT_EQ(feed().candidate_sources().global_builds(), 1);
  ASSERT_EQ(page.items.size(), 2u);
  for (const Video& v : page.items) {
    EXPECT_NE(v.id, ids[0]);
    EXPECT_NE(v.id, ids[3]);
  }
}

TEST_P(FeedTest, AFollowReachesTheViewersCandidatesThroughEvents) {
  auto t = TestPlatform::Create(GetParam(), [](PlatformConfig& c) {
    c.feed.view_flush_interval = absl::ZeroDuration();
    c.feed.candidates.per_source = 2;  // the old video is in no global list
  });
  ASSERT_TRUE(t.ok()) << t.status();
  tp_ = std::move(*t);
  Principal viewer = User("viewer"), idol = User("idol"), other = User("other");
  Video old_clip = MustPublish(idol, "old clip");
  for (int i = 0; i < 4; ++i) MustPublish(other, "newer");
  auto contains_old = [&] {
    Page<Video> page = *feed().ForYou(viewer.user_id, "", 10);
    for (const Video& v : page.items) {
      if (v.id == old_clip.id) return true;
    }
    return false;
  };
  EXPECT_FALSE(contains_old());
  ASSERT_TRUE(tp_->platform().social().Follow(viewer, idol.user_id).ok());
  // No time passes on the feed's clock: only the event can make it show.
  bool shown = false;
  for (int i = 0; i < 200 && !shown; ++i) {
    shown = contains_old();
    if (!shown) absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_TRUE(shown) << "the follow event should rebuild the viewer's sources";
}

INSTANTIATE_TEST_SUITE_P(Backends, FeedTest, ::testing::ValuesIn(SqlStorages()),
                         StorageTestName);

}  // namespace
}  // namespace tokkit::feed
