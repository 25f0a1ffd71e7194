// Rules of likes, comments and follows, on every SQL backend.
#include "lib/social/social_service.h"

#include <soci/soci.h>

#include <atomic>
#include <random>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "lib/feed/sql_repository.h"
#include "lib/platform/testing/test_platform.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit::social {
namespace {

using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;
using ::tokkit::testing::TestPlatform;

class SocialTest
    : public ::testing::TestWithParam<::tokkit::testing::StorageUnderTest> {
 protected:
  void SetUp() override {
    auto t = TestPlatform::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status();
    tp_ = std::move(*t);
    videos_ = feed::NewSqlVideoRepository(&tp_->platform().database());
  }

  SocialService& svc() { return tp_->platform().social(); }

  Principal User(const std::string& name) {
    auto login = tp_->SignUp(name);
    EXPECT_TRUE(login.ok()) << login.status();
    return login->principal;
  }

  int64_t Video(const Principal& author) {
    feed::Video v;
    v.id = next_video_++;
    v.author_id = author.user_id;
    v.title = "clip";
    v.video_key = "videos/x.mp4";
    v.video_mime = "video/mp4";
    v.video_sha256 = "00";
    v.created_at = tp_->clock().Now();
    EXPECT_TRUE(videos_->Create(v).ok());
    return v.id;
  }

  int64_t CountRows(const std::string& query) {
    long long n = -1;
    EXPECT_TRUE(tp_->platform()
                    .database()
                    .Run([&](soci::session& sql) {
                      sql << query, soci::into(n);
                      return absl::OkStatus();
                    })
                    .ok());
    return n;
  }

  std::unique_ptr<TestPlatform> tp_;
  std::unique_ptr<feed::VideoRepository> videos_;
  int64_t next_video_ = 1000;
};

TEST_P(SocialTest, LikesAreIdempotentAndCountsExact) {
  Principal author = User("author"), fan = User("fan"), other = User("other");
  const int64_t v = Video(author);
  ToggleResult r = *svc().LikeVideo(fan, v);
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(r.count, 1);
  r = *svc().LikeVideo(fan, v);  // again: no-op
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.count, 1);
  EXPECT_EQ(svc().LikeVideo(other, v)->count, 2);

