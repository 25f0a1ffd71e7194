#include "lib/social/social_service.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "lib/core/status_macros.h"
#include "lib/core/validation.h"

namespace tokkit::social {

absl::StatusOr<Event> SocialService::NewEvent(const char* topic, int64_t key,
                                              int64_t payload) {
  ASSIGN_OR_RETURN(const int64_t id, deps_.ids->Next());
  return Event{id, topic, absl::StrCat(key), absl::StrCat(payload),
               deps_.clock->Now()};
}

void SocialService::Poke() {
  if (deps_.events != nullptr) deps_.events->Poke();
}

absl::StatusOr<ToggleResult> SocialService::LikeVideo(const Principal& caller,
                                                      int64_t video_id) {
  RETURN_IF_ERROR(ValidatePositiveId("video_id", video_id));
  ASSIGN_OR_RETURN(VideoRef video, deps_.videos->FindVideo(video_id));
  ASSIGN_OR_RETURN(const int64_t like_id, deps_.ids->Next());
  ASSIGN_OR_RETURN(Event event,
                   NewEvent(kTopicVideoLiked, video_id, caller.user_id));
  ASSIGN_OR_RETURN(ToggleResult r,
                   deps_.likes->LikeVideo(caller.user_id, video_id,
                                          video.author_id, like_id, event));
  if (r.changed) Poke();
  return r;
}

absl::StatusOr<ToggleResult> SocialService::UnlikeVideo(const Principal& caller,
                                                        int64_t video_id) {
  RETURN_IF_ERROR(ValidatePositiveId("video_id", video_id));
  // Unliking stays allowed for any id (stale likes); an unknown video has no
  // author to move a count for.
  absl::StatusOr<int64_t> author = deps_.videos->AuthorOf(video_id);
  if (!author.ok() && !absl::IsNotFound(author.status())) {
    return author.status();
  }
  return deps_.likes->UnlikeVideo(caller.user_id, video_id, author.value_or(0));
}

absl::StatusOr<ToggleResult> SocialService::LikeComment(const Principal& caller,
                                                        int64_t comment_id) {
  RETURN_IF_ERROR(ValidatePositiveId("comment_id", comment_id));
  return deps_.likes->LikeComment(caller.user_id, comment_id,
                                  deps_.clock->Now());
}

absl::StatusOr<ToggleResult> SocialService::UnlikeComment(
    const Principal& caller, int64_t comment_id) {
  RETURN_IF_ERROR(ValidatePositiveId("comment_id", comment_id));
  return deps_.likes->UnlikeComment(caller.user_id, comment_id);
}

absl::StatusOr<std::vector<VideoSocialState>> SocialService::GetVideoStates(
    int64_t viewer_id, const std::vector<int64_t>& video_ids) {
  if (video_ids.size() > 100) {
    return absl::InvalidArgumentError("at most 100 video ids per call");
  }
  for (int64_t id : video_ids)
    RETURN_IF_ERROR(ValidatePositiveId("video_id", id));
  return deps_.likes->VideoStates(viewer_id, video_ids);
}

absl::StatusOr<Page<LikedVideo>> SocialService::ListLikedVideos(
    const Principal& caller, const std::string& page_token, int page_size) {
  ASSIGN_OR_RETURN(int limit, PageSize(page_size));
  ASSIGN_OR_RETURN(int64_t before, DecodeIdCursor(page_token));
  Page<LikedVideo> page;
  ASSIGN_OR_RETURN(page.items,
                   deps_.likes->LikedVideos(caller.user_id, before, limit));
  page.next_page_token =
      NextIdCursor(page.items, limit, [](const auto& x) { return x.like_id; });
  return page;
}

absl::StatusOr<Comment> SocialService::AddComment(const Principal& caller,
                                                  int64_t video_id,
                                                  const std::string& body,
                                                  int64_t reply_to_id) {
  RETURN_IF_ERROR(ValidatePositiveId("video_id", video_id));
  if (reply_to_id < 0)
    return absl::InvalidArgumentError("reply_to_id is negative");
  RETURN_IF_ERROR(
      ValidateText("body", body, 1, kMaxCommentChars, /*multiline=*/true));
  RETURN_IF_ERROR(deps_.videos->FindVideo(video_id).status());
  Comment c;
  ASSIGN_OR_RETURN(c.id, deps_.ids->Next());
  c.video_id = video_id;
  c.author_id = caller.user_id;
  c.reply_to_id = reply_to_id;
  c.body = body;
  c.created_at = deps_.clock->Now();
  ASSIGN_OR_RETURN(Event event, NewEvent(kTopicCommentCreated, video_id, c.id));
  ASSIGN_OR_RETURN(Comment created, deps_.comments->Create(c, event));
  Poke();
  return created;
}

absl::Status SocialService::DeleteComment(const Principal& caller,
                                          int64_t comment_id) {
  RETURN_IF_ERROR(ValidatePositiveId("comment_id", comment_id));
  ASSIGN_OR_RETURN(Comment c, deps_.comments->Find(comment_id));
  bool allowed = caller.is_admin() || c.author_id == caller.user_id;
  if (!allowed) {
    absl::StatusOr<VideoRef> video = deps_.videos->FindVideo(c.video_id);
    allowed = video.ok() && video->author_id == caller.user_id;
  }
  if (!allowed) {
    return absl::PermissionDeniedError(
        "only the comment's author or the video's author can delete it");
  }
  return deps_.comments->SoftDelete(comment_id, deps_.clock->Now()).status();
}

absl::Status SocialService::MarkLiked(int64_t viewer_id,
                                      std::vector<Comment>* comments) {
  std::vector<int64_t> ids;
  for (const Comment& c : *comments) ids.push_back(c.id);
  ASSIGN_OR_RETURN(absl::flat_hash_set<int64_t> liked,
                   deps_.likes->LikedComments(viewer_id, ids));
  for (Comment& c : *comments) c.liked_by_viewer = liked.contains(c.id);
  return absl::OkStatus();
}

absl::StatusOr<Page<Comment>> SocialService::ListComments(
    int64_t viewer_id, int64_t video_id, const std::string& page_token,
    int page_size) {
  RETURN_IF_ERROR(ValidatePositiveId("video_id", video_id));
  ASSIGN_OR_RETURN(int limit, PageSize(page_size));
  ASSIGN_OR_RETURN(int64_t before, DecodeIdCursor(page_token));
  RETURN_IF_ERROR(deps_.videos->FindVideo(video_id).status());
  Page<Comment> page;
  ASSIGN_OR_RETURN(page.items,
                   deps_.comments->ListRoots(video_id, before, limit));
  RETURN_IF_ERROR(MarkLiked(viewer_id, &page.items));
  page.next_page_token =
      NextIdCursor(page.items, limit, [](const auto& x) { return x.id; });
  return page;
}

absl::StatusOr<Page<Comment>> SocialService::ListReplies(
    int64_t viewer_id, int64_t root_id, const std::string& page_token,
    int page_size) {
  RETURN_IF_ERROR(ValidatePositiveId("root_id", root_id));
  ASSIGN_OR_RETURN(int limit, PageSize(page_size));
  ASSIGN_OR_RETURN(int64_t after, DecodeIdCursor(page_token));
  ASSIGN_OR_RETURN(Comment root, deps_.comments->Find(root_id));
  if (root.root_id != 0) {
    return absl::InvalidArgumentError(
        "root_id names a reply, not a thread root");
  }
  Page<Comment> page;
  ASSIGN_OR_RETURN(page.items,
                   deps_.comments->ListReplies(root_id, after, limit));
  RETURN_IF_ERROR(MarkLiked(viewer_id, &page.items));
  page.next_page_token =
      NextIdCursor(page.items, limit, [](const auto& x) { return x.id; });
  return page;
}

absl::StatusOr<ToggleResult> SocialService::Follow(const Principal& caller,
                                                   int64_t user_id) {
  RETURN_IF_ERROR(ValidatePositiveId("user_id", user_id));
  if (user_id == caller.user_id) {
    return absl::InvalidArgumentError("you cannot follow yourself");
  }
  ASSIGN_OR_RETURN(std::vector<UserSummary> target,
                   deps_.users->GetUsers({user_id}));
  if (target.empty()) return absl::NotFoundError("user not found");
  ASSIGN_OR_RETURN(const int64_t follow_id, deps_.ids->Next());
  ASSIGN_OR_RETURN(Event event,
                   NewEvent(kTopicUserFollowed, user_id, caller.user_id));
  ASSIGN_OR_RETURN(
      ToggleResult r,
      deps_.follows->Follow(caller.user_id, user_id, follow_id, event));
  if (r.changed) Poke();
  return r;
}

absl::StatusOr<ToggleResult> SocialService::Unfollow(const Principal& caller,
                                                     int64_t user_id) {
  RETURN_IF_ERROR(ValidatePositiveId("user_id", user_id));
  return deps_.follows->Unfollow(caller.user_id, user_id);
}

absl::StatusOr<Page<FollowEntry>> SocialService::ListFollowing(
    int64_t viewer_id, int64_t user_id, const std::string& page_token,
    int page_size) {
  return ListEdges(EdgeList::kFollowing, viewer_id, user_id, page_token,
                   page_size);
}

absl::StatusOr<Page<FollowEntry>> SocialService::ListFollowers(
    int64_t viewer_id, int64_t user_id, const std::string& page_token,
    int page_size) {
  return ListEdges(EdgeList::kFollowers, viewer_id, user_id, page_token,
                   page_size);
}

absl::StatusOr<Page<FollowEntry>> SocialService::ListFriends(
    int64_t viewer_id, int64_t user_id, const std::string& page_token,
    int page_size) {
  return ListEdges(EdgeList::kFriends, viewer_id, user_id, page_token,
                   page_size);
}

absl::StatusOr<Page<FollowEntry>> SocialService::ListEdges(
    EdgeList which, int64_t viewer_id, int64_t user_id,
    const std::string& page_token, int page_size) {
  RETURN_IF_ERROR(ValidatePositiveId("user_id", user_id));
  ASSIGN_OR_RETURN(int limit, PageSize(page_size));
  ASSIGN_OR_RETURN(int64_t before, DecodeIdCursor(page_token));
  absl::StatusOr<std::vector<FollowEdge>> listed =
      which == EdgeList::kFollowing
          ? deps_.follows->Following(user_id, before, limit)
      : which == EdgeList::kFollowers
          ? deps_.follows->Followers(user_id, before, limit)
          : deps_.follows->Friends(user_id, before, limit);
  ASSIGN_OR_RETURN(std::vector<FollowEdge> edges, std::move(listed));
  std::vector<int64_t> ids;
  ids.reserve(edges.size());
  for (const FollowEdge& e : edges) ids.push_back(e.user_id);
  ASSIGN_OR_RETURN(std::vector<UserSummary> users, deps_.users->GetUsers(ids));
  absl::flat_hash_map<int64_t, UserSummary> by_id;
  for (UserSummary& u : users) by_id[u.id] = std::move(u);
  ASSIGN_OR_RETURN(absl::flat_hash_set<int64_t> followed,
                   deps_.follows->FollowedAmong(viewer_id, ids));
  Page<FollowEntry> page;
  for (const FollowEdge& e : edges) {
    auto it = by_id.find(e.user_id);
    if (it == by_id.end()) continue;  // account gone: skip, keep paging
    page.items.push_back({it->second, e.since, followed.contains(e.user_id)});
  }
  page.next_page_token =
      NextIdCursor(edges, limit, [](const auto& x) { return x.follow_id; });
  return page;
}

absl::StatusOr<std::vector<bool>> SocialService::IsFollowing(
    int64_t viewer_id, const std::vector<int64_t>& user_ids) {
  if (user_ids.size() > 1000) {
    return absl::InvalidArgumentError("at most 1000 user ids per call");
  }
  ASSIGN_OR_RETURN(absl::flat_hash_set<int64_t> followed,
                   deps_.follows->FollowedAmong(viewer_id, user_ids));
  std::vector<bool> out;
  out.reserve(user_ids.size());
  for (int64_t id : user_ids) out.push_back(followed.contains(id));
  return out;
}

absl::StatusOr<RelationStats> SocialService::GetRelationStats(int64_t user_id) {
  RETURN_IF_ERROR(ValidatePositiveId("user_id", user_id));
  return deps_.follows->Stats(user_id);
}

absl::StatusOr<UserCard> SocialService::GetUserCard(int64_t viewer_id,
                                                    int64_t user_id) {
  RETURN_IF_ERROR(ValidatePositiveId("user_id", user_id));
  ASSIGN_OR_RETURN(std::vector<UserSummary> users,
                   deps_.users->GetUsers({user_id}));
  if (users.empty()) return absl::NotFoundError("user not found");
  UserCard card;
  card.user = std::move(users[0]);
  ASSIGN_OR_RETURN(card.stats, deps_.follows->Stats(user_id));
  ASSIGN_OR_RETURN(card.videos, deps_.videos->CountByAuthor(user_id));
  if (viewer_id > 0 && viewer_id != user_id) {
    ASSIGN_OR_RETURN(absl::flat_hash_set<int64_t> followed,
                     deps_.follows->FollowedAmong(viewer_id, {user_id}));
    card.followed_by_viewer = followed.contains(user_id);
    ASSIGN_OR_RETURN(absl::flat_hash_set<int64_t> back,
                     deps_.follows->FollowedAmong(user_id, {viewer_id}));
    card.follows_viewer = back.contains(viewer_id);
  }
  return card;
}

}  // namespace tokkit::social
