#include "lib/core/error_reason.h"

#include "absl/strings/cord.h"

namespace tokkit {

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  if (!status.ok()) status.SetPayload(kReasonPayloadUrl, absl::Cord(reason));
  return status;
}

std::string ReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(kReasonPayloadUrl);
  return payload.has_value() ? std::string(*payload) : std::string();
}

absl::Status WithInternalDetail(absl::Status status) {
  if (!status.ok()) status.SetPayload(kInternalDetailPayloadUrl, absl::Cord());
  return status;
}

bool HasInternalDetail(const absl::Status& status) {
  return status.GetPayload(kInternalDetailPayloadUrl).has_value();
}

bool IsClientSafe(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
      return false;
    default:
      return !HasInternalDetail(status);
  }
}

}  // namespace tokkit
