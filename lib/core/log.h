// tokkit's logging: one line per event, as key=value text or JSON, with the
// request id, trace id and user id of the request the thread is serving
// (lib/core/request_context.h). Domain code depends on this header only; the
// sink is spdlog (Debian's libspdlog), configured once by the binary.
//
//   log::Warning("outbox_poll_failed", {{"relay", name}, {"error", status}});
//
// Every event is counted by (level, event) whether or not its line is written
// (see EventCounts, exported as a metric), and each event name may write at
// most `max_lines_per_second` lines: a client that can trigger a log line
// cannot flood the log. Never log secrets: passwords, tokens, TOTP secrets or
// credentials in URLs (RedactUrl strips those).
#ifndef TOKKIT_LIB_CORE_LOG_H_
#define TOKKIT_LIB_CORE_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace tokkit::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };
enum class Format { kText, kJson };

absl::string_view LevelName(Level level);
absl::StatusOr<Level> ParseLevel(absl::string_view name);
absl::StatusOr<Format> ParseFormat(absl::string_view name);

struct Options {
  Level min_level = Level::kInfo;
  Format format = Format::kText;
  std::string file;               // append to this file; empty: stderr
  int max_lines_per_second = 20;  // per event name; 0: no limit
};

// Process-wide; call at startup. Until then: text, info, stderr.
absl::Status Configure(const Options& options);

class Field {
 public:
  Field(absl::string_view key, const absl::AlphaNum& value)
      : key_(key), value_(value.Piece()) {}
  Field(absl::string_view key, const absl::Status& status)
      : key_(key), value_(status.ToString()) {}
  absl::string_view key() const { return key_; }
  absl::string_view value() const { return value_; }

 private:
  absl::string_view key_;
  std::string value_;
};

void Write(Level level, absl::string_view event,
           std::initializer_list<Field> fields = {});
bool Enabled(Level level);

inline void Debug(absl::string_view event,
                  std::initializer_list<Field> fields = {}) {
  Write(Level::kDebug, event, fields);  // counted even when not written
}
inline void Info(absl::string_view event,
                 std::initializer_list<Field> fields = {}) {
  Write(Level::kInfo, event, fields);
}
inline void Warning(absl::string_view event,
                    std::initializer_list<Field> fields = {}) {
  Write(Level::kWarning, event, fields);
}
inline void Error(absl::string_view event,
                  std::initializer_list<Field> fields = {}) {
  Write(Level::kError, event, fields);
}

struct EventCount {
  Level level;
  std::string event;
  int64_t count;
};
// Every event logged since start (written or rate-limited), for metrics.
std::vector<EventCount> EventCounts();

// "postgresql://user:secret@host/db" -> "postgresql://user:***@host/db";
// also masks password=... in libpq keyword strings and ?password= queries.
std::string RedactUrl(absl::string_view url);

// Tests: collects every line written while alive (in addition to the sink).
class ScopedCapture {
 public:
  ScopedCapture();
  ~ScopedCapture();
  std::vector<std::string> lines() const;
  bool Contains(absl::string_view text) const;
};

}  // namespace tokkit::log

#endif  // TOKKIT_LIB_CORE_LOG_H_
