#include "services/assistant/assistant_grpc_service.h"

#include "lib/core/status_macros.h"
#include "services/common/handler.h"

namespace tokkit {
namespace {

using account::Principal;

void ToProto(const assistant::Action& a, assistantpb::Action* out) {
  out->set_confirmation_id(a.confirmation_id);
  out->set_tool(a.tool);
  out->set_summary(a.summary);
  out->set_arguments_json(a.arguments);
  out->set_state(static_cast<assistantpb::ActionState>(a.state));
  out->set_result_json(a.result);
  out->set_created_at_ms(absl::ToUnixMillis(a.created_at));
  out->set_expires_at_ms(absl::ToUnixMillis(a.expires_at));
}

void ToProto(const assistant::Conversation& c, assistantpb::Conversation* out) {
  out->set_id(c.id);
  out->set_title(c.title);
  out->set_created_at_ms(absl::ToUnixMillis(c.created_at));
  out->set_updated_at_ms(absl::ToUnixMillis(c.updated_at));
}

}  // namespace

grpc::Status AssistantGrpcService::Ask(
    Ctx* context, const assistantpb::AskRequest* request,
    grpc::ServerWriter<assistantpb::AskEvent>* writer) {
  return WithCaller(context, *request, [&](const Principal& p) -> absl::Status {
    bool gone = false;
    ASSIGN_OR_RETURN(
        assistant::AskResult result,
        assistant_->Ask(
            p, request->conversation_id(), request->question(),
            [&](const assistant::AskEvent& e) {
              if (gone) return;
              assistantpb::AskEvent out;
              switch (e.kind) {
                case assistant::AskEvent::Kind::kText:
                  out.set_text_delta(e.text);
                  break;
                case assistant::AskEvent::Kind::kToolCall:
                  out.mutable_tool_call()->set_name(e.tool);
                  out.mutable_tool_call()->set_arguments_json(e.arguments);
                  break;
                case assistant::AskEvent::Kind::kToolResult:
                  out.mutable_tool_result()->set_name(e.tool);
                  out.mutable_tool_result()->set_ok(e.ok);
                  out.mutable_tool_result()->set_result_json(e.text);
                  break;
                case assistant::AskEvent::Kind::kProposedAction:
                  ToProto(e.action, out.mutable_proposed_action());
                  break;
              }
              // A client that went away stops getting events;
              // the turn still completes and is stored.
              if (!writer->Write(out)) gone = true;
            }));
    assistantpb::AskEvent done;
    done.mutable_done()->set_conversation_id(result.conversation_id);
    done.mutable_done()->set_answer(result.answer);
    done.mutable_done()->set_stopped_at_round_cap(result.stopped_at_round_cap);
    if (!gone && !writer->Write(done)) {
      return absl::CancelledError("client went away");
    }
    return absl::OkStatus();
  });
}

grpc::Status AssistantGrpcService::Confirm(
    Ctx* context, const assistantpb::ActionRequest* request,
    assistantpb::Action* response) {
  return WithCaller(context, *request, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(assistant::Action a,
                     assistant_->Confirm(p, request->confirmation_id()));
    ToProto(a, response);
    return absl::OkStatus();
  });
}

grpc::Status AssistantGrpcService::Decline(
    Ctx* context, const assistantpb::ActionRequest* request,
    assistantpb::Action* response) {
  return WithCaller(context, *request, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(assistant::Action a,
                     assistant_->Decline(p, request->confirmation_id()));
    ToProto(a, response);
    return absl::OkStatus();
  });
}

grpc::Status AssistantGrpcService::ListConversations(
    Ctx* context, const assistantpb::ListConversationsRequest* request,
    assistantpb::ListConversationsResponse* response) {
  return WithCaller(context, *request, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(Page<assistant::Conversation> page,
                     assistant_->ListConversations(p, request->page_token(),
                                                   request->page_size()));
    for (const assistant::Conversation& c : page.items) {
      ToProto(c, response->add_conversations());
    }
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status AssistantGrpcService::GetConversation(
    Ctx* context, const assistantpb::ConversationRequest* request,
    assistantpb::GetConversationResponse* response) {
  return WithCaller(context, *request, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(
        assistant::AssistantService::ConversationView view,
        assistant_->GetConversation(p, request->conversation_id()));
    ToProto(view.conversation, response->mutable_conversation());
    for (const assistant::StoredMessage& m : view.messages) {
      assistantpb::Message* out = response->add_messages();
      out->set_role(assistant::RoleName(m.message.role));
      out->set_content(m.message.content);
      for (const assistant::ToolCall& c : m.message.tool_calls) {
        assistantpb::ToolCall* call = out->add_tool_calls();
        call->set_name(c.name);
        call->set_arguments_json(c.arguments);
      }
      out->set_tool_name(m.tool_name);
      out->set_created_at_ms(absl::ToUnixMillis(m.created_at));
    }
    for (const assistant::Action& a : view.actions) {
      ToProto(a, response->add_actions());
    }
    return absl::OkStatus();
  });
}

grpc::Status AssistantGrpcService::DeleteConversation(
    Ctx* context, const assistantpb::ConversationRequest* request,
    assistantpb::Empty*) {
  return WithCaller(context, *request, [&](const Principal& p) {
    return assistant_->DeleteConversation(p, request->conversation_id());
  });
}

}  // namespace tokkit
