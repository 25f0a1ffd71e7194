// An admission gate in front of an order's database transaction for hot SKUs
// (flash sales): a cheap shared copy of stock says "sold out" before the
// database is asked, so the requests that cannot succeed never take a
// database connection or the hot row's lock. The database stays the source
// of truth: the gate may admit an order the database then refuses (its copy
// was high), and may refuse one the database could have served only until
// its copy is re-read (stock came back from a cancelled or expired order).
#ifndef TOKKIT_LIB_ORDER_STOCK_GATE_H_
#define TOKKIT_LIB_ORDER_STOCK_GATE_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace tokkit::order {

class StockGate {
 public:
  // (sku id, quantity) of an order.
  using Lines = std::vector<std::pair<int64_t, int64_t>>;
  virtual ~StockGate() = default;
  // OK: admitted (the quantities are taken from the copy; Release gives
  // them back if the order does not take stock after all).
  // FAILED_PRECONDITION: sold out per the copy. Any other error: the gate is
  // unavailable and the caller goes to the database without it.
  virtual absl::Status Admit(const Lines& lines) = 0;
  virtual void Release(const Lines& lines) = 0;
};

}  // namespace tokkit::order

#endif  // TOKKIT_LIB_ORDER_STOCK_GATE_H_
