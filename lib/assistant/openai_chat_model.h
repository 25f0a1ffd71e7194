// A ChatModel over any OpenAI-compatible server (OpenAI, vLLM, Ollama,
// llama.cpp's server): POST <base_url>/v1/chat/completions, streamed, with
// tools. libcurl does HTTP; openai_wire.h the format.
#ifndef TOKKIT_LIB_ASSISTANT_OPENAI_CHAT_MODEL_H_
#define TOKKIT_LIB_ASSISTANT_OPENAI_CHAT_MODEL_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "lib/assistant/model.h"

namespace tokkit::assistant {

struct OpenAiOptions {
  std::string base_url;  // e.g. http://127.0.0.1:8080 or https://api.openai.com
  std::string model;
  std::string api_key;  // sent as a bearer token; never logged or returned
  absl::Duration connect_timeout = absl::Seconds(5);
  // The whole answer, streamed or not.
  absl::Duration request_timeout = absl::Seconds(120);
  // A stream that sends nothing for this long is given up.
  absl::Duration idle_timeout = absl::Seconds(30);
  // Attempts on 429, 5xx and network failures before any text arrived;
  // waits double from initial_backoff, honouring Retry-After up to 10 s.
  int max_attempts = 3;
  absl::Duration initial_backoff = absl::Milliseconds(250);
  int max_tokens = 1024;  // per answer
};

// INVALID_ARGUMENT for a base URL that is not http(s).
absl::StatusOr<std::unique_ptr<ChatModel>> NewOpenAiChatModel(
    OpenAiOptions options);

}  // namespace tokkit::assistant

#endif  // TOKKIT_LIB_ASSISTANT_OPENAI_CHAT_MODEL_H_
