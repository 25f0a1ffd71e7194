// The ledger rule, pure: which double-entry postings each money movement
// writes. The SQL adapter only stores what this returns.
#ifndef TOKKIT_LIB_ORDER_LEDGER_H_
#define TOKKIT_LIB_ORDER_LEDGER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace tokkit::order {

enum class MoneyMovement {
  kPayment,  // the buyer paid: the provider holds it, the merchant is owed it
  kRefund,   // the buyer got it back: the reverse
};

// The entry kind stored with each posting: "payment" or "refund".
absl::string_view MovementKind(MoneyMovement movement);

struct Posting {
  std::string account;  // "provider:clearing" or "merchant:<id>"
  int64_t amount_cents = 0;
  bool operator==(const Posting& o) const {
    return account == o.account && amount_cents == o.amount_cents;
  }
};

// The postings of `movement` of `amount_cents` (> 0, what the buyer paid)
// on an order of `merchant_id` whose platform coupon took
// `platform_subsidy_cents` (the platform pays the merchant that part). They
// always sum to zero:
//   payment: provider:clearing +amount, platform:promotions +subsidy,
//            merchant:<id> -(amount + subsidy)
//   refund:  the same with every sign reversed
// (no promotions posting without a subsidy).
std::vector<Posting> PostingsFor(MoneyMovement movement, int64_t merchant_id,
                                 int64_t amount_cents,
                                 int64_t platform_subsidy_cents = 0);

}  // namespace tokkit::order

#endif  // TOKKIT_LIB_ORDER_LEDGER_H_
