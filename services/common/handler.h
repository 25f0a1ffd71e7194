// Helpers for writing gRPC handlers over the domain services. Each opens the
// call's scope (request id, trace, deadline: call_scope.h), validates the
// request (request_validation.h), resolves who is calling, runs the body and
// maps its absl::Status to grpc::Status (reasons included, internal detail
// withheld: grpc_status.h).
#ifndef TOKKIT_SERVICES_COMMON_HANDLER_H_
#define TOKKIT_SERVICES_COMMON_HANDLER_H_

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include "services/common/auth_interceptor.h"
#include "services/common/call_scope.h"
#include "services/common/grpc_status.h"
#include "services/common/request_validation.h"

namespace tokkit {

// For RPCs that need an authenticated caller.
template <typename Fn>
grpc::Status WithCaller(grpc::ServerContextBase* context,
                        const google::protobuf::Message& request, Fn body) {
  CallScope scope(context);
  absl::StatusOr<account::Principal> caller = CallerOf(context);
  if (!caller.ok()) return scope.Finish(caller.status());
  scope.SetUser(caller->user_id);
  if (absl::Status st = ValidateRequest(request); !st.ok()) {
    return scope.Finish(st);
  }
  return scope.Finish(body(*caller));
}

// For public RPCs that personalise when a token is sent (viewer 0: anonymous).
template <typename Fn>
grpc::Status WithViewer(grpc::ServerContextBase* context,
                        const google::protobuf::Message& request, Fn body) {
  CallScope scope(context);
  absl::StatusOr<int64_t> viewer = ViewerOf(context);
  if (!viewer.ok()) return scope.Finish(viewer.status());
  scope.SetUser(*viewer);
  if (absl::Status st = ValidateRequest(request); !st.ok()) {
    return scope.Finish(st);
  }
  return scope.Finish(body(*viewer));
}

template <typename Fn>
grpc::Status Public(grpc::ServerContextBase* context,
                    const google::protobuf::Message& request, Fn body) {
  CallScope scope(context);
  if (absl::Status st = ValidateRequest(request); !st.ok()) {
    return scope.Finish(st);
  }
  return scope.Finish(body());
}

// Client-streaming handlers: the body reads (and validates) the messages.
template <typename Fn>
grpc::Status WithCallerStreaming(grpc::ServerContextBase* context, Fn body) {
  CallScope scope(context);
  absl::StatusOr<account::Principal> caller = CallerOf(context);
  if (!caller.ok()) return scope.Finish(caller.status());
  scope.SetUser(caller->user_id);
  return scope.Finish(body(*caller));
}

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMON_HANDLER_H_
