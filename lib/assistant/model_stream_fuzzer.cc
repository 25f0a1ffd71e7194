// What a model server streams is untrusted: any bytes, split anywhere, go
// through the event-stream parser and the chunk assembler without a crash,
// and tool arguments through their schema check.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lib/assistant/openai_wire.h"
#include "lib/assistant/sse.h"
#include "lib/assistant/tool_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tokkit::assistant;  // NOLINT(google-build-using-namespace)
  const std::string text(reinterpret_cast<const char*>(data), size);
  const size_t cut = size == 0 ? 0 : data[0] % (size + 1);
  SseParser parser(1 << 16);
  ChatStream chat;
  bool failed = false;
  auto on_event = [&](const std::string& event) {
    if (failed) return;
    absl::StatusOr<std::string> delta = chat.Apply(event);
    if (!delta.ok()) failed = true;
  };
  parser.Feed(absl::string_view(text).substr(0, cut), on_event);
  parser.Feed(absl::string_view(text).substr(cut), on_event);
  const ModelReply reply = chat.Finish();
  if (reply.tool_calls.size() > kMaxToolCallsPerReply) std::abort();
  (void)ParseCompletion(text);
  (void)ErrorMessageOf(text);
  const ToolSchema schema = {
      {"order_id", Param::Type::kInteger, "", true, 1},
      {"query", Param::Type::kString, "", false, 0, INT64_MAX, 10},
      {"flag", Param::Type::kBoolean, ""}};
  absl::StatusOr<ToolArgs> args = ParseArguments(schema, text);
  if (args.ok() &&
      (args->Int("order_id") < 1 || args->String("query").size() > 10)) {
    std::abort();
  }
  return 0;
}
