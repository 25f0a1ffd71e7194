// The signing-key file every replica (and the standalone HTTP gateway)
// shares: "<key id> <hex secret>" per line, the first signs, all verify.
#ifndef TOKKIT_SERVICES_COMMON_SIGNING_KEYS_H_
#define TOKKIT_SERVICES_COMMON_SIGNING_KEYS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/account/access_token.h"

namespace tokkit {

// Reads the keys in `path`; INVALID_ARGUMENT (naming the file) for a
// malformed one, INTERNAL when it cannot be read.
absl::StatusOr<std::vector<account::SigningKey>> LoadSigningKeys(
    const std::string& path);

// As LoadSigningKeys, creating the file with one fresh key (mode 0600) when
// it does not exist.
absl::StatusOr<std::vector<account::SigningKey>> LoadOrCreateSigningKeys(
    const std::string& path);

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMON_SIGNING_KEYS_H_
