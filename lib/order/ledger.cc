#include "lib/order/ledger.h"

#include "lib/order/model.h"

namespace tokkit::order {

absl::string_view MovementKind(MoneyMovement movement) {
  return movement == MoneyMovement::kPayment ? "payment" : "refund";
}

std::vector<Posting> PostingsFor(MoneyMovement movement, int64_t merchant_id,
                                 int64_t amount_cents) {
  const int64_t into_clearing =
      movement == MoneyMovement::kPayment ? amount_cents : -amount_cents;
  return {{kProviderClearing, into_clearing},
          {MerchantAccount(merchant_id), -into_clearing}};
}

}  // namespace tokkit::order
