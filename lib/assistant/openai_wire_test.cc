#include "lib/assistant/openai_wire.h"

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"
#include "lib/assistant/sse.h"

namespace tokkit::assistant {
namespace {

using nlohmann::json;

TEST(ChatRequestBody, CarriesMessagesToolsAndToolResults) {
  ChatMessage call;
  call.role = Role::kAssistant;
  call.tool_calls = {{"call_1", "show_cart", "{}"}};
  ChatMessage result;
  result.role = Role::kTool;
  result.tool_call_id = "call_1";
  result.content = "{\"lines\":[]}";
  const json body = json::parse(ChatRequestBody(
      "qwen",
      {{Role::kSystem, "be brief"}, {Role::kUser, "cart?"}, call, result},
      {{"show_cart", "Shows the cart", R"({"type":"object"})"}}, true, 256));
  EXPECT_EQ(body["model"], "qwen");
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  EXPECT_EQ(body["max_tokens"], 256);
  ASSERT_EQ(body["messages"].size(), 4u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["messages"][2]["tool_calls"][0]["function"]["name"],
            "show_cart");
  EXPECT_EQ(body["messages"][3]["tool_call_id"], "call_1");
  EXPECT_EQ(body["tools"][0]["function"]["parameters"]["type"], "object");
}

TEST(ChatRequestBody, InvalidUtf8IsReplacedNotFatal) {
  const std::string body =
      ChatRequestBody("m", {{Role::kUser, "caf\xe9"}}, {}, false, 0);
  EXPECT_FALSE(json::parse(body, nullptr, false).is_discarded());
}

// A streamed answer with text and two tool calls whose names and arguments
// arrive in pieces, then usage and [DONE].
const char kStream[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
    "\"content\":\"Let me \"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"look.\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"search_"
    "\",\"arguments\":\"\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"function\":{\"name\":\"products\",\"arguments\":\"{\\\"query\\\"\"}}]}}"
    "]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,"
    "\"id\":\"call_b\",\"function\":{\"name\":\"show_cart\",\"arguments\":"
    "\"{}\"}},{\"index\":0,\"function\":{\"arguments\":\": \\\"tea\\\"}\"}}]}}"
    "]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_"
    "calls\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":31,\"completion_"
    "tokens\":12}}\n\n"
    "data: [DONE]\n\n";

ModelReply Assemble(const std::string& stream, size_t cut, std::string* text) {
  SseParser parser;
  ChatStream chat;
  auto feed = [&](const std::string& piece) {
    parser.Feed(piece, [&](const std::string& data) {
      absl::StatusOr<std::string> delta = chat.Apply(data);
      ASSERT_TRUE(delta.ok()) << delta.status();
      *text += *delta;
    });
  };
  feed(stream.substr(0, cut));
  feed(stream.substr(cut));
  EXPECT_TRUE(chat.done());
  return chat.Finish();
}

TEST(ChatStream, AssemblesTextAndToolCallsSplitAnywhere) {
  const std::string stream = kStream;
  for (size_t cut = 0; cut <= stream.size(); cut += 7) {
    std::string text;
    ModelReply reply = Assemble(stream, cut, &text);
    EXPECT_EQ(text, "Let me look.");
    EXPECT_EQ(reply.content, "Let me look.");
    ASSERT_EQ(reply.tool_calls.size(), 2u) << cut;
    EXPECT_EQ(reply.tool_calls[0].id, "call_a");
    EXPECT_EQ(reply.tool_calls[0].name, "search_products");
    EXPECT_EQ(reply.tool_calls[0].arguments, "{\"query\": \"tea\"}");
    EXPECT_EQ(reply.tool_calls[1].name, "show_cart");
    EXPECT_EQ(reply.finish_reason, "tool_calls");
    EXPECT_EQ(reply.prompt_tokens, 31);
    EXPECT_EQ(reply.completion_tokens, 12);
  }
}

TEST(ChatStream, MalformedAndErrorEventsAreUnavailable) {
  for (const char* bad :
       {"{not json", "[1,2]", "{\"error\":{\"message\":\"overloaded\"}}",
        "{\"choices\":[7]}",
        "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":99}]}}]}",
        "{\"choices\":[{\"delta\":{\"tool_calls\":[5]}}]}"}) {
    ChatStream chat;
    EXPECT_EQ(chat.Apply(bad).status().code(), absl::StatusCode::kUnavailable)
        << bad;
  }
  ChatStream chat;
  absl::StatusOr<std::string> failed =
      chat.Apply("{\"error\":{\"message\":\"overloaded\"}}");
  EXPECT_NE(failed.status().message().find("overloaded"), std::string::npos);
  // Odd but harmless shapes are ignored.
  EXPECT_TRUE(chat.Apply("{\"choices\":[{\"delta\":null}]}").ok());
  EXPECT_TRUE(chat.Apply("{\"choices\":[{\"delta\":{\"content\":5}}]}").ok());
}

TEST(ChatStream, AnAnswerPastTheBoundsIsRefused) {
  ChatStream chat;
  const std::string big(kMaxReplyTextBytes, 'x');
  json chunk = {{"choices", {{{"delta", {{"content", big}}}}}}};
  EXPECT_TRUE(chat.Apply(chunk.dump()).ok());
  chunk["choices"][0]["delta"]["content"] = "y";
  EXPECT_EQ(chat.Apply(chunk.dump()).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(ParseCompletion, ReadsAWholeAnswer) {
  absl::StatusOr<ModelReply> reply = ParseCompletion(R"({
    "choices": [{"message": {"role": "assistant", "content": null,
      "tool_calls": [{"id": "c1", "type": "function",
        "function": {"name": "view_order", "arguments": {"order_id": 5}}}]},
      "finish_reason": "tool_calls"}],
    "usage": {"prompt_tokens": 10, "completion_tokens": 3}})");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->content, "");
  ASSERT_EQ(reply->tool_calls.size(), 1u);
  EXPECT_EQ(reply->tool_calls[0].arguments, "{\"order_id\":5}");
  EXPECT_EQ(reply->prompt_tokens, 10);
  EXPECT_EQ(ParseCompletion("{}").status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ParseCompletion("<html>").status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(ErrorMessageOf, ReadsBothShapesAndCutsLongOnes) {
  EXPECT_EQ(ErrorMessageOf(R"({"error":{"message":"bad model"}})"),
            "bad model");
  EXPECT_EQ(ErrorMessageOf(R"({"error":"busy"})"), "busy");
  EXPECT_EQ(ErrorMessageOf("Bad Gateway"), "");
  EXPECT_EQ(
      ErrorMessageOf(json({{"error", std::string(300, 'e')}}).dump()).size(),
      203u);
}

}  // namespace
}  // namespace tokkit::assistant
