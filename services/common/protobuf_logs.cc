#include "services/common/protobuf_logs.h"

#include <google/protobuf/stubs/logging.h>

#include <mutex>
#include <string>

#include "absl/strings/match.h"
#include "lib/core/log.h"

namespace tokkit {
namespace {

void Handle(google::protobuf::LogLevel level, const char* file, int line,
            const std::string& message) {
  if (absl::StrContains(message, "invalid UTF-8")) {
    log::Debug("request_invalid_utf8");
    return;
  }
  const log::Level ours =
      level >= google::protobuf::LOGLEVEL_ERROR     ? log::Level::kError
      : level == google::protobuf::LOGLEVEL_WARNING ? log::Level::kWarning
                                                    : log::Level::kInfo;
  log::Write(ours, "protobuf",
             {{"file", file}, {"line", line}, {"message", message}});
}

}  // namespace

void RouteProtobufLogs() {
  static std::once_flag once;
  std::call_once(once, [] { google::protobuf::SetLogHandler(&Handle); });
}

}  // namespace tokkit
