// gRPC adapter of the social domain (likes, comments, follows, chat).
#ifndef TOKKIT_SERVICES_SOCIAL_SOCIAL_GRPC_SERVICE_H_
#define TOKKIT_SERVICES_SOCIAL_SOCIAL_GRPC_SERVICE_H_

#include "lib/social/chat_service.h"
#include "lib/social/social_service.h"
#include "proto/tokkit/social/v1/social.grpc.pb.h"
#include "services/social/chat_stream.h"

namespace tokkit {

namespace socialpb = ::tokkit::social::v1;

// The unary RPCs run on the synchronous server; the Chat stream is a callback
// reactor (chat_stream.h), so an open stream costs no thread.
class SocialGrpcService final
    : public socialpb::SocialService::WithCallbackMethod_Chat<
          socialpb::SocialService::Service> {
 public:
  SocialGrpcService(social::SocialService* social, social::ChatService* chat,
                    ChatStreamOptions stream_options = {})
      : social_(social), chat_(chat), streams_(chat, stream_options) {}

  using Ctx = grpc::ServerContext;
  grpc::Status LikeVideo(Ctx* context, const socialpb::VideoRequest* request,
                         socialpb::LikeResult* response) override;
  grpc::Status UnlikeVideo(Ctx* context, const socialpb::VideoRequest* request,
                           socialpb::LikeResult* response) override;
  grpc::Status LikeComment(Ctx* context,
                           const socialpb::CommentRequest* request,
                           socialpb::LikeResult* response) override;
  grpc::Status UnlikeComment(Ctx* context,
                             const socialpb::CommentRequest* request,
                             socialpb::LikeResult* response) override;
  grpc::Status GetVideoStates(
      Ctx* context, const socialpb::GetVideoStatesRequest* request,
      socialpb::GetVideoStatesResponse* response) override;
  grpc::Status ListLikedVideos(
      Ctx* context, const socialpb::PageRequest* request,
      socialpb::ListLikedVideosResponse* response) override;
  grpc::Status AddComment(Ctx* context,
                          const socialpb::AddCommentRequest* request,
                          socialpb::Comment* response) override;
  grpc::Status DeleteComment(Ctx* context,
                             const socialpb::CommentRequest* request,
                             socialpb::Empty* response) override;
  grpc::Status ListComments(Ctx* context,
                            const socialpb::ListCommentsRequest* request,
                            socialpb::ListCommentsResponse* response) override;
  grpc::Status ListReplies(Ctx* context,
                           const socialpb::ListRepliesRequest* request,
                           socialpb::ListCommentsResponse* response) override;
  grpc::Status Follow(Ctx* context, const socialpb::UserRequest* request,
                      socialpb::FollowResult* response) override;
  grpc::Status Unfollow(Ctx* context, const socialpb::UserRequest* request,
                        socialpb::FollowResult* response) override;
  grpc::Status ListFollowing(Ctx* context,
                             const socialpb::ListUsersRequest* request,
                             socialpb::ListUsersResponse* response) override;
  grpc::Status ListFollowers(Ctx* context,
                             const socialpb::ListUsersRequest* request,
                             socialpb::ListUsersResponse* response) override;
  grpc::Status ListFriends(Ctx* context,
                           const socialpb::ListUsersRequest* request,
                           socialpb::ListUsersResponse* response) override;
  grpc::Status IsFollowing(Ctx* context,
                           const socialpb::IsFollowingRequest* request,
                           socialpb::IsFollowingResponse* response) override;
  grpc::Status GetUserCard(Ctx* context,
                           const socialpb::GetUserCardRequest* request,
                           socialpb::UserCard* response) override;
  grpc::Status GetRelationStats(Ctx* context,
                                const socialpb::UserRequest* request,
                                socialpb::RelationStats* response) override;
  grpc::Status SendMessage(Ctx* context,
                           const socialpb::SendMessageRequest* request,
                           socialpb::Message* response) override;
  grpc::Status ListMessages(Ctx* context,
                            const socialpb::ListMessagesRequest* request,
                            socialpb::ListMessagesResponse* response) override;
  grpc::Status ListConversations(
      Ctx* context, const socialpb::ListConversationsRequest* request,
      socialpb::ListConversationsResponse* response) override;
  grpc::Status MarkRead(Ctx* context, const socialpb::MarkReadRequest* request,
                        socialpb::Conversation* response) override;
  grpc::ServerBidiReactor<socialpb::ChatClientFrame, socialpb::ChatServerFrame>*
  Chat(grpc::CallbackServerContext* context) override;

 private:
  social::SocialService* const social_;
  social::ChatService* const chat_;
  ChatStreams streams_;
};

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_SOCIAL_SOCIAL_GRPC_SERVICE_H_
