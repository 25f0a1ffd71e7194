#include "services/common/grpc_status.h"

#include "absl/strings/str_cat.h"
#include "lib/core/error_reason.h"
#include "lib/core/log.h"
#include "lib/core/request_context.h"

namespace tokkit {
namespace {

absl::string_view GenericMessage(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
      return "the service is temporarily unavailable; retry shortly";
    case absl::StatusCode::kAborted:
      return "the request conflicted with a concurrent change; retry";
    case absl::StatusCode::kAlreadyExists:
      return "that already exists";
    case absl::StatusCode::kOutOfRange:
      return "a value is out of range";
    case absl::StatusCode::kDeadlineExceeded:
      return "the deadline passed before the request finished";
    case absl::StatusCode::kResourceExhausted:
      return "the service is overloaded; retry shortly";
    case absl::StatusCode::kCancelled:
      return "the request was cancelled";
    default:
      return "internal error";
  }
}

}  // namespace

std::string ClientMessage(const absl::Status& status) {
  const RequestContext* request = CurrentRequest();
  const std::string id = request != nullptr && !request->request_id.empty()
                             ? request->request_id
                             : NewRequestId();
  if (IsClientSafe(status)) {
    return absl::StrCat(status.message(), " (request id ", id, ")");
  }
  const bool severe = status.code() == absl::StatusCode::kInternal ||
                      status.code() == absl::StatusCode::kUnknown ||
                      status.code() == absl::StatusCode::kDataLoss;
  if (request == nullptr) {
    log::Write(severe ? log::Level::kError : log::Level::kWarning,
               "request_failed", {{"request_id", id}, {"error", status}});
  } else {
    log::Write(severe ? log::Level::kError : log::Level::kWarning,
               "request_failed", {{"error", status}});
  }
  return absl::StrCat(GenericMessage(status.code()), " (request id ", id, ")");
}

grpc::Status ToGrpcStatus(const absl::Status& status,
                          grpc::ServerContextBase* context) {
  if (status.ok()) return grpc::Status::OK;
  const std::string reason = ReasonOf(status);
  if (!reason.empty() && context != nullptr) {
    context->AddTrailingMetadata(kReasonMetadataKey, reason);
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      ClientMessage(status));
}

namespace {

std::string Find(const std::multimap<grpc::string_ref, grpc::string_ref>& m,
                 const char* key) {
  auto it = m.find(key);
  if (it == m.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

std::string ReasonOf(const grpc::ClientContext& context) {
  return Find(context.GetServerTrailingMetadata(), kReasonMetadataKey);
}

std::string RequestIdOf(const grpc::ClientContext& context) {
  std::string id =
      Find(context.GetServerInitialMetadata(), kRequestIdMetadataKey);
  if (id.empty()) {
    id = Find(context.GetServerTrailingMetadata(), kRequestIdMetadataKey);
  }
  return id;
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

}  // namespace tokkit
