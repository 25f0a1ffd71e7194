// What the current thread is working on behalf of: the request id, the W3C
// trace context, the authenticated user and the caller's deadline. The RPC
// layer opens a ScopedRequest around each handler; the library reads it
// (logs carry the ids, outbox events the trace, bounded pools the deadline)
// without every function taking it as a parameter.
#ifndef TOKKIT_LIB_CORE_REQUEST_CONTEXT_H_
#define TOKKIT_LIB_CORE_REQUEST_CONTEXT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tokkit {

struct RequestContext {
  std::string request_id;
  // W3C trace context ("00-<trace id>-<span id>-<flags>"), empty if none.
  std::string traceparent;
  int64_t user_id = 0;
  absl::Time deadline = absl::InfiniteFuture();
};

// The request this thread serves, or nullptr outside any.
const RequestContext* CurrentRequest();

// The current request's deadline, or InfiniteFuture.
absl::Time CurrentDeadline();

// Installs `context` for the current thread until destroyed, restoring the
// previous one (scopes nest).
class ScopedRequest {
 public:
  explicit ScopedRequest(RequestContext context);
  ~ScopedRequest();
  ScopedRequest(const ScopedRequest&) = delete;
  ScopedRequest& operator=(const ScopedRequest&) = delete;

  RequestContext& context() { return context_; }

 private:
  RequestContext context_;
  const RequestContext* previous_;
};

// 16 random hex characters.
std::string NewRequestId();

// A client-supplied request id is kept when it is 1-64 characters of
// [A-Za-z0-9._:-]; anything else is replaced (it ends up in log lines).
bool IsAcceptableRequestId(absl::string_view id);

// W3C traceparent: "00-" 32 hex "-" 16 hex "-" 2 hex, ids not all zero.
bool IsValidTraceparent(absl::string_view value);

// A child of `parent` (same trace id, new span id), or a new trace when
// `parent` is empty or invalid.
std::string ChildTraceparent(absl::string_view parent);

}  // namespace tokkit

#endif  // TOKKIT_LIB_CORE_REQUEST_CONTEXT_H_
