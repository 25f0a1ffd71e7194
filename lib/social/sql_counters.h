// Counter columns kept beside the rows they count, inside the caller's
// transaction. Decrements stop at zero.
#ifndef TOKKIT_LIB_SOCIAL_SQL_COUNTERS_H_
#define TOKKIT_LIB_SOCIAL_SQL_COUNTERS_H_

#include <soci/soci.h>

#include <string>

namespace tokkit::social {

// Adds +1 or -1 to `column` of the row keyed `key` in a counters table
// (creating the row at 1 on first increment).
void BumpCounter(soci::session& sql, const std::string& table,
                 const std::string& key_column, int64_t key,
                 const std::string& column, int delta);

int64_t ReadCounter(soci::session& sql, const std::string& table,
                    const std::string& key_column, int64_t key,
                    const std::string& column);

}  // namespace tokkit::social

#endif  // TOKKIT_LIB_SOCIAL_SQL_COUNTERS_H_
