#include "services/social/social_grpc_service.h"

#include <deque>
#include <optional>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "lib/core/status_macros.h"
#include "services/common/handler.h"

namespace tokkit {
namespace {

using account::Principal;

int64_t Millis(absl::Time t) { return absl::ToUnixMillis(t); }

void ToProto(const social::ToggleResult& r, socialpb::LikeResult* out) {
  out->set_changed(r.changed);
  out->set_liked(r.active);
  out->set_like_count(r.count);
}

void ToProto(const social::Comment& c, socialpb::Comment* out) {
  out->set_id(c.id);
  out->set_video_id(c.video_id);
  out->set_author_id(c.author_id);
  out->set_root_id(c.root_id);
  out->set_reply_to_id(c.reply_to_id);
  out->set_reply_to_user_id(c.reply_to_user_id);
  out->set_body(c.body);
  out->set_like_count(c.like_count);
  out->set_reply_count(c.reply_count);
  out->set_deleted(c.deleted);
  out->set_liked_by_viewer(c.liked_by_viewer);
  out->set_created_at_ms(Millis(c.created_at));
}

void ToProto(const social::UserSummary& u, socialpb::UserSummary* out) {
  out->set_id(u.id);
  out->set_username(u.username);
  out->set_display_name(u.display_name);
  out->set_has_avatar(u.has_avatar);
}

void ToProto(const social::Message& m, socialpb::Message* out) {
  out->set_id(m.id);
  out->set_sender_id(m.sender_id);
  out->set_recipient_id(m.recipient_id);
  out->set_body(m.body);
  out->set_client_message_id(m.client_message_id);
  out->set_created_at_ms(Millis(m.created_at));
}

void ToProto(const social::Conversation& c, socialpb::Conversation* out) {
  out->mutable_peer()->set_id(c.peer_id);
  out->set_last_read_message_id(c.last_read_id);
  out->set_unread_count(c.unread_count);
}

void ToProto(const Page<social::Comment>& page,
             socialpb::ListCommentsResponse* out) {
  for (const social::Comment& c : page.items) ToProto(c, out->add_comments());
  out->set_next_page_token(page.next_page_token);
}

void ToProto(const Page<social::FollowEntry>& page,
             socialpb::ListUsersResponse* out) {
  for (const social::FollowEntry& e : page.items) {
    socialpb::FollowEntry* entry = out->add_entries();
    ToProto(e.user, entry->mutable_user());
    entry->set_since_ms(Millis(e.since));
    entry->set_followed_by_viewer(e.followed_by_viewer);
  }
  out->set_next_page_token(page.next_page_token);
}

// The frames one chat stream is about to write: live messages pushed by the
// chat hub on the event thread, and answers from the reader thread.
class StreamOutbox : public social::ChatSink {
 public:
  void Deliver(const social::Message& m) override {
    socialpb::ChatServerFrame f;
    ToProto(m, f.mutable_message());
    Push(std::move(f));
  }
  void Push(socialpb::ChatServerFrame frame) {
    absl::MutexLock lock(&mu_);
    frames_.push_back(std::move(frame));
  }
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  // Next frame; nullopt when closed and drained, or after `wait` with none.
  std::optional<socialpb::ChatServerFrame> Pop(absl::Duration wait,
                                               bool* done) {
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return !frames_.empty() || closed_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&ready), wait);
    *done = closed_ && frames_.empty();
    if (frames_.empty()) return std::nullopt;
    socialpb::ChatServerFrame f = std::move(frames_.front());
    frames_.pop_front();
    return f;
  }

