// Server-sent events (the WHATWG event-stream format), as chat completion
// streams use it: bytes in, in whatever pieces the network delivers, each
// event's data out once its blank line arrives.
#ifndef TOKKIT_LIB_ASSISTANT_SSE_H_
#define TOKKIT_LIB_ASSISTANT_SSE_H_

#include <cstddef>
#include <functional>
#include <string>

#include "absl/strings/string_view.h"

namespace tokkit::assistant {

class SseParser {
 public:
  // Events larger than this are cut off: a server cannot make the client
  // buffer without bound.
  explicit SseParser(size_t max_event_bytes = size_t{4} << 20)
      : max_event_bytes_(max_event_bytes) {}

  // Feeds the next bytes; `on_event` gets each complete event's data (its
  // data lines joined by '\n'). Events without data lines are skipped.
  // Returns false once an event exceeded the limit (the stream is bad).
  bool Feed(absl::string_view bytes,
            const std::function<void(const std::string& data)>& on_event);

 private:
  void Line(absl::string_view line,
            const std::function<void(const std::string&)>& on_event);

  const size_t max_event_bytes_;
  std::string line_;  // the unfinished line
  std::string data_;  // the event's data so far
  bool has_data_ = false;
  bool after_cr_ = false;  // a '\r' ended the last line; skip a '\n' next
  bool overflow_ = false;
};

}  // namespace tokkit::assistant

#endif  // TOKKIT_LIB_ASSISTANT_SSE_H_
