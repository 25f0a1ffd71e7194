// Social domain model: likes, comments, follows, chat.
#ifndef TOKKIT_LIB_SOCIAL_MODEL_H_
#define TOKKIT_LIB_SOCIAL_MODEL_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace tokkit::social {

// Event topics written to the outbox.
inline constexpr char kTopicUserFollowed[] = "social.user_followed";
inline constexpr char kTopicVideoLiked[] = "social.video_liked";
inline constexpr char kTopicCommentCreated[] = "social.comment_created";
inline constexpr char kTopicMessageSent[] = "social.message_sent";

// Result of a like/unlike or follow/unfollow: `changed` is false when the
// call was a no-op (already liked, not following, ...).
struct ToggleResult {
  bool changed = false;
  bool active = false;  // liked / following after the call
  int64_t count = 0;    // the target's like or follower count after the call
};

struct VideoSocialState {
  int64_t video_id = 0;
  int64_t like_count = 0;
  int64_t comment_count = 0;
  bool liked_by_viewer = false;
};

struct LikedVideo {
  int64_t video_id = 0;
  int64_t like_id = 0;  // time-ordered; the list cursor
  absl::Time liked_at;
};

// Two-level threads: a root comment (root_id == 0) and replies, each of
// which names the root and the comment it answers.
struct Comment {
  int64_t id = 0;
  int64_t video_id = 0;
  int64_t author_id = 0;
  int64_t root_id = 0;
  int64_t reply_to_id = 0;
  int64_t reply_to_user_id = 0;
  std::string body;  // empty once deleted
  int64_t like_count = 0;
  int64_t reply_count = 0;  // roots only: live replies
  bool deleted = false;
  bool liked_by_viewer = false;
  absl::Time created_at;
};

struct FollowEdge {
  int64_t user_id = 0;    // the other side of the edge
  int64_t follow_id = 0;  // time-ordered; the list cursor
  absl::Time since;
};

struct RelationStats {
  int64_t followers = 0;
  int64_t following = 0;
  int64_t likes_given = 0;     // videos this user likes now
  int64_t likes_received = 0;  // likes on this user's videos, now
};

// [since, until); the defaults leave either end open.
struct TimeWindow {
  absl::Time since = absl::InfinitePast();
  absl::Time until = absl::InfiniteFuture();
};

struct Message {
  int64_t id = 0;
  int64_t sender_id = 0;
  int64_t recipient_id = 0;
  std::string body;
  std::string client_message_id;  // the sender's idempotency key
  absl::Time created_at;
};

struct Conversation {
  int64_t peer_id = 0;
  int64_t last_message_id = 0;
  int64_t last_read_id = 0;
  int64_t unread_count = 0;
};

}  // namespace tokkit::social

#endif  // TOKKIT_LIB_SOCIAL_MODEL_H_
