// Stock as an order's transaction sees it: the SKU snapshot to price from and
// the conditional moves that make overselling impossible.
#ifndef TOKKIT_LIB_COMMERCE_STOCK_PORT_H_
#define TOKKIT_LIB_COMMERCE_STOCK_PORT_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "lib/commerce/model.h"
#include "lib/store/tx.h"

namespace tokkit::commerce {

class StockPort {
 public:
  virtual ~StockPort() = default;
  // The SKU with its product's name, category, shipping fee and for-sale
  // flag; nullopt when there is no such SKU.
  virtual absl::StatusOr<std::optional<SkuForOrder>> Load(Tx& tx,
                                                          int64_t sku_id) = 0;
  // Takes `quantity` from stock (and counts it sold) only if that much is
  // left: false, and no change, otherwise.
  virtual absl::StatusOr<bool> Reserve(Tx& tx, int64_t sku_id,
                                       int64_t quantity) = 0;
  // Gives back what Reserve took (a cancelled, expired or refunded order).
  virtual absl::Status Release(Tx& tx, int64_t sku_id, int64_t quantity) = 0;
};

}  // namespace tokkit::commerce

#endif  // TOKKIT_LIB_COMMERCE_STOCK_PORT_H_
