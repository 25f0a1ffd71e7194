// StockGate on Redis: one key per SKU holding a copy of its stock, taken
// and given back by a Lua script (all lines of an order at once, or none).
// A missing key is loaded from the database (`stock_of`) and kept for
// `resync_after`, after which it is read again: that bounds how long the
// copy can disagree with the database.
#ifndef TOKKIT_LIB_ORDER_REDIS_STOCK_GATE_H_
#define TOKKIT_LIB_ORDER_REDIS_STOCK_GATE_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "lib/order/stock_gate.h"
#include "lib/redis/redis_client.h"

namespace tokkit::order {

struct RedisStockGateOptions {
  std::string url;         // redis://host:port
  std::string key_prefix;  // keys are <prefix>:stock:<sku id>
  absl::Duration resync_after = absl::Seconds(5);
};

class RedisStockGate : public StockGate {
 public:
  using StockOf = std::function<absl::StatusOr<int64_t>(int64_t sku_id)>;
  static absl::StatusOr<std::unique_ptr<RedisStockGate>> Open(
      RedisStockGateOptions options, StockOf stock_of);

  absl::Status Admit(const Lines& lines) override;
  void Release(const Lines& lines) override;

 private:
  RedisStockGate(RedisStockGateOptions options, StockOf stock_of,
                 std::unique_ptr<redis::Client> client)
      : options_(std::move(options)),
        stock_of_(std::move(stock_of)),
        client_(std::move(client)) {}
  std::string KeyOf(int64_t sku_id) const;

  const RedisStockGateOptions options_;
  const StockOf stock_of_;
  std::unique_ptr<redis::Client> client_;
};

}  // namespace tokkit::order

#endif  // TOKKIT_LIB_ORDER_REDIS_STOCK_GATE_H_