 private:
  absl::Mutex mu_;
  std::deque<socialpb::ChatServerFrame> frames_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

socialpb::ChatServerFrame ErrorFrame(const absl::Status& st,
                                     const std::string& client_message_id) {
  socialpb::ChatServerFrame f;
  f.mutable_error()->set_code(static_cast<int>(st.code()));
  f.mutable_error()->set_message(std::string(st.message()));
  f.mutable_error()->set_client_message_id(client_message_id);
  return f;
}

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
    ASSIGN_OR_RETURN(
        Page<social::Message> page,
        chat_->History(p, req->peer_id(),
                       req->direction() == socialpb::DIRECTION_NEWER
                           ? social::HistoryDirection::kNewer
                           : social::HistoryDirection::kOlder,
                       req->page_token(), req->page_size()));
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

grpc::Status SocialGrpcService::Chat(
    Ctx* context, grpc::ServerReaderWriter<socialpb::ChatServerFrame,
                                           socialpb::ChatClientFrame>* stream) {
  absl::StatusOr<Principal> caller = CallerOf(context);
  if (!caller.ok()) return ToGrpcStatus(caller.status(), context);
  const Principal me = *caller;

  StreamOutbox outbox;
  // Listen before catching up, so nothing falls between the two; the writer
  // drops the duplicates.
  std::unique_ptr<social::ChatService::Connection> connection =
      chat_->Connect(me.user_id, &outbox);
  // Tells the client live delivery is on: a message sent from now on reaches
  // this stream (WaitForInitialMetadata on the client side).
  stream->SendInitialMetadata();

  std::thread reader([&] {
    socialpb::ChatClientFrame in;
    while (stream->Read(&in)) {
      switch (in.frame_case()) {
        case socialpb::ChatClientFrame::kHello: {
          const int64_t after = in.hello().last_seen_message_id();
          if (after <= 0) break;
          absl::StatusOr<std::vector<social::Message>> missed =
              chat_->MissedSince(me, after, 1000);
          if (!missed.ok()) {
            outbox.Push(ErrorFrame(missed.status(), ""));
            break;
          }
          for (const social::Message& m : *missed) outbox.Deliver(m);
          break;
        }
        case socialpb::ChatClientFrame::kSend: {
          const socialpb::SendMessageRequest& s = in.send();
          absl::StatusOr<social::Message> m = chat_->Send(
              me, s.recipient_id(), s.body(), s.client_message_id());
          if (!m.ok()) {
            outbox.Push(ErrorFrame(m.status(), s.client_message_id()));
            break;
          }
          socialpb::ChatServerFrame ack;
          ack.mutable_ack()->set_client_message_id(s.client_message_id());
          ToProto(*m, ack.mutable_ack()->mutable_message());
          outbox.Push(std::move(ack));
          break;
        }
        case socialpb::ChatClientFrame::kMarkRead: {
          absl::StatusOr<social::Conversation> c = chat_->MarkRead(
              me, in.mark_read().peer_id(), in.mark_read().up_to_message_id());
          if (!c.ok()) {
            outbox.Push(ErrorFrame(c.status(), ""));
            break;
          }
          socialpb::ChatServerFrame f;
          ToProto(*c, f.mutable_read());
          outbox.Push(std::move(f));
          break;
        }
        default:
          outbox.Push(
              ErrorFrame(absl::InvalidArgumentError("empty chat frame"), ""));
      }
    }
    outbox.Close();  // the client closed its side or went away
  });

  // Each message goes out once per stream, whether it came from catch-up,
  // an ack or live delivery.
  absl::flat_hash_set<int64_t> written;
  bool done = false;
  while (!done && !context->IsCancelled()) {
    std::optional<socialpb::ChatServerFrame> f =
        outbox.Pop(absl::Milliseconds(200), &done);
    if (!f) continue;
    int64_t id = 0;
    if (f->has_message()) id = f->message().id();
    if (f->has_ack()) id = f->ack().message().id();
    if (id != 0 && !written.insert(id).second && f->has_message()) continue;
    if (!stream->Write(*f)) break;
  }
  connection.reset();  // stop live delivery into the outbox
  reader.join();
  return grpc::Status::OK;
}

}  // namespace tokkit
