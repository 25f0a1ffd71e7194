// The SQL backends' unit of work: a Tx is a session inside
// Database::Transact. For SQL adapters only (it exposes SOCI).
#ifndef TOKKIT_LIB_STORE_SQL_SQL_TX_H_
#define TOKKIT_LIB_STORE_SQL_SQL_TX_H_

#include <soci/soci.h>

#include <memory>

#include "lib/store/sql/database.h"
#include "lib/store/tx.h"

namespace tokkit {

class SqlTx final : public Tx {
 public:
  explicit SqlTx(soci::session& session) : session_(session) {}
  soci::session& session() { return session_; }

 private:
  soci::session& session_;
};

// The session of a transaction a SQL TxRunner began. Handing a SQL port a
// Tx of another backend is a wiring bug: it aborts with a message.
soci::session& SessionOf(Tx& tx);

// Runs transactions with Database::Transact (retries, error mapping).
std::unique_ptr<TxRunner> NewSqlTxRunner(Database* db);

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_SQL_SQL_TX_H_
