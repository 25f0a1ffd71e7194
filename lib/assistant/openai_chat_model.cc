#include "lib/assistant/openai_chat_model.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "lib/assistant/openai_wire.h"
#include "lib/assistant/sse.h"

namespace tokkit::assistant {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One attempt's state, shared with curl's callbacks.
struct Exchange {
  const TextDeltaFn* on_delta = nullptr;
  long status = 0;
  bool started = false;    // body bytes arrived
  bool streaming = false;  // text/event-stream
  std::string content_type;
  std::string retry_after;
  std::string body;  // a non-streamed answer or an error body
  SseParser sse;
  ChatStream chat;
  absl::Status failure;  // set by the write callback to stop the transfer
  bool delivered_text = false;
};

size_t OnHeader(char* data, size_t size, size_t n, void* self) {
  Exchange* x = static_cast<Exchange*>(self);
  absl::string_view line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    const std::string name = absl::AsciiStrToLower(line.substr(0, colon));
    const absl::string_view value =
        absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (name == "content-type") x->content_type = std::string(value);
    if (name == "retry-after") x->retry_after = std::string(value);
  }
  return size * n;
}

size_t OnBody(char* data, size_t size, size_t n, void* self) {
  Exchange* x = static_cast<Exchange*>(self);
  const size_t bytes = size * n;
  if (!x->started) {
    // The first body bytes: the status and headers are in.
    x->started = true;
    x->streaming =
        x->content_type.find("text/event-stream") != std::string::npos;
  }
  if (!x->streaming) {
    if (x->body.size() + bytes > kMaxReplyTextBytes * 2) {
      x->failure = absl::UnavailableError("the model's answer is too large");
      return 0;  // aborts the transfer
    }
    x->body.append(data, bytes);
    return bytes;
  }
  const bool ok = x->sse.Feed(
      absl::string_view(data, bytes), [&](const std::string& event) {
        if (!x->failure.ok()) return;
        absl::StatusOr<std::string> delta = x->chat.Apply(event);
        if (!delta.ok()) {
          x->failure = delta.status();
        } else if (!delta->empty()) {
          x->delivered_text = true;
          if (*x->on_delta) (*x->on_delta)(*delta);
        }
      });
  if (!ok && x->failure.ok()) {
    x->failure = absl::UnavailableError("the model sent an oversized event");
  }
  return x->failure.ok() ? bytes : 0;
}

bool Retryable(long status) { return status == 429 || status >= 500; }

class OpenAiChatModel : public ChatModel {
 public:
  explicit OpenAiChatModel(OpenAiOptions options)
      : options_(std::move(options)) {
    GlobalInit();
    url_ = absl::StrCat(absl::StripSuffix(options_.base_url, "/"),
                        "/v1/chat/completions");
  }

  absl::StatusOr<ModelReply> Complete(const std::vector<ChatMessage>& messages,
                                      const std::vector<ToolSpec>& tools,
                                      const TextDeltaFn& on_delta) override {
    const std::string body =
        ChatRequestBody(options_.model, messages, tools,
                        /*stream=*/true, options_.max_tokens);
    absl::Duration backoff = options_.initial_backoff;
    absl::Status last;
    for (int attempt = 1; attempt <= std::max(1, options_.max_attempts);
         ++attempt) {
      Exchange x;
      x.on_delta = &on_delta;
      absl::StatusOr<ModelReply> reply = Attempt(body, &x);
      if (reply.ok()) return reply;
      last = reply.status();
      // Text already shown to the user cannot be taken back: no retry then.
      const bool again = !x.delivered_text && (absl::IsUnavailable(last) ||
                                               absl::IsResourceExhausted(last));
      if (!again || attempt == options_.max_attempts) break;
      absl::Duration wait = backoff;
      int64_t seconds = 0;
      if (absl::SimpleAtoi(x.retry_after, &seconds) && seconds >= 0) {
        wait = std::min(absl::Seconds(seconds), absl::Seconds(10));
      }
      absl::SleepFor(wait);
      backoff *= 2;
    }
    return last;
  }

 private:
  absl::StatusOr<ModelReply> Attempt(const std::string& body, Exchange* x) {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return absl::ResourceExhaustedError("curl_easy_init");
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: text/event-stream");
    headers = curl_slist_append(headers, "Expect:");
    if (!options_.api_key.empty()) {
      headers = curl_slist_append(
          headers,
          absl::StrCat("Authorization: Bearer ", options_.api_key).c_str());
    }
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(
        curl, CURLOPT_CONNECTTIMEOUT_MS,
        static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
    curl_easy_setopt(
        curl, CURLOPT_TIMEOUT_MS,
        static_cast<long>(absl::ToInt64Milliseconds(options_.request_timeout)));
    // Idle: under 1 byte/s for idle_timeout.
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(std::max<int64_t>(
                         1, absl::ToInt64Seconds(options_.idle_timeout))));
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, x);
    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    x->status = status;
    if (!x->failure.ok()) return x->failure;
    if (code == CURLE_OPERATION_TIMEDOUT) {
      return absl::DeadlineExceededError(
          "the model server did not answer in time");
    }
    if (code != CURLE_OK) {
      return absl::UnavailableError(absl::StrCat(
          "cannot reach the model server: ", curl_easy_strerror(code)));
    }
    if (status != 200) {
      std::string said = ErrorMessageOf(x->body);
      // A server may echo the request's key back; it goes no further.
      if (!options_.api_key.empty()) {
        said = absl::StrReplaceAll(said, {{options_.api_key, "***"}});
      }
      const std::string detail =
          absl::StrCat("the model server answered HTTP ", status,
                       said.empty() ? "" : ": ", said);
      if (status == 429) return absl::ResourceExhaustedError(detail);
      if (Retryable(status)) return absl::UnavailableError(detail);
      return absl::FailedPreconditionError(
          absl::StrCat(detail,
                       " (check --assistant_url, --assistant_model and the API "
                       "key)"));
    }
    if (!x->streaming) return ParseCompletion(x->body);
    if (!x->chat.done()) {
      // Some servers end without [DONE]; an answer that stopped mid-way
      // has no finish reason.
      ModelReply reply = x->chat.Finish();
      if (reply.finish_reason.empty()) {
        return absl::UnavailableError("the model's answer was cut off");
      }
      return reply;
    }
    return x->chat.Finish();
  }

  const OpenAiOptions options_;
  std::string url_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ChatModel>> NewOpenAiChatModel(
    OpenAiOptions options) {
  if (!absl::StartsWith(options.base_url, "http://") &&
      !absl::StartsWith(options.base_url, "https://")) {
    return absl::InvalidArgumentError(
        "--assistant_url must be an http:// or https:// base URL, e.g. "
        "http://127.0.0.1:8080 for llama.cpp's server");
  }
  if (options.model.empty()) {
    return absl::InvalidArgumentError("--assistant_model is required");
  }
  return std::unique_ptr<ChatModel>(new OpenAiChatModel(std::move(options)));
}

}  // namespace tokkit::assistant
