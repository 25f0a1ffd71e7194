#include "lib/account/refresh_rotation.h"

namespace tokkit::account {

std::optional<RotateOutcome> BeforeClaim(bool session_revoked) {
  if (session_revoked) return RotateOutcome::kRevoked;
  return std::nullopt;
}

RotateOutcome AfterClaim(bool claimed, absl::Time expires_at, absl::Time now) {
  if (!claimed) return RotateOutcome::kReused;
  if (expires_at <= now) return RotateOutcome::kExpired;
  return RotateOutcome::kRotated;
}

}  // namespace tokkit::account
