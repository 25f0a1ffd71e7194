#include "lib/store/sql/sql_util.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace tokkit {

bool IsMysql(soci::session& sql) { return sql.get_backend_name() == "mysql"; }

bool IsPostgres(soci::session& sql) {
  return sql.get_backend_name() == "postgresql";
}

std::string InsertIgnoringDuplicate(soci::session& sql,
                                    const std::string& into_values) {
  if (IsMysql(sql)) return "INSERT IGNORE INTO " + into_values;
  return "INSERT INTO " + into_values + " ON CONFLICT DO NOTHING";
}

std::string Upsert(soci::session& sql, const std::string& into_values,
                   const std::string& key_columns,
                   const std::string& assignments) {
  if (IsMysql(sql)) {
    return "INSERT INTO " + into_values + " ON DUPLICATE KEY UPDATE " +
           assignments;
  }
  return "INSERT INTO " + into_values + " ON CONFLICT (" + key_columns +
         ") DO UPDATE SET " + assignments;
}

std::string ForUpdate(soci::session& sql) {
  return sql.get_backend_name() == "sqlite3" ? "" : " FOR UPDATE";
}

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

std::string FilteredQuery::Placeholders(const std::string& fragment) {
  std::string out;
  for (char c : fragment) {
    if (c == '?') {
      out += ":p" + std::to_string(params_++);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

FilteredQuery& FilteredQuery::Where(const std::string& condition) {
  text_ += has_where_ ? " AND (" : " WHERE (";
  text_ += condition + ")";
  has_where_ = true;
  return *this;
}

FilteredQuery& FilteredQuery::Where(const std::string& condition,
                                    int64_t value) {
  Where(Placeholders(condition));
  ints_.push_back(value);
  for (char c : condition) {
    if (c == '?') order_.emplace_back(false, ints_.size() - 1);
  }
  return *this;
}

FilteredQuery& FilteredQuery::Where(const std::string& condition,
                                    const std::string& value) {
  Where(Placeholders(condition));
  strings_.push_back(value);
  for (char c : condition) {
    if (c == '?') order_.emplace_back(true, strings_.size() - 1);
  }
  return *this;
}

FilteredQuery& FilteredQuery::WhereInOrder(const std::string& condition,
                                           const std::vector<Value>& values) {
  const std::string text = Placeholders(condition);
  BindInOrder(condition, values, "WhereInOrder");
  return Where(text);
}

void FilteredQuery::BindInOrder(const std::string& fragment,
                                const std::vector<Value>& values,
                                const char* caller) {
  if (static_cast<size_t>(std::count(fragment.begin(), fragment.end(), '?')) !=
      values.size()) {
    throw std::logic_error(absl::StrCat(caller, ": one value per '?'"));
  }
  for (const Value& v : values) {
    if (const int64_t* i = std::get_if<int64_t>(&v)) {
      ints_.push_back(*i);
      order_.emplace_back(false, ints_.size() - 1);
    } else {
      strings_.push_back(std::get<std::string>(v));
      order_.emplace_back(true, strings_.size() - 1);
    }
  }
}

FilteredQuery::FilteredQuery(const std::string& select_from,
                             const std::vector<Value>& values) {
  text_ = Placeholders(select_from);
  BindInOrder(select_from, values, "FilteredQuery");
}

void FilteredQuery::Each(soci::session& sql, const std::string& tail,
                         int64_t limit,
                         const std::function<void(const soci::row&)>& fn) {
  Run(sql, "", tail, {limit}, fn);
}

void FilteredQuery::Run(soci::session& sql, const std::string& prefix,
                        const std::string& tail,
                        const std::vector<int64_t>& tail_values,
                        const std::function<void(const soci::row&)>& fn) const {
  std::string query = prefix + text_ + " ";
  int param = params_;
  for (char c : tail) {
    if (c == '?') {
      query += ":p" + std::to_string(param++);
    } else {
      query.push_back(c);
    }
  }
  if (param - params_ != static_cast<int>(tail_values.size())) {
    throw std::logic_error("FilteredQuery::Run: one value per '?' in tail");
  }
  // Copies with stable addresses: SOCI binds by reference.
  const std::deque<int64_t> tail_ints(tail_values.begin(), tail_values.end());
  soci::row row;
  soci::statement st(sql);
  st.alloc();
  st.prepare(query);
  for (const auto& [is_string, index] : order_) {
    if (is_string) {
      st.exchange(soci::use(strings_[index]));
    } else {
      st.exchange(soci::use(ints_[index]));
    }
  }
  for (const int64_t& v : tail_ints) st.exchange(soci::use(v));
  st.exchange(soci::into(row));
  st.define_and_bind();
  if (!st.execute(true)) return;
  do {
    fn(row);
  } while (st.fetch());
}

std::string RelevanceBand() {
  return "ROUND(COALESCE(s.rel / NULLIF(MAX(s.rel) OVER (), 0), 0) * 10)";
}

// FTS5 query with every word quoted: operators and wildcards in user input
// become plain text.
std::string Fts5Literal(const std::string& query) {
  std::vector<std::string> terms;
  for (absl::string_view word :
       absl::StrSplit(query, absl::ByAnyChar(" \t\n"), absl::SkipEmpty())) {
    terms.push_back(
        absl::StrCat("\"", absl::StrReplaceAll(word, {{"\"", "\"\""}}), "\""));
  }
  return absl::StrJoin(terms, " ");
}

// MySQL boolean-mode query requiring every word, each as a quoted phrase so
// operators (+ - * ~ < > ( ) @) in user input are plain text. A phrase cannot
// hold '"', which becomes a word break like other punctuation.
std::string MysqlBooleanLiteral(const std::string& query) {
  std::vector<std::string> terms;
  for (absl::string_view word :
       absl::StrSplit(query, absl::ByAnyChar(" \t\n"), absl::SkipEmpty())) {
    std::string w = absl::StrReplaceAll(word, {{"\"", " "}});
    if (absl::StripAsciiWhitespace(w).empty()) continue;
    terms.push_back(absl::StrCat("+\"", w, "\""));
  }
  return absl::StrJoin(terms, " ");
}

}  // namespace tokkit
