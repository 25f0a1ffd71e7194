// absl::Status <-> grpc::Status. The canonical codes are numerically equal;
// a reason payload (lib/core/error_reason.h) travels as "tokkit-reason"
// trailing metadata.
#ifndef TOKKIT_SERVICES_COMMON_GRPC_STATUS_H_
#define TOKKIT_SERVICES_COMMON_GRPC_STATUS_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/status.h"

namespace tokkit {

inline constexpr char kReasonMetadataKey[] = "tokkit-reason";

grpc::Status ToGrpcStatus(const absl::Status& status,
                          grpc::ServerContext* context);

// Client side: the reason a failed call carried, or "".
std::string ReasonOf(const grpc::ClientContext& context);

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMON_GRPC_STATUS_H_
