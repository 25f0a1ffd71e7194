#include "lib/social/sql_counters.h"

#include "absl/strings/str_cat.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit::social {

void BumpCounter(soci::session& sql, const std::string& table,
                 const std::string& key_column, int64_t key,
                 const std::string& column, int delta) {
  if (delta > 0) {
    sql << Upsert(
        sql,
        absl::StrCat(table, " (", key_column, ", ", column, ") VALUES (:k, 1)"),
        key_column, absl::StrCat(column, " = ", table, ".", column, " + 1")),
        soci::use(key);
  } else {
    sql << absl::StrCat("UPDATE ", table, " SET ", column, " = ", column,
                        " - 1 WHERE ", key_column, " = :k AND ", column,
                        " > 0"),
        soci::use(key);
  }
}

int64_t ReadCounter(soci::session& sql, const std::string& table,
                    const std::string& key_column, int64_t key,
                    const std::string& column) {
  soci::row r;
  sql << absl::StrCat("SELECT ", column, " FROM ", table, " WHERE ", key_column,
                      " = :k"),
      soci::use(key), soci::into(r);
  return sql.got_data() ? RowInt(r, 0) : 0;
}

}  // namespace tokkit::social
