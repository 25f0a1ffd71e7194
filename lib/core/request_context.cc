#include "lib/core/request_context.h"

#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tokkit {
namespace {

thread_local const RequestContext* current_request = nullptr;

// Request and span ids need to be unique, not secret: a per-thread PRNG
// seeded from the OS keeps this off the CSPRNG's path.
uint64_t RandomWord() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine();
}

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZero(absl::string_view s) {
  return s.find_first_not_of('0') == absl::string_view::npos;
}

}  // namespace

const RequestContext* CurrentRequest() { return current_request; }

absl::Time CurrentDeadline() {
  return current_request != nullptr ? current_request->deadline
                                    : absl::InfiniteFuture();
}

ScopedRequest::ScopedRequest(RequestContext context)
    : context_(std::move(context)), previous_(current_request) {
  current_request = &context_;
}

ScopedRequest::~ScopedRequest() { current_request = previous_; }

std::string NewRequestId() { return absl::StrFormat("%016x", RandomWord()); }

bool IsAcceptableRequestId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != ':' && c != '-') {
      return false;
    }
  }
  return true;
}

bool IsValidTraceparent(absl::string_view v) {
  // version(2) - trace-id(32) - parent-id(16) - flags(2)
  if (v.size() != 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') {
    return false;
  }
  const absl::string_view version = v.substr(0, 2), trace = v.substr(3, 32),
                          span = v.substr(36, 16), flags = v.substr(53, 2);
  return IsLowerHex(version) && version != "ff" && IsLowerHex(trace) &&
         !AllZero(trace) && IsLowerHex(span) && !AllZero(span) &&
         IsLowerHex(flags);
}

std::string ChildTraceparent(absl::string_view parent) {
  const std::string span = absl::StrFormat("%016x", RandomWord() | 1);
  if (IsValidTraceparent(parent)) {
    return absl::StrCat("00-", parent.substr(3, 32), "-", span, "-",
                        parent.substr(53, 2));
  }
  return absl::StrFormat("00-%016x%016x-%s-01", RandomWord(), RandomWord() | 1,
                         span);
}

}  // namespace tokkit
