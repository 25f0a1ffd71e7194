// The authenticated caller of an operation. Produced by the Authenticator from
// a bearer token (and the current account state), consumed by every domain's
// ownership and role checks.
#ifndef TOKKIT_LIB_ACCOUNT_PRINCIPAL_H_
#define TOKKIT_LIB_ACCOUNT_PRINCIPAL_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tokkit::account {

enum class Role { kUser = 0, kMerchant = 1, kAdmin = 2 };

absl::string_view RoleName(Role role);

struct Principal {
  int64_t user_id = 0;
  int64_t session_id = 0;
  Role role = Role::kUser;

  bool is_admin() const { return role == Role::kAdmin; }
};

// Verifies bearer tokens. The gRPC interceptor and the embedding API use it;
// implementations must reject banned users and revoked sessions at once.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // UNAUTHENTICATED for a bad, expired or revoked token; PERMISSION_DENIED for
  // a banned account.
  virtual absl::StatusOr<Principal> Authenticate(
      absl::string_view access_token) = 0;
};

}  // namespace tokkit::account

#endif  // TOKKIT_LIB_ACCOUNT_PRINCIPAL_H_
