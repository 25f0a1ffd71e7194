#include "services/common/grpc_status.h"

#include "lib/core/error_reason.h"

namespace tokkit {

grpc::Status ToGrpcStatus(const absl::Status& status,
                          grpc::ServerContext* context) {
  if (status.ok()) return grpc::Status::OK;
  const std::string reason = ReasonOf(status);
  if (!reason.empty() && context != nullptr) {
    context->AddTrailingMetadata(kReasonMetadataKey, reason);
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

std::string ReasonOf(const grpc::ClientContext& context) {
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find(kReasonMetadataKey);
  if (it == trailers.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace tokkit
