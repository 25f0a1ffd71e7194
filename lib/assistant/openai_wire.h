// The OpenAI chat-completions wire format (POST /v1/chat/completions with
// `tools`, answered as a stream of `chat.completion.chunk` events or one
// `chat.completion`), which OpenAI, vLLM, Ollama and llama.cpp's server all
// speak. Pure: no I/O, so every odd split and malformed piece is tested.
#ifndef TOKKIT_LIB_ASSISTANT_OPENAI_WIRE_H_
#define TOKKIT_LIB_ASSISTANT_OPENAI_WIRE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/assistant/model.h"

namespace tokkit::assistant {

// Bounds on what a model's answer may hold.
inline constexpr size_t kMaxReplyTextBytes = size_t{1} << 20;
inline constexpr size_t kMaxToolCallsPerReply = 16;
inline constexpr size_t kMaxToolArgumentBytes = 64 << 10;

// The request body. `stream` asks for chunks and a final usage chunk.
std::string ChatRequestBody(const std::string& model,
                            const std::vector<ChatMessage>& messages,
                            const std::vector<ToolSpec>& tools, bool stream,
                            int max_tokens);

// Assembles one streamed answer from its events' data.
class ChatStream {
 public:
  // Applies one event's data: returns the text it adds (often empty).
  // UNAVAILABLE for malformed JSON, an error object, or an answer past the
  // bounds above.
  absl::StatusOr<std::string> Apply(const std::string& data);
  // "[DONE]" arrived.
  bool done() const { return done_; }
  // The whole answer (tool calls by their index).
  ModelReply Finish() const;

 private:
  ModelReply reply_;
  std::map<int, ToolCall> calls_;
  size_t argument_bytes_ = 0;
  bool done_ = false;
};

// A non-streamed answer (a server that ignored `stream`).
absl::StatusOr<ModelReply> ParseCompletion(const std::string& body);

// The error message a failed request's body carries ({"error": {"message":
// ...}} or {"error": "..."}), cut to 200 characters; "" when none.
std::string ErrorMessageOf(const std::string& body);

}  // namespace tokkit::assistant

#endif  // TOKKIT_LIB_ASSISTANT_OPENAI_WIRE_H_
