#include "lib/order/ledger.h"

#include "lib/order/model.h"

namespace tokkit::order {

absl::string_view MovementKind(MoneyMovement movement) {
  return movement == MoneyMovement::kPayment ? "payment" : "refund";
}

std::vector<Posting> PostingsFor(MoneyMovement movement, int64_t merchant_id,
                                 int64_t amount_cents,
                                 int64_t platform_subsidy_cents) {
  const int64_t sign = movement == MoneyMovement::kPayment ? 1 : -1;
  std::vector<Posting> out = {{kProviderClearing, sign * amount_cents}};
  if (platform_subsidy_cents > 0) {
    out.push_back({kPlatformPromotions, sign * platform_subsidy_cents});
  }
  out.push_back({MerchantAccount(merchant_id),
                 -sign * (amount_cents + platform_subsidy_cents)});
  return out;
}

}  // namespace tokkit::order
