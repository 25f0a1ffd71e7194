#include "services/social/social_grpc_service.h"

#include "lib/core/status_macros.h"
#include "services/common/handler.h"
#include "services/common/media_urls.h"
#include "services/social/social_convert.h"

namespace tokkit {
namespace {

using account::Principal;

}  // namespace

grpc::Status SocialGrpcService::LikeVideo(Ctx* context,
                                          const socialpb::VideoRequest* req,
                                          socialpb::LikeResult* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(social::ToggleResult r,
                     social_->LikeVideo(p, req->video_id()));
    ToProto(r, resp);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::UnlikeVideo(Ctx* context,
                                            const socialpb::VideoRequest* req,
                                            socialpb::LikeResult* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(social::ToggleResult r,
                     social_->UnlikeVideo(p, req->video_id()));
    ToProto(r, resp);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::LikeComment(Ctx* context,
                                            const socialpb::CommentRequest* req,
                                            socialpb::LikeResult* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(social::ToggleResult r,
                     social_->LikeComment(p, req->comment_id()));
    ToProto(r, resp);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::UnlikeComment(
    Ctx* context, const socialpb::CommentRequest* req,
    socialpb::LikeResult* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(social::ToggleResult r,
                     social_->UnlikeComment(p, req->comment_id()));
    ToProto(r, resp);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::GetVideoStates(
    Ctx* context, const socialpb::GetVideoStatesRequest* req,
    socialpb::GetVideoStatesResponse* resp) {
  return WithViewer(context, *req, [&](int64_t viewer) -> absl::Status {
    std::vector<int64_t> ids(req->video_ids().begin(), req->video_ids().end());
    ASSIGN_OR_RETURN(std::vector<social::VideoSocialState> states,
                     social_->GetVideoStates(viewer, ids));
    for (const social::VideoSocialState& s : states) {
      socialpb::VideoState* out = resp->add_states();
      out->set_video_id(s.video_id);
      out->set_like_count(s.like_count);
      out->set_comment_count(s.comment_count);
      out->set_liked_by_viewer(s.liked_by_viewer);
    }
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::ListLikedVideos(
    Ctx* context, const socialpb::PageRequest* req,
    socialpb::ListLikedVideosResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(
        Page<social::LikedVideo> page,
        social_->ListLikedVideos(p, req->page_token(), req->page_size()));
    for (const social::LikedVideo& v : page.items) {
      socialpb::LikedVideo* out = resp->add_videos();
      out->set_video_id(v.video_id);
      out->set_liked_at_ms(Millis(v.liked_at));
    }
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::AddComment(
    Ctx* context, const socialpb::AddCommentRequest* req,
    socialpb::Comment* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(social::Comment c,
                     social_->AddComment(p, req->video_id(), req->body(),
                                         req->reply_to_id()));
    ToProto(c, resp);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::DeleteComment(
    Ctx* context, const socialpb::CommentRequest* req, socialpb::Empty*) {
  return WithCaller(context, *req, [&](const Principal& p) {
    return social_->DeleteComment(p, req->comment_id());
  });
}

grpc::Status SocialGrpcService::ListComments(
    Ctx* context, const socialpb::ListCommentsRequest* req,
    socialpb::ListCommentsResponse* resp) {
  return WithViewer(context, *req, [&](int64_t viewer) -> absl::Status {
    ASSIGN_OR_RETURN(
        Page<social::Comment> page,
        social_->ListComments(viewer, req->video_id(), req->page_token(),
                              req->page_size()));
    ToProto(page, resp);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::ListReplies(
    Ctx* context, const socialpb::ListRepliesRequest* req,
    socialpb::ListCommentsResponse* resp) {
  return WithViewer(context, *req, [&](int64_t viewer) -> absl::Status {
    ASSIGN_OR_RETURN(Page<social::Comment> page,
                     social_->ListReplies(viewer, req->root_id(),
                                          req->page_token(), req->page_size()));
    ToProto(page, resp);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::Follow(Ctx* context,
                                       const socialpb::UserRequest* req,
                                       socialpb::FollowResult* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(social::ToggleResult r,
                     social_->Follow(p, req->user_id()));
    resp->set_changed(r.changed);
    resp->set_following(r.active);
    resp->set_follower_count(r.count);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::Unfollow(Ctx* context,
                                         const socialpb::UserRequest* req,
                                         socialpb::FollowResult* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(social::ToggleResult r,
                     social_->Unfollow(p, req->user_id()));
    resp->set_changed(r.changed);
    resp->set_following(r.active);
    resp->set_follower_count(r.count);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::ListFollowing(
    Ctx* context, const socialpb::ListUsersRequest* req,
    socialpb::ListUsersResponse* resp) {
  return WithViewer(context, *req, [&](int64_t viewer) -> absl::Status {
    ASSIGN_OR_RETURN(
        Page<social::FollowEntry> page,
        social_->ListFollowing(viewer, req->user_id(), req->page_token(),
                               req->page_size()));
    ToProto(page, resp);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::ListFollowers(
    Ctx* context, const socialpb::ListUsersRequest* req,
    socialpb::ListUsersResponse* resp) {
  return WithViewer(context, *req, [&](int64_t viewer) -> absl::Status {
    ASSIGN_OR_RETURN(
        Page<social::FollowEntry> page,
        social_->ListFollowers(viewer, req->user_id(), req->page_token(),
                               req->page_size()));
    ToProto(page, resp);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::ListFriends(
    Ctx* context, const socialpb::ListUsersRequest* req,
    socialpb::ListUsersResponse* resp) {
  return WithViewer(context, *req, [&](int64_t viewer) -> absl::Status {
    ASSIGN_OR_RETURN(Page<social::FollowEntry> page,
                     social_->ListFriends(viewer, req->user_id(),
                                          req->page_token(), req->page_size()));
    ToProto(page, resp);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::IsFollowing(
    Ctx* context, const socialpb::IsFollowingRequest* req,
    socialpb::IsFollowingResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    std::vector<int64_t> ids(req->user_ids().begin(), req->user_ids().end());
    ASSIGN_OR_RETURN(std::vector<bool> following,
                     social_->IsFollowing(p.user_id, ids));
    for (bool f : following) resp->add_following(f);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::GetRelationStats(
    Ctx* context, const socialpb::UserRequest* req,
    socialpb::RelationStats* resp) {
  return WithViewer(context, *req, [&](int64_t) -> absl::Status {
    ASSIGN_OR_RETURN(social::RelationStats s,
                     social_->GetRelationStats(req->user_id()));
    resp->set_followers(s.followers);
    resp->set_following(s.following);
    resp->set_likes_given(s.likes_given);
    resp->set_likes_received(s.likes_received);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::GetUserCard(
    Ctx* context, const socialpb::GetUserCardRequest* req,
    socialpb::UserCard* resp) {
  return WithViewer(context, *req, [&](int64_t viewer) -> absl::Status {
    ASSIGN_OR_RETURN(social::UserCard card,
                     social_->GetUserCard(viewer, req->user_id()));
    ToProto(card.user, resp->mutable_user());
    resp->set_bio(card.user.bio);
    if (card.user.has_avatar) {
      resp->set_avatar_url(CurrentMediaUrls().Avatar(card.user.id));
    }
    resp->set_banned(card.user.banned);
    socialpb::RelationStats* stats = resp->mutable_stats();
    stats->set_followers(card.stats.followers);
    stats->set_following(card.stats.following);
    stats->set_likes_given(card.stats.likes_given);
    stats->set_likes_received(card.stats.likes_received);
    resp->set_video_count(card.videos);
    resp->set_followed_by_viewer(card.followed_by_viewer);
    resp->set_follows_viewer(card.follows_viewer);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::SendMessage(
    Ctx* context, const socialpb::SendMessageRequest* req,
    socialpb::Message* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(social::Message m,
                     chat_->Send(p, req->recipient_id(), req->body(),
                                 req->client_message_id()));
    ToProto(m, resp);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::ListMessages(
    Ctx* context, const socialpb::ListMessagesRequest* req,
    socialpb::ListMessagesResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    if (req->since_ms() < 0 || req->until_ms() < 0) {
      return absl::InvalidArgumentError(
          "since_ms and until_ms are Unix milliseconds (0: open)");
    }
    social::TimeWindow window;
    if (req->since_ms() > 0)
      window.since = absl::FromUnixMillis(req->since_ms());
    if (req->until_ms() > 0)
      window.until = absl::FromUnixMillis(req->until_ms());
    ASSIGN_OR_RETURN(
        Page<social::Message> page,
        chat_->History(p, req->peer_id(),
                       req->direction() == socialpb::DIRECTION_NEWER
                           ? social::HistoryDirection::kNewer
                           : social::HistoryDirection::kOlder,
                       req->page_token(), req->page_size(), window));
    for (const social::Message& m : page.items)
      ToProto(m, resp->add_messages());
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::ListConversations(
    Ctx* context, const socialpb::ListConversationsRequest* req,
    socialpb::ListConversationsResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<social::ConversationView> list,
                     chat_->ListConversations(p, req->limit()));
    for (const social::ConversationView& v : list) {
      socialpb::Conversation* out = resp->add_conversations();
      ToProto(v.conversation, out);
      ToProto(v.peer, out->mutable_peer());
      ToProto(v.last_message, out->mutable_last_message());
    }
    return absl::OkStatus();
  });
}

grpc::Status SocialGrpcService::MarkRead(Ctx* context,
                                         const socialpb::MarkReadRequest* req,
                                         socialpb::Conversation* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(
        social::Conversation c,
        chat_->MarkRead(p, req->peer_id(), req->up_to_message_id()));
    ToProto(c, resp);
    return absl::OkStatus();
  });
}

grpc::ServerBidiReactor<socialpb::ChatClientFrame, socialpb::ChatServerFrame>*
SocialGrpcService::Chat(grpc::CallbackServerContext* context) {
  return streams_.Open(context);
}

}  // namespace tokkit
