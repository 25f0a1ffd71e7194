// Machine-readable reasons on statuses. The code says what class of failure
// it is (UNAUTHENTICATED); the reason says which one ("TOTP_REQUIRED"), so a
// client can react (prompt for a code) without parsing the message. Carried as
// a Status payload; the gRPC layer sends it as "tokkit-reason" metadata.
#ifndef TOKKIT_LIB_CORE_ERROR_REASON_H_
#define TOKKIT_LIB_CORE_ERROR_REASON_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tokkit {

inline constexpr char kReasonPayloadUrl[] = "type.tokkit.dev/reason";

absl::Status WithReason(absl::Status status, absl::string_view reason);
// Empty when the status carries no reason.
std::string ReasonOf(const absl::Status& status);

}  // namespace tokkit

#endif  // TOKKIT_LIB_CORE_ERROR_REASON_H_
