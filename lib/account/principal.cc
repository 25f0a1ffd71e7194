#include "lib/account/principal.h"

namespace tokkit::account {

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kUser:
      return "user";
    case Role::kMerchant:
      return "merchant";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

}  // namespace tokkit::account
