#include "lib/assistant/openai_wire.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace tokkit::assistant {
namespace {

using nlohmann::json;

absl::Status Malformed(absl::string_view what) {
  return absl::UnavailableError(
      absl::StrCat("the model server sent a malformed answer: ", what));
}

// A JSON string member, or "" when absent or not a string.
std::string StringAt(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

int64_t IntAt(const json& object, const char* key) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return 0;
  return it->get<int64_t>();
}

absl::Status CheckBounds(const ModelReply& reply, size_t calls,
                         size_t argument_bytes) {
  if (reply.content.size() > kMaxReplyTextBytes) {
    return Malformed("the text is over 1 MiB");
  }
  if (calls > kMaxToolCallsPerReply) {
    return Malformed(absl::StrCat("more than ", kMaxToolCallsPerReply,
                                  " tool calls in one answer"));
  }
  if (argument_bytes > kMaxToolArgumentBytes * kMaxToolCallsPerReply) {
    return Malformed("tool arguments are over the limit");
  }
  return absl::OkStatus();
}

}  // namespace

std::string ChatRequestBody(const std::string& model,
                            const std::vector<ChatMessage>& messages,
                            const std::vector<ToolSpec>& tools, bool stream,
                            int max_tokens) {
  json body = {{"model", model}, {"stream", stream}};
  if (stream) body["stream_options"] = {{"include_usage", true}};
  if (max_tokens > 0) body["max_tokens"] = max_tokens;
  json& out = body["messages"] = json::array();
  for (const ChatMessage& m : messages) {
    json message = {{"role", RoleName(m.role)}, {"content", m.content}};
    if (!m.tool_calls.empty()) {
      json& calls = message["tool_calls"] = json::array();
      for (const ToolCall& c : m.tool_calls) {
        calls.push_back(
            {{"id", c.id},
             {"type", "function"},
             {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
      }
    }
    if (m.role == Role::kTool) message["tool_call_id"] = m.tool_call_id;
    out.push_back(std::move(message));
  }
  if (!tools.empty()) {
    json& specs = body["tools"] = json::array();
    for (const ToolSpec& t : tools) {
      json parameters = json::parse(t.parameters, nullptr, false);
      if (parameters.is_discarded()) parameters = json::object();
      specs.push_back({{"type", "function"},
                       {"function",
                        {{"name", t.name},
                         {"description", t.description},
                         {"parameters", std::move(parameters)}}}});
    }
  }
  // Invalid UTF-8 in a message (a product name, a user's text) is replaced
  // rather than failing the whole request.
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

absl::StatusOr<std::string> ChatStream::Apply(const std::string& data) {
  if (data == "[DONE]") {
    done_ = true;
    return std::string();
  }
  json chunk = json::parse(data, nullptr, false);
  if (chunk.is_discarded() || !chunk.is_object()) {
    return Malformed("an event is not a JSON object");
  }
  if (auto error = chunk.find("error"); error != chunk.end()) {
    return absl::UnavailableError(absl::StrCat(
        "the model server failed mid-answer: ", ErrorMessageOf(data)));
  }
  if (auto usage = chunk.find("usage");
      usage != chunk.end() && usage->is_object()) {
    reply_.prompt_tokens = IntAt(*usage, "prompt_tokens");
    reply_.completion_tokens = IntAt(*usage, "completion_tokens");
  }
  auto choices = chunk.find("choices");
  if (choices == chunk.end() || !choices->is_array() || choices->empty()) {
    return std::string();  // e.g. the usage chunk
  }
  const json& choice = (*choices)[0];
  if (!choice.is_object()) return Malformed("a choice is not an object");
  if (std::string reason = StringAt(choice, "finish_reason"); !reason.empty()) {
    reply_.finish_reason = reason;
  }
  auto delta = choice.find("delta");
  if (delta == choice.end() || !delta->is_object()) return std::string();
  std::string text = StringAt(*delta, "content");
  reply_.content += text;
  if (auto calls = delta->find("tool_calls");
      calls != delta->end() && calls->is_array()) {
    for (const json& piece : *calls) {
      if (!piece.is_object()) return Malformed("a tool call is not an object");
      const int index = static_cast<int>(
          piece.contains("index") && piece["index"].is_number_integer()
              ? piece["index"].get<int64_t>()
              : static_cast<int64_t>(calls_.size()));
      if (index < 0 || index >= static_cast<int>(kMaxToolCallsPerReply)) {
        return Malformed("a tool call index is out of range");
      }
      ToolCall& call = calls_[index];
      if (std::string id = StringAt(piece, "id"); !id.empty()) call.id = id;
      if (auto function = piece.find("function");
          function != piece.end() && function->is_object()) {
        call.name += StringAt(*function, "name");
        const std::string args = StringAt(*function, "arguments");
        call.arguments += args;
        argument_bytes_ += args.size();
      }
    }
  }
  if (absl::Status st = CheckBounds(reply_, calls_.size(), argument_bytes_);
      !st.ok()) {
    return st;
  }
  return text;
}

ModelReply ChatStream::Finish() const {
  ModelReply out = reply_;
  for (const auto& [index, call] : calls_) out.tool_calls.push_back(call);
  return out;
}

absl::StatusOr<ModelReply> ParseCompletion(const std::string& body) {
  json answer = json::parse(body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) {
    return Malformed("the answer is not a JSON object");
  }
  auto choices = answer.find("choices");
  if (choices == answer.end() || !choices->is_array() || choices->empty() ||
      !(*choices)[0].is_object()) {
    return Malformed("the answer has no choices");
  }
  const json& choice = (*choices)[0];
  ModelReply reply;
  reply.finish_reason = StringAt(choice, "finish_reason");
  auto message = choice.find("message");
  if (message == choice.end() || !message->is_object()) {
    return Malformed("the choice has no message");
  }
  reply.content = StringAt(*message, "content");
  size_t argument_bytes = 0;
  if (auto calls = message->find("tool_calls");
      calls != message->end() && calls->is_array()) {
    for (const json& c : *calls) {
      if (!c.is_object()) return Malformed("a tool call is not an object");
      ToolCall call;
      call.id = StringAt(c, "id");
      if (auto f = c.find("function"); f != c.end() && f->is_object()) {
        call.name = StringAt(*f, "name");
        // Some servers send arguments as an object rather than its text.
        auto args = f->find("arguments");
        if (args != f->end()) {
          call.arguments =
              args->is_string() ? args->get<std::string>() : args->dump();
        }
      }
      argument_bytes += call.arguments.size();
      reply.tool_calls.push_back(std::move(call));
    }
  }
  if (auto usage = answer.find("usage");
      usage != answer.end() && usage->is_object()) {
    reply.prompt_tokens = IntAt(*usage, "prompt_tokens");
    reply.completion_tokens = IntAt(*usage, "completion_tokens");
  }
  if (absl::Status st =
          CheckBounds(reply, reply.tool_calls.size(), argument_bytes);
      !st.ok()) {
    return st;
  }
  return reply;
}

std::string ErrorMessageOf(const std::string& body) {
  json answer = json::parse(body, nullptr, false);
  std::string message;
  if (!answer.is_discarded() && answer.is_object()) {
    auto error = answer.find("error");
    if (error != answer.end()) {
      message = error->is_string() ? error->get<std::string>()
                                   : StringAt(*error, "message");
    }
  }
  if (message.size() > 200) message = message.substr(0, 200) + "...";
  return message;
}

}  // namespace tokkit::assistant
