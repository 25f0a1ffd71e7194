// absl::Status <-> grpc::Status. The canonical codes are numerically equal;
// a reason payload (lib/core/error_reason.h) travels as "tokkit-reason"
// trailing metadata, the request id as "x-request-id".
//
// Messages written for operators (INTERNAL, UNKNOWN, DATA_LOSS, and any
// status marked WithInternalDetail: driver text, errno) never reach the
// client: they are logged with the request id, and the client gets a generic
// message carrying that id. Every error message ends with the request id.
#ifndef TOKKIT_SERVICES_COMMON_GRPC_STATUS_H_
#define TOKKIT_SERVICES_COMMON_GRPC_STATUS_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/status.h"

namespace tokkit {

inline constexpr char kReasonMetadataKey[] = "tokkit-reason";
inline constexpr char kRequestIdMetadataKey[] = "x-request-id";

grpc::Status ToGrpcStatus(const absl::Status& status,
                          grpc::ServerContextBase* context);

// What a client may be shown for `status`, request id included; logs the
// original when it is withheld. Shared by the gRPC and HTTP layers.
std::string ClientMessage(const absl::Status& status);

// Client side: the reason a failed call carried, or "".
std::string ReasonOf(const grpc::ClientContext& context);
// Client side: the call's request id from the server's initial metadata,
// else its trailers (a call that failed before sending headers), else "".
std::string RequestIdOf(const grpc::ClientContext& context);
// Client side: a gRPC status as an absl::Status (the codes are equal).
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMON_GRPC_STATUS_H_
