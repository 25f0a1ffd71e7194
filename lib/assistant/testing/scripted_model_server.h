// A scripted OpenAI-compatible chat server on loopback, for tests: each
// request to /v1/chat/completions gets the next scripted answer (streamed
// in the pieces the script gives, with pauses), or an HTTP error, or
// silence. The real client, parser and loop run against it; it records the
// request bodies it got.
#ifndef TOKKIT_LIB_ASSISTANT_TESTING_SCRIPTED_MODEL_SERVER_H_
#define TOKKIT_LIB_ASSISTANT_TESTING_SCRIPTED_MODEL_SERVER_H_

#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace tokkit::assistant::testing {

struct ScriptedAnswer {
  int status = 200;
  std::string content_type = "text/event-stream";
  // Written one after another, `pause` apart (so a stream can be split
  // anywhere, even inside an event or a UTF-8 character).
  std::vector<std::string> pieces;
  absl::Duration pause = absl::ZeroDuration();
  std::string retry_after;  // a Retry-After header when set
  // Only for a request whose last message contains this (the user's
  // question, or a tool's result); empty: any request. The server answers
  // with the first queued answer that matches.
  std::string when_last_message_contains;

  // Chunks of a streamed answer saying `text` (split every `split` bytes)
  // and then asking for `tool_calls` (name, arguments JSON), ending with a
  // usage chunk and [DONE].
  static ScriptedAnswer Stream(
      const std::string& text,
      const std::vector<std::pair<std::string, std::string>>& tool_calls = {},
      size_t split = 0, int completion_tokens = 10);
  static ScriptedAnswer Error(int status, const std::string& message);
  // Accepts the request and says nothing for `for_how_long`.
  static ScriptedAnswer Silence(absl::Duration for_how_long);
};

class ScriptedModelServer {
 public:
  static std::unique_ptr<ScriptedModelServer> Start();
  ~ScriptedModelServer();

  std::string base_url() const;
  void Push(ScriptedAnswer answer);
  // Pushes `answer` for requests whose last message contains `text`.
  void PushFor(const std::string& text, ScriptedAnswer answer);
  // The request bodies received so far, and their Authorization headers.
  std::vector<std::string> requests() const;
  std::vector<std::string> authorizations() const;
  // Requests that found no scripted answer (answered 500).
  int unscripted() const;

 private:
  ScriptedModelServer() = default;
  void Serve();

  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  int port_ = 0;
  mutable absl::Mutex mu_;
  std::deque<ScriptedAnswer> script_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> requests_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> authorizations_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int unscripted_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tokkit::assistant::testing

#endif  // TOKKIT_LIB_ASSISTANT_TESTING_SCRIPTED_MODEL_SERVER_H_
