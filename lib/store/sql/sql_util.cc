#include "lib/store/sql/sql_util.h"

#include <cstdlib>

namespace tokkit {

int64_t RowInt(const soci::row& row, size_t column) {
  if (row.get_indicator(column) == soci::i_null) return 0;
  switch (row.get_properties(column).get_data_type()) {
    case soci::dt_integer:
      return row.get<int>(column);
    case soci::dt_long_long:
      return row.get<long long>(column);
    case soci::dt_unsigned_long_long:
      return static_cast<int64_t>(row.get<unsigned long long>(column));
    case soci::dt_double:
      return static_cast<int64_t>(row.get<double>(column));
    case soci::dt_string:
      return std::strtoll(row.get<std::string>(column).c_str(), nullptr, 10);
    default:
      throw soci::soci_error("column " + std::to_string(column) +
                             " is not an integer");
  }
}

double RowDouble(const soci::row& row, size_t column, double if_null) {
  if (row.get_indicator(column) == soci::i_null) return if_null;
  switch (row.get_properties(column).get_data_type()) {
    case soci::dt_double:
      return row.get<double>(column);
    case soci::dt_string:
      return std::strtod(row.get<std::string>(column).c_str(), nullptr);
    default:
      return static_cast<double>(RowInt(row, column));
  }
}

std::string RowString(const soci::row& row, size_t column) {
  if (row.get_indicator(column) == soci::i_null) return "";
  return row.get<std::string>(column);
}

}  // namespace tokkit
