#include "lib/core/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "lib/core/request_context.h"

namespace tokkit::log {
namespace {

constexpr size_t kMaxValueBytes = 2048;

// Lines written while a ScopedCapture lives also land here.
class CaptureSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.emplace_back(msg.payload.data(), msg.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

struct Bucket {
  absl::Time window_start;
  int written = 0;
  int64_t suppressed = 0;
};

class State {
 public:
  static State& Get() {
    static State* const state = new State();
    return *state;
  }

  State() { Install(Options{}, stderr_sink()).IgnoreError(); }

  absl::Status Install(const Options& options,
                       std::shared_ptr<spdlog::sinks::sink> sink) {
    absl::MutexLock lock(&mu_);
    options_ = options;
    sink_ = std::move(sink);
    Rebuild();
    min_level_.store(static_cast<int>(options.min_level));
    return absl::OkStatus();
  }

  // Loggers are immutable once built (spdlog's sink list is not
  // thread-safe to change); a new one replaces the old.
  void Rebuild() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::vector<spdlog::sink_ptr> sinks{sink_};
    if (capture_ != nullptr) sinks.push_back(capture_);
    auto logger =
        std::make_shared<spdlog::logger>("tokkit", sinks.begin(), sinks.end());
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::trace);
    logger->flush_on(spdlog::level::trace);
    logger_ = std::move(logger);
  }

  std::shared_ptr<spdlog::sinks::sink> stderr_sink() {
    return std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }

  bool Enabled(Level level) const {
    return static_cast<int>(level) >= min_level_.load();
  }

  // Counts the event and decides whether its line is written; returns how
  // many earlier lines of the event were suppressed (to report them).
  bool Admit(Level level, absl::string_view event, int64_t* suppressed) {
    absl::MutexLock lock(&mu_);
    counts_[{static_cast<int>(level), std::string(event)}]++;
    if (!Enabled(level)) return false;
    if (options_.max_lines_per_second <= 0) return true;
    const absl::Time now = absl::Now();
    Bucket& b = buckets_[event];
    if (now - b.window_start >= absl::Seconds(1)) {
      b.window_start = now;
      b.written = 0;
    }
    if (b.written >= options_.max_lines_per_second) {
      ++b.suppressed;
      return false;
    }
    ++b.written;
    *suppressed = b.suppressed;
    b.suppressed = 0;
    return true;
  }

  void Emit(const std::string& line) {
    std::shared_ptr<spdlog::logger> logger;
    {
      absl::MutexLock lock(&mu_);
      logger = logger_;
    }
    logger->info(line);
  }

  Format format() {
    absl::MutexLock lock(&mu_);
    return options_.format;
  }

  std::vector<EventCount> Counts() {
    absl::MutexLock lock(&mu_);
    std::vector<EventCount> out;
    for (const auto& [key, n] : counts_) {
      out.push_back({static_cast<Level>(key.first), key.second, n});
    }
    return out;
  }

  std::shared_ptr<CaptureSink> StartCapture() {
    absl::MutexLock lock(&mu_);
    capture_ = std::make_shared<CaptureSink>();
    Rebuild();
    return capture_;
  }

  void StopCapture() {
    absl::MutexLock lock(&mu_);
    capture_.reset();
    Rebuild();
  }

  std::shared_ptr<CaptureSink> capture() {
    absl::MutexLock lock(&mu_);
    return capture_;
  }

 private:
  absl::Mutex mu_;
  Options options_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<spdlog::sinks::sink> sink_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<spdlog::logger> logger_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<CaptureSink> capture_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::pair<int, std::string>, int64_t> counts_
      ABSL_GUARDED_BY(mu_);
  std::atomic<int> min_level_{static_cast<int>(Level::kInfo)};
};

bool NeedsQuotes(absl::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= ' ' || c == '"' || c == '=' || c == '\\' || u == 0x7f) return true;
  }
  return false;
}

// Escapes for both formats: quotes, backslashes and control characters, so
// a value can never start a new line or field.
void AppendEscaped(std::string* out, absl::string_view v) {
  if (v.size() > kMaxValueBytes) v = v.substr(0, kMaxValueBytes);
  for (char c : v) {
    const unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          absl::StrAppend(out, "\\u00", absl::Hex(u, absl::kZeroPad2));
        } else {
          out->push_back(c);
        }
    }
  }
}

void AppendText(std::string* out, absl::string_view key,
                absl::string_view value) {
  absl::StrAppend(out, " ", key, "=");
  if (NeedsQuotes(value)) {
    out->push_back('"');
    AppendEscaped(out, value);
    out->push_back('"');
  } else {
    AppendEscaped(out, value);
  }
}

void AppendJson(std::string* out, absl::string_view key,
                absl::string_view value) {
  absl::StrAppend(out, ",\"");
  AppendEscaped(out, key);
  absl::StrAppend(out, "\":\"");
  AppendEscaped(out, value);
  out->push_back('"');
}

