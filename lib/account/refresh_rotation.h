// The refresh-token rotation rule, pure. A refresh token is single-use: the
// rotation claims it with a conditional update, and a token that was already
// claimed means it leaked (two holders), so its whole session is revoked.
// The adapter reads, claims and writes; these say what the outcome is.
#ifndef TOKKIT_LIB_ACCOUNT_REFRESH_ROTATION_H_
#define TOKKIT_LIB_ACCOUNT_REFRESH_ROTATION_H_

#include <optional>

#include "absl/time/time.h"
#include "lib/account/repository.h"

namespace tokkit::account {

using RotateOutcome = SessionRepository::RotateOutcome;

// Before claiming: a token of a revoked session is refused without being
// claimed (nullopt: go on and claim it).
std::optional<RotateOutcome> BeforeClaim(bool session_revoked);

// After the claim: not claimed (someone used it first) is a reuse, which
// revokes the session; claimed but past its expiry is refused; else a new
// token is stored.
RotateOutcome AfterClaim(bool claimed, absl::Time expires_at, absl::Time now);

}  // namespace tokkit::account

#endif  // TOKKIT_LIB_ACCOUNT_REFRESH_ROTATION_H_
