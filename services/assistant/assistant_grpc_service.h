// gRPC adapter of the shopping assistant.
#ifndef TOKKIT_SERVICES_ASSISTANT_ASSISTANT_GRPC_SERVICE_H_
#define TOKKIT_SERVICES_ASSISTANT_ASSISTANT_GRPC_SERVICE_H_

#include "lib/assistant/assistant_service.h"
#include "proto/tokkit/assistant/v1/assistant.grpc.pb.h"

namespace tokkit {

namespace assistantpb = ::tokkit::assistant::v1;

class AssistantGrpcService final
    : public assistantpb::AssistantService::Service {
 public:
  explicit AssistantGrpcService(assistant::AssistantService* assistant)
      : assistant_(assistant) {}

  using Ctx = grpc::ServerContext;
  grpc::Status Ask(Ctx* context, const assistantpb::AskRequest* request,
                   grpc::ServerWriter<assistantpb::AskEvent>* writer) override;
  grpc::Status Confirm(Ctx* context, const assistantpb::ActionRequest* request,
                       assistantpb::Action* response) override;
  grpc::Status Decline(Ctx* context, const assistantpb::ActionRequest* request,
                       assistantpb::Action* response) override;
  grpc::Status ListConversations(
      Ctx* context, const assistantpb::ListConversationsRequest* request,
      assistantpb::ListConversationsResponse* response) override;
  grpc::Status GetConversation(
      Ctx* context, const assistantpb::ConversationRequest* request,
      assistantpb::GetConversationResponse* response) override;
  grpc::Status DeleteConversation(
      Ctx* context, const assistantpb::ConversationRequest* request,
      assistantpb::Empty* response) override;

 private:
  assistant::AssistantService* const assistant_;
};

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_ASSISTANT_ASSISTANT_GRPC_SERVICE_H_
