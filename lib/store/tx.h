// The unit of work. A TxRunner runs a function in one transaction and hands
// it a Tx; transaction-bound ports (stock, coupon wallet, cart lines, ...)
// take that Tx, so work of several domains commits or rolls back together
// without any engine type (a SOCI session) crossing a domain boundary.
//
//   runner.Run([&](Tx& tx) -> absl::Status {
//     ASSIGN_OR_RETURN(bool reserved, stock.Reserve(tx, sku, 1));
//     ...
//   });
//
// A Tx is opaque: each backend's ports recognise their own kind
// (lib/store/sql/sql_tx.h for the SQL backends).
#ifndef TOKKIT_LIB_STORE_TX_H_
#define TOKKIT_LIB_STORE_TX_H_

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace tokkit {

class Tx {
 public:
  virtual ~Tx() = default;
};

class TxRunner {
 public:
  virtual ~TxRunner() = default;

  // Runs `fn` in one transaction: commits when it returns OK, rolls back
  // otherwise. A transaction that lost a race is run again from the start,
  // so `fn` must have no effects outside the transaction.
  virtual absl::Status Run(absl::FunctionRef<absl::Status(Tx&)> fn) = 0;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_TX_H_
