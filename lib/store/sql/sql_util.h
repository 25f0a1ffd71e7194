// Small helpers for repository implementations (the only code that sees
// SOCI). Not for domain headers.
#ifndef TOKKIT_LIB_STORE_SQL_SQL_UTIL_H_
#define TOKKIT_LIB_STORE_SQL_SQL_UTIL_H_

#include <soci/soci.h>

#include <string>

namespace tokkit {

// Executes `query` with positional values bound in order and returns the
// number of rows it changed. Conditional updates
// ("UPDATE stock SET n = n - 1 WHERE id = :id AND n >= 1") rely on it.
template <typename... Values>
long long ExecAffected(soci::session& sql, const std::string& query,
                       const Values&... values) {
  soci::statement st = (sql.prepare << query, ..., soci::use(values));
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_SQL_SQL_UTIL_H_
