// Helpers for writing gRPC handlers over the domain services: run a body for
// the authenticated caller (or for a possibly anonymous viewer) and map the
// resulting absl::Status to grpc::Status, reasons included.
#ifndef TOKKIT_SERVICES_COMMON_HANDLER_H_
#define TOKKIT_SERVICES_COMMON_HANDLER_H_

#include <grpcpp/grpcpp.h>

#include "services/common/auth_interceptor.h"
#include "services/common/grpc_status.h"

namespace tokkit {

template <typename Fn>
grpc::Status WithCaller(grpc::ServerContext* context, Fn body) {
  absl::StatusOr<account::Principal> caller = CallerOf(context);
  if (!caller.ok()) return ToGrpcStatus(caller.status(), context);
  return ToGrpcStatus(body(*caller), context);
}

// For public RPCs that personalise when a token is sent (viewer 0: anonymous).
template <typename Fn>
grpc::Status WithViewer(grpc::ServerContext* context, Fn body) {
  absl::StatusOr<int64_t> viewer = ViewerOf(context);
  if (!viewer.ok()) return ToGrpcStatus(viewer.status(), context);
  return ToGrpcStatus(body(*viewer), context);
}

template <typename Fn>
grpc::Status Public(grpc::ServerContext* context, Fn body) {
  return ToGrpcStatus(body(), context);
}

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMON_HANDLER_H_
