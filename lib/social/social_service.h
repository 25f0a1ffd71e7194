// Likes, comments and follows. Every write is idempotent or keyed, counters
// are exact, and each list is cursor-paginated with a stable order.
#ifndef TOKKIT_LIB_SOCIAL_SOCIAL_SERVICE_H_
#define TOKKIT_LIB_SOCIAL_SOCIAL_SERVICE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/account/principal.h"
#include "lib/core/clock.h"
#include "lib/core/cursor.h"
#include "lib/core/id_generator.h"
#include "lib/social/model.h"
#include "lib/social/ports.h"
#include "lib/social/repository.h"
#include "lib/store/events/event_bus.h"

namespace tokkit::social {

using account::Principal;

struct SocialDeps {
  LikeRepository* likes = nullptr;
  CommentRepository* comments = nullptr;
  FollowRepository* follows = nullptr;
  VideoCatalog* videos = nullptr;
  UserDirectory* users = nullptr;
  EventBus* events = nullptr;  // poked after writes; may be null
  const Clock* clock = nullptr;
  IdGenerator* ids = nullptr;
};

// A person in a follow list, as the viewer sees them.
struct FollowEntry {
  UserSummary user;
  absl::Time since;
  bool followed_by_viewer = false;
};

// What a profile screen shows about a user, in one answer.
struct UserCard {
  UserSummary user;
  RelationStats stats;
  int64_t videos = 0;
  bool followed_by_viewer = false;  // the viewer follows this user
  bool follows_viewer = false;      // this user follows the viewer
};

inline constexpr size_t kMaxCommentChars = 500;

class SocialService {
 public:
  explicit SocialService(SocialDeps deps) : deps_(deps) {}

  // Likes. Liking needs a live video or comment (NOT_FOUND otherwise);
  // unliking is always allowed, so stale likes can be removed.
  absl::StatusOr<ToggleResult> LikeVideo(const Principal& caller,
                                         int64_t video_id);
  absl::StatusOr<ToggleResult> UnlikeVideo(const Principal& caller,
                                           int64_t video_id);
  absl::StatusOr<ToggleResult> LikeComment(const Principal& caller,
                                           int64_t comment_id);
  absl::StatusOr<ToggleResult> UnlikeComment(const Principal& caller,
                                             int64_t comment_id);
  // Counts and "has the viewer liked" for up to 100 videos (viewer_id 0:
  // anonymous).
  absl::StatusOr<std::vector<VideoSocialState>> GetVideoStates(
      int64_t viewer_id, const std::vector<int64_t>& video_ids);
  // A user's liked videos, newest first. Private: only the user sees them.
  absl::StatusOr<Page<LikedVideo>> ListLikedVideos(
      const Principal& caller, const std::string& page_token, int page_size);

  // Comments. `reply_to_id` 0 starts a thread; otherwise the reply joins
  // the thread of that comment.
  absl::StatusOr<Comment> AddComment(const Principal& caller, int64_t video_id,
                                     const std::string& body,
                                     int64_t reply_to_id);
  // By the comment's author, the video's author or an admin. Idempotent.
  absl::Status DeleteComment(const Principal& caller, int64_t comment_id);
  absl::StatusOr<Page<Comment>> ListComments(int64_t viewer_id,
                                             int64_t video_id,
                                             const std::string& page_token,
                                             int page_size);
  absl::StatusOr<Page<Comment>> ListReplies(int64_t viewer_id, int64_t root_id,
                                            const std::string& page_token,
                                            int page_size);

  // Follows.
  absl::StatusOr<ToggleResult> Follow(const Principal& caller, int64_t user_id);
  absl::StatusOr<ToggleResult> Unfollow(const Principal& caller,
                                        int64_t user_id);
  absl::StatusOr<Page<FollowEntry>> ListFollowing(int64_t viewer_id,
                                                  int64_t user_id,
                                                  const std::string& page_token,
                                                  int page_size);
  absl::StatusOr<Page<FollowEntry>> ListFollowers(int64_t viewer_id,
                                                  int64_t user_id,
                                                  const std::string& page_token,
                                                  int page_size);
  // Mutual follows.
  absl::StatusOr<Page<FollowEntry>> ListFriends(int64_t viewer_id,
                                                int64_t user_id,
                                                const std::string& page_token,
                                                int page_size);
  // For each candidate, whether `viewer_id` follows them (feed ranking, UI).
  absl::StatusOr<std::vector<bool>> IsFollowing(
      int64_t viewer_id, const std::vector<int64_t>& user_ids);
  absl::StatusOr<RelationStats> GetRelationStats(int64_t user_id);
  // Profile, counts and the relation to the viewer (0: anonymous) in one
  // call. NOT_FOUND for an unknown user.
  absl::StatusOr<UserCard> GetUserCard(int64_t viewer_id, int64_t user_id);

 private:
  enum class EdgeList { kFollowing, kFollowers, kFriends };
  absl::StatusOr<Page<FollowEntry>> ListEdges(EdgeList which, int64_t viewer_id,
                                              int64_t user_id,
                                              const std::string& page_token,
                                              int page_size);
  absl::Status MarkLiked(int64_t viewer_id, std::vector<Comment>* comments);
  absl::StatusOr<Event> NewEvent(const char* topic, int64_t key,
                                 int64_t payload);
  void Poke();

  SocialDeps deps_;
};

}  // namespace tokkit::social

#endif  // TOKKIT_LIB_SOCIAL_SOCIAL_SERVICE_H_
