// The cart as an order's transaction sees it: lines bought leave the cart in
// the same transaction that creates the order.
#ifndef TOKKIT_LIB_COMMERCE_CART_LINES_PORT_H_
#define TOKKIT_LIB_COMMERCE_CART_LINES_PORT_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "lib/store/tx.h"

namespace tokkit::commerce {

class CartLinesPort {
 public:
  virtual ~CartLinesPort() = default;
  virtual absl::Status Remove(Tx& tx, int64_t user_id,
                              const std::vector<int64_t>& sku_ids) = 0;
};

}  // namespace tokkit::commerce

#endif  // TOKKIT_LIB_COMMERCE_CART_LINES_PORT_H_
