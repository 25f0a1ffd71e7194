#include "lib/assistant/openai_chat_model.h"

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "lib/assistant/testing/scripted_model_server.h"

namespace tokkit::assistant {
namespace {

using testing::ScriptedAnswer;
using testing::ScriptedModelServer;

class OpenAiChatModelTest : public ::testing::Test {
 protected:
  void SetUp() override { server_ = ScriptedModelServer::Start(); }

  std::unique_ptr<ChatModel> Model(OpenAiOptions options = {}) {
    options.base_url = server_->base_url();
    options.model = "scripted";
    options.api_key = "sk-secret-key";
    options.initial_backoff = absl::Milliseconds(10);
    absl::StatusOr<std::unique_ptr<ChatModel>> model =
        NewOpenAiChatModel(options);
    EXPECT_TRUE(model.ok()) << model.status();
    return *std::move(model);
  }

  absl::StatusOr<ModelReply> Ask(ChatModel& model, std::string* deltas) {
    return model.Complete(
        {{Role::kUser, "hello"}}, {{"show_cart", "the cart", "{}"}},
        [&](absl::string_view d) { deltas->append(d.data(), d.size()); });
  }

  std::unique_ptr<ScriptedModelServer> server_;
};

TEST_F(OpenAiChatModelTest, StreamsTextAndToolCallsSplitAtOddPlaces) {
  // "é" and "茶" are cut inside their UTF-8 bytes by the 7-byte pieces.
  server_->Push(ScriptedAnswer::Stream(
      "Café time: 茶?", {{"search_products", R"({"query":"green tea"})"}},
      /*split=*/3));
  std::unique_ptr<ChatModel> model = Model();
  std::string deltas;
  absl::StatusOr<ModelReply> reply = Ask(*model, &deltas);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(deltas, "Café time: 茶?");
  EXPECT_EQ(reply->content, "Café time: 茶?");
  ASSERT_EQ(reply->tool_calls.size(), 1u);
  EXPECT_EQ(reply->tool_calls[0].name, "search_products");
  EXPECT_EQ(reply->tool_calls[0].arguments, R"({"query":"green tea"})");
  EXPECT_EQ(reply->finish_reason, "tool_calls");
  EXPECT_EQ(reply->completion_tokens, 10);
  // What went out: the model, the tools, a bearer key.
  const nlohmann::json sent = nlohmann::json::parse(server_->requests()[0]);
  EXPECT_EQ(sent["model"], "scripted");
  EXPECT_EQ(sent["tools"][0]["function"]["name"], "show_cart");
  EXPECT_EQ(server_->authorizations()[0], "Bearer sk-secret-key");
}

TEST_F(OpenAiChatModelTest, RetriesRateLimitsAndServerErrors) {
  ScriptedAnswer limited = ScriptedAnswer::Error(429, "slow down");
  limited.retry_after = "0";
  server_->Push(limited);
  server_->Push(ScriptedAnswer::Error(503, "warming up"));
  server_->Push(ScriptedAnswer::Stream("fine"));
  std::unique_ptr<ChatModel> model = Model();
  std::string deltas;
  absl::StatusOr<ModelReply> reply = Ask(*model, &deltas);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->content, "fine");
  EXPECT_EQ(server_->requests().size(), 3u);
}

TEST_F(OpenAiChatModelTest, GivesUpWithACanonicalErrorWithoutTheKey) {
  for (int i = 0; i < 3; ++i) {
    server_->Push(ScriptedAnswer::Error(500, "boom sk-secret-key"));
  }
  std::unique_ptr<ChatModel> model = Model();
  std::string deltas;
  absl::StatusOr<ModelReply> failed = Ask(*model, &deltas);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(failed.status().message(), "boom"));
  EXPECT_FALSE(absl::StrContains(failed.status().message(), "sk-secret"))
      << failed.status();
  EXPECT_EQ(server_->requests().size(), 3u);

  server_->Push(ScriptedAnswer::Error(429, "quota"));
  server_->Push(ScriptedAnswer::Error(429, "quota"));
  server_->Push(ScriptedAnswer::Error(429, "quota"));
  EXPECT_EQ(Ask(*model, &deltas).status().code(),
            absl::StatusCode::kResourceExhausted);

  // A refusal (bad model name, bad key) is not retried.
  server_->Push(ScriptedAnswer::Error(404, "model 'x' not found"));
  absl::StatusOr<ModelReply> refused = Ask(*model, &deltas);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "not found"));
  EXPECT_EQ(server_->requests().size(), 7u);
  EXPECT_EQ(server_->unscripted(), 0);
}

TEST_F(OpenAiChatModelTest, ASilentServerTimesOut) {
  server_->Push(ScriptedAnswer::Silence(absl::Seconds(1)));
  OpenAiOptions options;
  options.request_timeout = absl::Milliseconds(300);
  options.max_attempts = 1;
  std::unique_ptr<ChatModel> model = Model(options);
  std::string deltas;
  const absl::Time start = absl::Now();
  EXPECT_EQ(Ask(*model, &deltas).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(900));
}

TEST_F(OpenAiChatModelTest, MalformedStreamsAndWholeAnswers) {
  ScriptedAnswer garbage;
  garbage.pieces = {"data: {\"choices\": [\n\n", "data: [DONE]\n\n"};
  server_->Push(garbage);
  ScriptedAnswer cut = ScriptedAnswer::Stream("half");
  cut.pieces[0] = cut.pieces[0].substr(0, cut.pieces[0].find("finish"));
  server_->Push(cut);
  ScriptedAnswer whole;
  whole.content_type = "application/json";
  whole.pieces = {R"({"choices":[{"message":{"content":"whole"},
      "finish_reason":"stop"}]})"};
  server_->Push(whole);
  OpenAiOptions options;
  options.max_attempts = 1;
  std::unique_ptr<ChatModel> model = Model(options);
  std::string deltas;
  EXPECT_EQ(Ask(*model, &deltas).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(Ask(*model, &deltas).status().code(),
            absl::StatusCode::kUnavailable);  // no finish reason, no [DONE]
  absl::StatusOr<ModelReply> reply = Ask(*model, &deltas);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->content, "whole");
}

TEST(NewOpenAiChatModel, RefusesBadConfiguration) {
  OpenAiOptions options;
  options.base_url = "ftp://example";
  options.model = "m";
  EXPECT_EQ(NewOpenAiChatModel(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.base_url = "http://127.0.0.1:1";
  options.model = "";
  EXPECT_EQ(NewOpenAiChatModel(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tokkit::assistant
