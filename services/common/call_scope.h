// What every gRPC handler does around its body: adopt or mint the request id
// (x-request-id, echoed in the response metadata), continue the caller's W3C
// trace (traceparent), note the deadline, and install all of it as the
// thread's RequestContext, so logs, outbox events and bounded pools see it.
#ifndef TOKKIT_SERVICES_COMMON_CALL_SCOPE_H_
#define TOKKIT_SERVICES_COMMON_CALL_SCOPE_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "lib/core/request_context.h"

namespace tokkit {

// The request context of a call, from its client metadata.
RequestContext RequestContextOf(const grpc::ServerContextBase& context);

class CallScope {
 public:
  explicit CallScope(grpc::ServerContextBase* context);

  void SetUser(int64_t user_id) { scope_.context().user_id = user_id; }
  const RequestContext& request() { return scope_.context(); }
  grpc::Status Finish(const absl::Status& status);

 private:
  grpc::ServerContextBase* const context_;
  ScopedRequest scope_;
};

// For client-streaming handlers: a stream that ended because the client
// cancelled it (or its deadline passed) must not be treated as a finished
// upload. ServerReader::Read() returns false in both cases; this tells them
// apart. CANCELLED / DEADLINE_EXCEEDED, or OK for a real half-close.
absl::Status StreamEndedCleanly(grpc::ServerContextBase* context);

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMON_CALL_SCOPE_H_