std::string TraceIdOf(absl::string_view traceparent) {
  return IsValidTraceparent(traceparent)
             ? std::string(traceparent.substr(3, 32))
             : "";
}

}  // namespace

absl::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

absl::StatusOr<Level> ParseLevel(absl::string_view name) {
  const std::string n = absl::AsciiStrToLower(name);
  if (n == "debug") return Level::kDebug;
  if (n == "info") return Level::kInfo;
  if (n == "warning" || n == "warn") return Level::kWarning;
  if (n == "error") return Level::kError;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown log level '", name,
                   "' (expected debug, info, warning or error)"));
}

absl::StatusOr<Format> ParseFormat(absl::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown log format '", name, "' (expected text or json)"));
}

absl::Status Configure(const Options& options) {
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (options.file.empty()) {
    sink = State::Get().stderr_sink();
  } else {
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file);
    } catch (const std::exception& e) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot open log file ", options.file, ": ", e.what()));
    }
  }
  return State::Get().Install(options, std::move(sink));
}

bool Enabled(Level level) { return State::Get().Enabled(level); }

void Write(Level level, absl::string_view event,
           std::initializer_list<Field> fields) {
  State& state = State::Get();
  int64_t suppressed = 0;
  // Counted even below the level: quiet events are still metrics.
  if (!state.Admit(level, event, &suppressed)) return;
  if (!state.Enabled(level)) return;
  const std::string ts = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                          absl::UTCTimeZone());
  const RequestContext* request = CurrentRequest();
  std::string line;
  auto add = state.format() == Format::kJson ? AppendJson : AppendText;
  if (state.format() == Format::kJson) {
    absl::StrAppend(&line, "{\"ts\":\"", ts, "\",\"level\":\"",
                    LevelName(level), "\",\"event\":\"");
    AppendEscaped(&line, event);
    line.push_back('"');
  } else {
    absl::StrAppend(&line, ts, " ", LevelName(level), " ");
    AppendEscaped(&line, event);
  }
  if (request != nullptr) {
    // An event's own field wins over the call's (one key per line: JSON
    // readers keep only one of duplicates, and not always the same one).
    auto named = [&](absl::string_view key) {
      return std::any_of(fields.begin(), fields.end(),
                         [&](const Field& f) { return f.key() == key; });
    };
    if (!request->request_id.empty() && !named("request_id"))
      add(&line, "request_id", request->request_id);
    const std::string trace = TraceIdOf(request->traceparent);
    if (!trace.empty() && !named("trace_id")) add(&line, "trace_id", trace);
    if (request->user_id != 0 && !named("user_id")) {
      add(&line, "user_id", absl::StrCat(request->user_id));
    }
  }
  for (const Field& f : fields) add(&line, f.key(), f.value());
  if (suppressed > 0) add(&line, "suppressed", absl::StrCat(suppressed));
  if (state.format() == Format::kJson) line.push_back('}');
  state.Emit(line);
}

std::vector<EventCount> EventCounts() { return State::Get().Counts(); }

std::string RedactUrl(absl::string_view url) {
  std::string out(url);
  // scheme://user:password@host
  if (size_t scheme = out.find("://"); scheme != std::string::npos) {
    const size_t start = scheme + 3;
    const size_t end = out.find_first_of("/?#", start);
    const size_t at =
        out.rfind('@', end == std::string::npos ? out.size() : end);
    if (at != std::string::npos && at >= start) {
      const size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) {
        out.replace(colon + 1, at - colon - 1, "***");
      }
    }
  }
  // password=... in a query string or libpq keyword/value conninfo.
  for (size_t pos = 0;
       (pos = out.find("password=", pos)) != std::string::npos;) {
    const size_t value = pos + 9;
    size_t end = value;
    if (end < out.size() && out[end] == '\'') {
      // libpq quoting: backslash escapes a quote inside the value.
      for (++end; end < out.size() && out[end] != '\''; ++end) {
        if (out[end] == '\\') ++end;
      }
      end = std::min(out.size(), end + 1);
    } else {
      end = out.find_first_of("& ", value);
      if (end == std::string::npos) end = out.size();
    }
    out.replace(value, end - value, "***");
    pos = value + 3;
  }
  return out;
}

ScopedCapture::ScopedCapture() { State::Get().StartCapture(); }
ScopedCapture::~ScopedCapture() { State::Get().StopCapture(); }

std::vector<std::string> ScopedCapture::lines() const {
  std::shared_ptr<CaptureSink> sink = State::Get().capture();
  return sink == nullptr ? std::vector<std::string>{} : sink->lines();
}

bool ScopedCapture::Contains(absl::string_view text) const {
  for (const std::string& line : lines()) {
    if (absl::StrContains(line, text)) return true;
  }
  return false;
}

}  // namespace tokkit::log
