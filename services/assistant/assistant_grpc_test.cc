// The assistant over loopback gRPC, through the auth interceptor, on every
// backend: Ask streams text, tool calls and proposals; Confirm runs one;
// conversations are the caller's own.
#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "lib/assistant/testing/scripted_model_server.h"
#include "lib/platform/testing/test_platform.h"
#include "lib/store/sql/testing/test_database.h"
#include "services/assistant/assistant_grpc_service.h"
#include "services/common/testing/grpc_test_server.h"

namespace tokkit {
namespace {

using ::tokkit::assistant::testing::ScriptedAnswer;
using ::tokkit::assistant::testing::ScriptedModelServer;
using ::tokkit::testing::BearerContext;
using ::tokkit::testing::GrpcTestServer;
using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;
using ::tokkit::testing::TestPlatform;
namespace apb = ::tokkit::assistant::v1;

class AssistantGrpcTest
    : public ::testing::TestWithParam<::tokkit::testing::StorageUnderTest> {
 protected:
  void Start(bool with_model) {
    model_ = ScriptedModelServer::Start();
    auto t = TestPlatform::Create(GetParam(), [&](PlatformConfig& c) {
      if (with_model) {
        c.assistant_model.base_url = model_->base_url();
        c.assistant_model.model = "scripted";
        c.assistant_model.max_attempts = 1;
      }
    });
    ASSERT_TRUE(t.ok()) << t.status();
    tp_ = std::move(*t);
    service_ =
        std::make_unique<AssistantGrpcService>(&tp_->platform().assistant());
    auto server = GrpcTestServer::Start(tp_->platform(), {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = apb::AssistantService::NewStub(server_->channel());
  }

  std::string Token(const std::string& name) {
    return tp_->SignUp(name)->tokens.access_token;
  }

  // Every event of one Ask, and its final status.
  grpc::Status Ask(const std::string& token, const std::string& question,
                   std::vector<apb::AskEvent>* events,
                   int64_t conversation = 0) {
    apb::AskRequest req;
    req.set_question(question);
    req.set_conversation_id(conversation);
    auto ctx = BearerContext(token);
    auto reader = stub_->Ask(ctx.get(), req);
    apb::AskEvent e;
    while (reader->Read(&e)) events->push_back(e);
    return reader->Finish();
  }

  std::unique_ptr<ScriptedModelServer> model_;
  std::unique_ptr<TestPlatform> tp_;
  std::unique_ptr<AssistantGrpcService> service_;
  std::unique_ptr<GrpcTestServer> server_;
  std::unique_ptr<apb::AssistantService::Stub> stub_;
};

TEST_P(AssistantGrpcTest, WithoutAModelEveryAskSaysHowToConfigureOne) {
  Start(/*with_model=*/false);
  std::vector<apb::AskEvent> events;
  grpc::Status st = Ask(Token("ann"), "hi", &events);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(st.error_message(), "--assistant_url"));
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(Ask("", "hi", &events).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_P(AssistantGrpcTest, StreamsAnAnswerAndConfirmsAProposal) {
  Start(/*with_model=*/true);
  const std::string ann = Token("ann"), bob = Token("bob");
  model_->Push(
      ScriptedAnswer::Stream("Let me check. ", {{"show_cart", ""}}, 4));
  model_->Push(ScriptedAnswer::Stream("", {{"checkout_cart", "{}"}}));
  model_->Push(ScriptedAnswer::Stream("Confirm it in the app.", {}, 6));
  std::vector<apb::AskEvent> events;
  ASSERT_TRUE(Ask(ann, "buy my cart", &events).ok());
  std::string text;
  std::string confirmation;
  int tool_calls = 0, tool_results = 0;
  for (const apb::AskEvent& e : events) {
    if (e.has_text_delta()) text += e.text_delta();
    if (e.has_tool_call()) ++tool_calls;
    if (e.has_tool_result()) ++tool_results;
    if (e.has_proposed_action()) {
      confirmation = e.proposed_action().confirmation_id();
      EXPECT_EQ(e.proposed_action().state(), apb::PROPOSED);
    }
  }
  EXPECT_EQ(text, "Let me check. Confirm it in the app.");
  EXPECT_EQ(tool_calls, 2);
  EXPECT_EQ(tool_results, 2);
  ASSERT_FALSE(confirmation.empty());
  ASSERT_TRUE(events.back().has_done());
  const int64_t conversation = events.back().done().conversation_id();
  EXPECT_EQ(events.back().done().answer(), "Confirm it in the app.");

  // The cart is empty and ann has no address: confirming runs the
  // checkout, which fails and says why; a repeat answers the same.
  apb::ActionRequest confirm;
  confirm.set_confirmation_id(confirmation);
  apb::Action action;
  EXPECT_EQ(
      stub_->Confirm(BearerContext(bob).get(), confirm, &action).error_code(),
      grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(stub_->Confirm(BearerContext(ann).get(), confirm, &action).ok());
  EXPECT_EQ(action.state(), apb::FAILED);
  EXPECT_TRUE(absl::StrContains(action.result_json(), "FAILED_PRECONDITION"))
      << action.result_json();
  apb::Action again;
  ASSERT_TRUE(stub_->Confirm(BearerContext(ann).get(), confirm, &again).ok());
  EXPECT_EQ(again.result_json(), action.result_json());

  // Conversations: listed, read and deleted by their owner only.
  apb::ListConversationsResponse list;
  ASSERT_TRUE(stub_
                  ->ListConversations(BearerContext(ann).get(),
                                      apb::ListConversationsRequest(), &list)
                  .ok());
  ASSERT_EQ(list.conversations_size(), 1);
  EXPECT_EQ(list.conversations(0).title(), "buy my cart");
  apb::ConversationRequest which;
  which.set_conversation_id(conversation);
  apb::GetConversationResponse got;
  EXPECT_EQ(stub_->GetConversation(BearerContext(bob).get(), which, &got)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(
      stub_->GetConversation(BearerContext(ann).get(), which, &got).ok());
  EXPECT_EQ(got.messages(0).role(), "user");
  EXPECT_EQ(got.actions_size(), 1);
  apb::Empty empty;
  ASSERT_TRUE(
      stub_->DeleteConversation(BearerContext(ann).get(), which, &empty).ok());
  EXPECT_EQ(stub_->GetConversation(BearerContext(ann).get(), which, &got)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_P(AssistantGrpcTest, ModelErrorsAndBadInputAreCanonical) {
  Start(/*with_model=*/true);
  const std::string ann = Token("ann");
  model_->Push(ScriptedAnswer::Error(503, "overloaded"));
  std::vector<apb::AskEvent> events;
  EXPECT_EQ(Ask(ann, "hi", &events).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Ask(ann, "", &events).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Ask(ann, "hi", &events, 12345).error_code(),
            grpc::StatusCode::NOT_FOUND);
  apb::ActionRequest confirm;
  apb::Action action;
  EXPECT_EQ(
      stub_->Confirm(BearerContext(ann).get(), confirm, &action).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

INSTANTIATE_TEST_SUITE_P(Backends, AssistantGrpcTest,
                         ::testing::ValuesIn(SqlStorages()), StorageTestName);

}  // namespace
}  // namespace tokkit
