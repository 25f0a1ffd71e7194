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

// Marks a status whose message was written for operators (a database
// driver's text, an errno, a peer's reply): the RPC layer logs it and shows
// the client a generic message with the request id instead. INTERNAL,
// UNKNOWN and DATA_LOSS are treated so whether marked or not.
inline constexpr char kInternalDetailPayloadUrl[] =
    "type.tokkit.dev/internal-detail";
absl::Status WithInternalDetail(absl::Status status);
bool HasInternalDetail(const absl::Status& status);
// True when a client may see the message as it is.
bool IsClientSafe(const absl::Status& status);

}  // namespace tokkit

#endif  // TOKKIT_LIB_CORE_ERROR_REASON_H_