  std::vector<VideoSocialState> states =
      *svc().GetVideoStates(fan.user_id, {v, 424242});
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].like_count, 2);
  EXPECT_TRUE(states[0].liked_by_viewer);
  EXPECT_EQ(states[1].like_count, 0);
  EXPECT_FALSE(states[1].liked_by_viewer);
  EXPECT_FALSE((*svc().GetVideoStates(author.user_id, {v}))[0].liked_by_viewer);

  EXPECT_TRUE(svc().UnlikeVideo(fan, v)->changed);
  r = *svc().UnlikeVideo(fan, v);
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.count, 1);
  EXPECT_EQ(svc().UnlikeVideo(author, v)->count, 1);  // never liked: no change

  EXPECT_EQ(svc().LikeVideo(fan, 999999).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(svc().LikeVideo(fan, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(videos_->SoftDelete(author.user_id, v, tp_->clock().Now()).ok());
  EXPECT_EQ(svc().LikeVideo(author, v).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(svc().UnlikeVideo(other, v)->changed);  // cleanup still allowed
}

TEST_P(SocialTest, LikedVideosNewestFirstWithCursor) {
  Principal author = User("author"), fan = User("fan");
  std::vector<int64_t> liked;
  for (int i = 0; i < 5; ++i) {
    liked.push_back(Video(author));
    ASSERT_TRUE(svc().LikeVideo(fan, liked.back()).ok());
    tp_->clock().Advance(absl::Seconds(1));
  }
  Page<LikedVideo> first = *svc().ListLikedVideos(fan, "", 3);
  ASSERT_EQ(first.items.size(), 3u);
  EXPECT_EQ(first.items[0].video_id, liked[4]);
  EXPECT_EQ(first.items[2].video_id, liked[2]);
  ASSERT_FALSE(first.next_page_token.empty());
  Page<LikedVideo> second =
      *svc().ListLikedVideos(fan, first.next_page_token, 3);
  ASSERT_EQ(second.items.size(), 2u);
  EXPECT_EQ(second.items[1].video_id, liked[0]);
  EXPECT_TRUE(second.next_page_token.empty());
  EXPECT_EQ(svc().ListLikedVideos(fan, "garbage!", 3).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(SocialTest, ConcurrentLikesAndFollowsKeepCountsEqualToRows) {
  Principal author = User("author");
  const int64_t v = Video(author);
  std::vector<Principal> fans;
  for (int i = 0; i < 8; ++i) fans.push_back(User("fan" + std::to_string(i)));
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 40; ++i) {
        const Principal& who = fans[rng() % fans.size()];
        const bool on = rng() % 2 == 0;
        absl::Status st = on ? svc().LikeVideo(who, v).status()
                             : svc().UnlikeVideo(who, v).status();
        absl::Status fs = on ? svc().Follow(who, author.user_id).status()
                             : svc().Unfollow(who, author.user_id).status();
        if (!st.ok() || !fs.ok()) errors++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  const int64_t like_rows = CountRows(
      "SELECT COUNT(*) FROM video_likes WHERE video_id = " + std::to_string(v));
  EXPECT_EQ((*svc().GetVideoStates(0, {v}))[0].like_count, like_rows);
  const int64_t follow_rows =
      CountRows("SELECT COUNT(*) FROM follows WHERE followee_id = " +
                std::to_string(author.user_id));
  EXPECT_EQ(svc().GetRelationStats(author.user_id)->followers, follow_rows);
  int64_t following_sum = 0;
  for (const Principal& f : fans)
    following_sum += svc().GetRelationStats(f.user_id)->following;
  EXPECT_EQ(following_sum, follow_rows);
  // Likes given and received move in the like's transaction too.
  EXPECT_EQ(svc().GetRelationStats(author.user_id)->likes_received, like_rows);
  int64_t given_sum = 0;
  for (const Principal& f : fans)
    given_sum += svc().GetRelationStats(f.user_id)->likes_given;
  EXPECT_EQ(given_sum, like_rows);
}

// The profile screen's one call: profile, counts, relation to the viewer.
TEST_P(SocialTest, UserCardHasProfileCountsAndRelation) {
  Principal author = User("author"), fan = User("fan"), other = User("other");
  const int64_t v1 = Video(author);
  const int64_t v2 = Video(author);
  Video(author);
  ASSERT_TRUE(tp_->platform()
                  .feed()
                  .DeleteVideo(author, Video(author))
                  .ok());  // deleted: not counted
  ASSERT_TRUE(svc().LikeVideo(fan, v1).ok());
  ASSERT_TRUE(svc().LikeVideo(fan, v2).ok());
  ASSERT_TRUE(svc().LikeVideo(other, v1).ok());
  ASSERT_TRUE(svc().LikeVideo(author, v1).ok());
  ASSERT_TRUE(svc().UnlikeVideo(author, v1).ok());
  ASSERT_TRUE(svc().Follow(fan, author.user_id).ok());
  ASSERT_TRUE(svc().Follow(author, fan.user_id).ok());
  ASSERT_TRUE(svc().Follow(other, author.user_id).ok());

  UserCard card = *svc().GetUserCard(fan.user_id, author.user_id);
  EXPECT_EQ(card.user.id, author.user_id);
  EXPECT_EQ(card.user.username, "author");
  EXPECT_EQ(card.videos, 3);
  EXPECT_EQ(card.stats.followers, 2);
  EXPECT_EQ(card.stats.following, 1);
  EXPECT_EQ(card.stats.likes_received, 3);
  EXPECT_EQ(card.stats.likes_given, 0);
  EXPECT_TRUE(card.followed_by_viewer);
  EXPECT_TRUE(card.follows_viewer);

  card = *svc().GetUserCard(other.user_id, author.user_id);
  EXPECT_TRUE(card.followed_by_viewer);
  EXPECT_FALSE(card.follows_viewer);
  card = *svc().GetUserCard(0, fan.user_id);  // anonymous
  EXPECT_EQ(card.stats.likes_given, 2);
  EXPECT_EQ(card.videos, 0);
  EXPECT_FALSE(card.followed_by_viewer);
  // A like on a video that is deleted afterwards can still be taken back,
  // and the author's count follows.
  ASSERT_TRUE(tp_->platform().feed().DeleteVideo(author, v2).ok());
  ASSERT_TRUE(svc().UnlikeVideo(fan, v2).ok());
  EXPECT_EQ(svc().GetUserCard(0, author.user_id)->stats.likes_received, 2);
  EXPECT_EQ(svc().GetUserCard(0, fan.user_id)->stats.likes_given, 1);

  EXPECT_EQ(svc().GetUserCard(0, 987654321).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(svc().GetUserCard(0, -1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(SocialTest, CommentThreadsTwoLevels) {
  Principal author = User("author"), a = User("anna"), b = User("ben");
  const int64_t v = Video(author);
  Comment root = *svc().AddComment(a, v, "first!", 0);
  EXPECT_EQ(root.root_id, 0);
  Comment reply = *svc().AddComment(b, v, "welcome", root.id);
  EXPECT_EQ(reply.root_id, root.id);
  EXPECT_EQ(reply.reply_to_user_id, a.user_id);
  // A reply to a reply stays in the same thread and names whom it answers.
  Comment nested = *svc().AddComment(a, v, "thanks", reply.id);
  EXPECT_EQ(nested.root_id, root.id);
  EXPECT_EQ(nested.reply_to_id, reply.id);
  EXPECT_EQ(nested.reply_to_user_id, b.user_id);

  EXPECT_EQ((*svc().GetVideoStates(0, {v}))[0].comment_count, 3);
  Page<Comment> roots = *svc().ListComments(a.user_id, v, "", 10);
  ASSERT_EQ(roots.items.size(), 1u);
  EXPECT_EQ(roots.items[0].reply_count, 2);
  Page<Comment> replies = *svc().ListReplies(a.user_id, root.id, "", 10);
  ASSERT_EQ(replies.items.size(), 2u);
  EXPECT_EQ(replies.items[0].id, reply.id);  // oldest first

  EXPECT_EQ(svc().AddComment(a, v, "", 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(svc().AddComment(a, v, std::string(501, 'x'), 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(svc().AddComment(a, 777777, "hi", 0).status().code(),
            absl::StatusCode::kNotFound);
  const int64_t v2 = Video(author);
  EXPECT_EQ(svc().AddComment(a, v2, "wrong thread", root.id).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(svc().ListReplies(a.user_id, reply.id, "", 10).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(SocialTest, DeletingCommentsKeepsThreadsAndCountsConsistent) {
  Principal author = User("author"), a = User("anna"), b = User("ben"),
            c = User("carl");
  const int64_t v = Video(author);
  Comment root = *svc().AddComment(a, v, "root", 0);
  Comment r1 = *svc().AddComment(b, v, "reply one", root.id);
  Comment lonely = *svc().AddComment(c, v, "lonely root", 0);

  EXPECT_EQ(svc().DeleteComment(c, r1.id).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(svc().DeleteComment(a, root.id).ok());  // own comment
  ASSERT_TRUE(svc().DeleteComment(a, root.id).ok());  // idempotent
  ASSERT_TRUE(
      svc().DeleteComment(author, lonely.id).ok());  // video author moderates
  EXPECT_EQ((*svc().GetVideoStates(0, {v}))[0].comment_count, 1);

  // The deleted root stays as an empty placeholder because it has a reply;
  // the deleted root without replies is gone.
  Page<Comment> roots = *svc().ListComments(0, v, "", 10);
  ASSERT_EQ(roots.items.size(), 1u);
  EXPECT_EQ(roots.items[0].id, root.id);
  EXPECT_TRUE(roots.items[0].deleted);
  EXPECT_EQ(roots.items[0].body, "");
  ASSERT_EQ(svc().ListReplies(0, root.id, "", 10)->items.size(), 1u);

  ASSERT_TRUE(svc().DeleteComment(b, r1.id).ok());
  EXPECT_EQ((*svc().GetVideoStates(0, {v}))[0].comment_count, 0);
  EXPECT_TRUE(svc().ListComments(0, v, "", 10)->items.empty());
  EXPECT_EQ(svc().AddComment(a, v, "reply to deleted", r1.id).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(svc().DeleteComment(a, 5555).code(), absl::StatusCode::kNotFound);
}

TEST_P(SocialTest, CommentLikesAndPagination) {
  Principal author = User("author"), a = User("anna");
  const int64_t v = Video(author);
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(svc().AddComment(a, v, "c" + std::to_string(i), 0)->id);
  EXPECT_EQ(svc().LikeComment(author, ids[4])->count, 1);
  EXPECT_FALSE(svc().LikeComment(author, ids[4])->changed);
  Page<Comment> p1 = *svc().ListComments(author.user_id, v, "", 2);
  ASSERT_EQ(p1.items.size(), 2u);
  EXPECT_EQ(p1.items[0].id, ids[4]);  // newest first
  EXPECT_TRUE(p1.items[0].liked_by_viewer);
  EXPECT_EQ(p1.items[0].like_count, 1);
  EXPECT_FALSE(p1.items[1].liked_by_viewer);
  Page<Comment> p2 =
      *svc().ListComments(author.user_id, v, p1.next_page_token, 2);
  Page<Comment> p3 =
      *svc().ListComments(author.user_id, v, p2.next_page_token, 2);
  ASSERT_EQ(p3.items.size(), 1u);
  EXPECT_EQ(p3.items[0].id, ids[0]);
  EXPECT_EQ(svc().UnlikeComment(author, ids[4])->count, 0);
  EXPECT_EQ(svc().UnlikeComment(author, ids[4])->count, 0);
  ASSERT_TRUE(svc().DeleteComment(a, ids[3]).ok());
  EXPECT_EQ(svc().LikeComment(author, ids[3]).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(SocialTest, FollowsListsAndFriends) {
  Principal a = User("anna"), b = User("ben"), c = User("carl");
  EXPECT_EQ(svc().Follow(a, a.user_id).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(svc().Follow(a, 987654321).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(svc().Follow(a, b.user_id)->changed);
  EXPECT_FALSE(svc().Follow(a, b.user_id)->changed);
  ASSERT_TRUE(svc().Follow(a, c.user_id).ok());
  ASSERT_TRUE(svc().Follow(b, a.user_id).ok());  // mutual with a
  EXPECT_EQ(svc().GetRelationStats(a.user_id)->following, 2);
  EXPECT_EQ(svc().GetRelationStats(a.user_id)->followers, 1);

  Page<FollowEntry> following =
      *svc().ListFollowing(b.user_id, a.user_id, "", 1);
  ASSERT_EQ(following.items.size(), 1u);
  EXPECT_EQ(following.items[0].user.id, c.user_id);  // newest first
  EXPECT_EQ(following.items[0].user.username, "carl");
  EXPECT_FALSE(following.items[0].followed_by_viewer);  // b does not follow c
  following =
      *svc().ListFollowing(b.user_id, a.user_id, following.next_page_token, 1);
  ASSERT_EQ(following.items.size(), 1u);
  EXPECT_EQ(following.items[0].user.id, b.user_id);

  Page<FollowEntry> friends = *svc().ListFriends(a.user_id, a.user_id, "", 10);
  ASSERT_EQ(friends.items.size(), 1u);
  EXPECT_EQ(friends.items[0].user.id, b.user_id);
  EXPECT_TRUE(friends.items[0].followed_by_viewer);
  EXPECT_EQ(svc().ListFollowers(a.user_id, c.user_id, "", 10)->items.size(),
            1u);

  std::vector<bool> f =
      *svc().IsFollowing(a.user_id, {b.user_id, c.user_id, a.user_id, 5});
  EXPECT_EQ(f, (std::vector<bool>{true, true, false, false}));

  EXPECT_TRUE(svc().Unfollow(a, b.user_id)->changed);
  EXPECT_FALSE(svc().Unfollow(a, b.user_id)->changed);
  EXPECT_TRUE(svc().ListFriends(a.user_id, a.user_id, "", 10)->items.empty());
  EXPECT_EQ(svc().GetRelationStats(b.user_id)->followers, 0);
}

TEST_P(SocialTest, EventsGoThroughTheOutbox) {
  absl::Mutex mu;
  std::vector<std::string> seen;
  auto record = [&](const Event& e) {
    absl::MutexLock lock(&mu);
    seen.push_back(e.topic);
    return absl::OkStatus();
  };
  EventBus& bus = tp_->platform().events();
  auto s1 = bus.Subscribe("test", kTopicUserFollowed, record);
  auto s2 = bus.Subscribe("test", kTopicVideoLiked, record);
  auto s3 = bus.Subscribe("test", kTopicCommentCreated, record);
  Principal a = User("anna"), b = User("ben");
  const int64_t v = Video(a);
  ASSERT_TRUE(svc().Follow(b, a.user_id).ok());
  ASSERT_TRUE(svc().Follow(b, a.user_id).ok());  // no-op: no second event
  ASSERT_TRUE(svc().LikeVideo(b, v).ok());
  ASSERT_TRUE(svc().AddComment(b, v, "nice", 0).ok());
  for (int i = 0; i < 300; ++i) {
    {
      absl::MutexLock lock(&mu);
      if (seen.size() >= 3) break;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  absl::SleepFor(absl::Milliseconds(150));  // let any duplicate show up
  absl::MutexLock lock(&mu);
  EXPECT_EQ(seen,
            (std::vector<std::string>{kTopicUserFollowed, kTopicVideoLiked,
                                      kTopicCommentCreated}));
}

INSTANTIATE_TEST_SUITE_P(Backends, SocialTest,
                         ::testing::ValuesIn(SqlStorages()), StorageTestName);

}  // namespace
}  // namespace tokkit::social
