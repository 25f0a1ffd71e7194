// Storage ports of the social domain. Counters change in the same
// transaction as the rows they count, and never go below zero; events are
// appended to the outbox in that transaction too.
#ifndef TOKKIT_LIB_SOCIAL_REPOSITORY_H_
#define TOKKIT_LIB_SOCIAL_REPOSITORY_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/social/model.h"
#include "lib/store/events/event_bus.h"

namespace tokkit::social {

class LikeRepository {
 public:
  virtual ~LikeRepository() = default;
  // Idempotent by the (target, user) primary key; `event` is written only
  // when the like is new.
  // `author_id`: the video's author, whose received-likes count moves with
  // the like, and back with the unlike (0: nobody's).
  virtual absl::StatusOr<ToggleResult> LikeVideo(int64_t user_id,
                                                 int64_t video_id,
                                                 int64_t author_id,
                                                 int64_t like_id,
                                                 const Event& event) = 0;
  virtual absl::StatusOr<ToggleResult> UnlikeVideo(int64_t user_id,
                                                   int64_t video_id,
                                                   int64_t author_id) = 0;
  // NOT_FOUND when the comment is missing or deleted.
  virtual absl::StatusOr<ToggleResult> LikeComment(int64_t user_id,
                                                   int64_t comment_id,
                                                   absl::Time now) = 0;
  virtual absl::StatusOr<ToggleResult> UnlikeComment(int64_t user_id,
                                                     int64_t comment_id) = 0;
  // One entry per requested id (zeros for videos nobody touched).
  virtual absl::StatusOr<std::vector<VideoSocialState>> VideoStates(
      int64_t viewer_id, const std::vector<int64_t>& video_ids) = 0;
  virtual absl::StatusOr<absl::flat_hash_set<int64_t>> LikedComments(
      int64_t viewer_id, const std::vector<int64_t>& comment_ids) = 0;
  // Newest first, like_id < before (0: from the newest).
  virtual absl::StatusOr<std::vector<LikedVideo>> LikedVideos(int64_t user_id,
                                                              int64_t before,
                                                              int limit) = 0;
};

class CommentRepository {
 public:
  virtual ~CommentRepository() = default;
  // For a reply, resolves the root and the replied-to author from
  // `c.reply_to_id` inside the transaction: NOT_FOUND when that comment is
  // missing, deleted or on another video.
  virtual absl::StatusOr<Comment> Create(Comment c, const Event& event) = 0;
  virtual absl::StatusOr<Comment> Find(int64_t id) = 0;
  // False when it was already deleted (idempotent).
  virtual absl::StatusOr<bool> SoftDelete(int64_t id, absl::Time now) = 0;
  // Roots of a video, newest first; deleted roots stay while they have
  // replies, so threads keep their shape.
  virtual absl::StatusOr<std::vector<Comment>> ListRoots(int64_t video_id,
                                                         int64_t before,
                                                         int limit) = 0;
  // Live replies of a root, oldest first, id > after.
  virtual absl::StatusOr<std::vector<Comment>> ListReplies(int64_t root_id,
                                                           int64_t after,
                                                           int limit) = 0;
};

class FollowRepository {
 public:
  virtual ~FollowRepository() = default;
  virtual absl::StatusOr<ToggleResult> Follow(int64_t follower_id,
                                              int64_t followee_id,
                                              int64_t follow_id,
                                              const Event& event) = 0;
  virtual absl::StatusOr<ToggleResult> Unfollow(int64_t follower_id,
                                                int64_t followee_id) = 0;
  // Newest edge first, follow_id < before (0: from the newest).
  virtual absl::StatusOr<std::vector<FollowEdge>> Following(int64_t user_id,
                                                            int64_t before,
                                                            int limit) = 0;
  virtual absl::StatusOr<std::vector<FollowEdge>> Followers(int64_t user_id,
                                                            int64_t before,
                                                            int limit) = 0;
  // Users followed by `user_id` who follow back.
  virtual absl::StatusOr<std::vector<FollowEdge>> Friends(int64_t user_id,
                                                          int64_t before,
                                                          int limit) = 0;
  // The subset of `candidates` that `follower_id` follows.
  virtual absl::StatusOr<absl::flat_hash_set<int64_t>> FollowedAmong(
      int64_t follower_id, const std::vector<int64_t>& candidates) = 0;
  virtual absl::StatusOr<RelationStats> Stats(int64_t user_id) = 0;
};

class ChatRepository {
 public:
  virtual ~ChatRepository() = default;
  // Stores the message and updates both conversations (the recipient's
  // unread count) atomically. With a client_message_id, a retry returns the
  // message stored the first time instead of a duplicate.
  virtual absl::StatusOr<Message> Send(const Message& m,
                                       const Event& event) = 0;
  virtual absl::StatusOr<Message> Find(int64_t id) = 0;
  // Between two users, sent in [since, until). Descending: newest first,
  // id < cursor (0: from the newest). Ascending: oldest first, id > cursor
  // (0: from the first).
  virtual absl::StatusOr<std::vector<Message>> Between(
      int64_t user_id, int64_t peer_id, bool ascending, int64_t cursor,
      int limit, const TimeWindow& window) = 0;
  // Everything sent or received by the user with id > after, oldest first:
  // what a reconnecting client missed.
  virtual absl::StatusOr<std::vector<Message>> Since(int64_t user_id,
                                                     int64_t after,
                                                     int limit) = 0;
  // Most recent conversation first.
  virtual absl::StatusOr<std::vector<Conversation>> Conversations(
      int64_t user_id, int limit) = 0;
  // Moves the read mark forward (never back) and recounts unread messages.
  virtual absl::StatusOr<Conversation> MarkRead(int64_t user_id,
                                                int64_t peer_id,
                                                int64_t up_to_id) = 0;
};

}  // namespace tokkit::social

#endif  // TOKKIT_LIB_SOCIAL_REPOSITORY_H_
