// Checks every request the same way before a handler sees it. Today: enum
// fields. proto3 enums are open, so a client may send any number; a value
// the schema does not declare is INVALID_ARGUMENT naming the field, never
// stored or silently read as a default.
#ifndef TOKKIT_SERVICES_COMMON_REQUEST_VALIDATION_H_
#define TOKKIT_SERVICES_COMMON_REQUEST_VALIDATION_H_

#include <google/protobuf/message.h>

#include "absl/status/status.h"

namespace tokkit {

// Walks set fields (nested and repeated ones too) by reflection.
absl::Status ValidateRequest(const google::protobuf::Message& request);

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMON_REQUEST_VALIDATION_H_
