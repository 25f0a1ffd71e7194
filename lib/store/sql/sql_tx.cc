#include "lib/store/sql/sql_tx.h"

#include <cstdio>
#include <cstdlib>

namespace tokkit {
namespace {

class SqlTxRunner : public TxRunner {
 public:
  explicit SqlTxRunner(Database* db) : db_(db) {}
  absl::Status Run(absl::FunctionRef<absl::Status(Tx&)> fn) override {
    return db_->Transact([&](soci::session& session) {
      SqlTx tx(session);
      return fn(tx);
    });
  }

 private:
  Database* const db_;
};

}  // namespace

soci::session& SessionOf(Tx& tx) {
  auto* sql = dynamic_cast<SqlTx*>(&tx);
  if (sql == nullptr) {
    std::fprintf(stderr,
                 "a SQL port was given a transaction of another "
                 "backend\n");
    std::abort();
  }
  return sql->session();
}

std::unique_ptr<TxRunner> NewSqlTxRunner(Database* db) {
  return std::make_unique<SqlTxRunner>(db);
}

}  // namespace tokkit
