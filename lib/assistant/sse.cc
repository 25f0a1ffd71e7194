#include "lib/assistant/sse.h"

#include "absl/strings/match.h"

namespace tokkit::assistant {

bool SseParser::Feed(
    absl::string_view bytes,
    const std::function<void(const std::string& data)>& on_event) {
  for (char c : bytes) {
    if (overflow_) return false;
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') continue;  // "\r\n" is one line break
    }
    if (c == '\r' || c == '\n') {
      after_cr_ = c == '\r';
      Line(line_, on_event);
      line_.clear();
      continue;
    }
    line_.push_back(c);
    if (line_.size() + data_.size() > max_event_bytes_) overflow_ = true;
  }
  return !overflow_;
}

void SseParser::Line(absl::string_view line,
                     const std::function<void(const std::string&)>& on_event) {
  if (line.empty()) {  // the event is complete
    if (has_data_) on_event(data_);
    data_.clear();
    has_data_ = false;
    return;
  }
  if (line[0] == ':') return;  // a comment (keep-alive)
  absl::string_view field = line, value;
  if (const size_t colon = line.find(':'); colon != absl::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (absl::StartsWith(value, " ")) value.remove_prefix(1);
  }
  if (field != "data") return;  // event, id, retry: not used here
  if (has_data_) data_.push_back('\n');
  data_.append(value.data(), value.size());
  has_data_ = true;
}

}  // namespace tokkit::assistant
