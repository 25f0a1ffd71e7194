// Small helpers for repository implementations (the only code that sees
// SOCI). Not for domain headers.
#ifndef TOKKIT_LIB_STORE_SQL_SQL_UTIL_H_
#define TOKKIT_LIB_STORE_SQL_SQL_UTIL_H_

#include <soci/soci.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "absl/time/time.h"

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

// A SELECT whose WHERE clause depends on which filters a caller set. Only the
// active conditions appear in the text (so the planner sees plain indexable
// predicates, and no parameter is typed from an unrelated `:x = 0`); every
// value is bound, never spliced. Write '?' where a condition's value goes
// (every '?' of one condition binds the same value):
//
//   FilteredQuery q("SELECT id FROM spus");
//   q.Where("id < ?", before);
//   if (category != 0) q.Where("category_id = ?", category);
//   q.Each(sql, "ORDER BY id DESC LIMIT ?", limit, [&](const soci::row& r)
//   {..});
//
// WhereInOrder binds a different value to each '?' of one condition.
class FilteredQuery {
 public:
  explicit FilteredQuery(std::string select_from)
      : text_(std::move(select_from)) {}
  using Value = std::variant<int64_t, std::string>;
  // A select list with values of its own (e.g. a relevance score of the
  // query text): the i-th '?' binds values[i].
  FilteredQuery(const std::string& select_from,
                const std::vector<Value>& values);
  FilteredQuery& Where(const std::string& condition);
  FilteredQuery& Where(const std::string& condition, int64_t value);
  FilteredQuery& Where(const std::string& condition, const std::string& value);
  // A condition with several values: the i-th '?' binds values[i], e.g. a
  // keyset "(a, b) < (?, ?)" or an OR of terms. Throws std::logic_error
  // (INTERNAL from Database::Run) when the counts differ.
  FilteredQuery& WhereInOrder(const std::string& condition,
                              const std::vector<Value>& values);
  // Runs the query with `tail` appended (ORDER BY / LIMIT; '?' binds
  // `limit`), calling `fn` for each row.
  void Each(soci::session& sql, const std::string& tail, int64_t limit,
            const std::function<void(const soci::row&)>& fn);
  // Runs `prefix` + the query + `tail`, where '?' in `tail` binds
  // tail_values in order, e.g. the query wrapped in an outer ranking, or
  // "SELECT COUNT(*) FROM (" ... ") c". May run more than once.
  void Run(soci::session& sql, const std::string& prefix,
           const std::string& tail, const std::vector<int64_t>& tail_values,
           const std::function<void(const soci::row&)>& fn) const;
  const std::string& text() const { return text_; }

 private:
  std::string Placeholders(const std::string& fragment);
  // Binds values[i] to the i-th '?' of `fragment` (already numbered by
  // Placeholders); throws std::logic_error, naming `caller`, when the
  // counts differ.
  void BindInOrder(const std::string& fragment,
                   const std::vector<Value>& values, const char* caller);
  std::string text_;
  bool has_where_ = false;
  int params_ = 0;
  // Stable addresses: SOCI binds by reference.
  std::deque<int64_t> ints_;
  std::deque<std::string> strings_;
  std::vector<std::pair<bool, size_t>> order_;  // (is_string, index)
};

// The few statements MySQL/MariaDB spells differently from SQLite and
// PostgreSQL, chosen by the session's engine so each adapter stays one
// implementation.
bool IsMysql(soci::session& sql);
bool IsPostgres(soci::session& sql);

// "INSERT INTO <into_values>" that inserts nothing when a unique key already
// holds the row (0 affected rows): ON CONFLICT DO NOTHING, or INSERT IGNORE on
// MySQL. IGNORE also downgrades other errors (bad values, foreign keys) to
// warnings there, so use it only for rows of ids and counters the caller has
// already checked.
std::string InsertIgnoringDuplicate(soci::session& sql,
                                    const std::string& into_values);

// "INSERT INTO <into_values>" that applies `assignments` to the existing row
// when `key_columns` (the conflicting unique key) already hold one. On MySQL
// the assignments run left to right and each sees the ones before it: keep
// every assignment reading only its own column. The affected-row count
// differs by engine (MySQL says 2 for an update), so do not rely on it.
std::string Upsert(soci::session& sql, const std::string& into_values,
                   const std::string& key_columns,
                   const std::string& assignments);

// Full-text results ranked "by relevance, then something else": scores are
// floats that rarely tie, so relevance is compared in bands (tenths of the
// best hit's score). Over a derived table `s` with a `rel` column, as an
// ORDER BY term.
std::string RelevanceBand();

// Full-text query text that takes user input literally (operators and
// wildcards become plain words), for SQLite FTS5 MATCH and MySQL's boolean
// mode (every word required). PostgreSQL's plainto_tsquery needs none.
std::string Fts5Literal(const std::string& query);
std::string MysqlBooleanLiteral(const std::string& query);

// " FOR UPDATE" where the engine locks rows (PostgreSQL, MySQL); SQLite's
// transactions already hold the database's write lock.
std::string ForUpdate(soci::session& sql);

// Column readers that accept whatever integer type the backend reports
// (SQLite and PostgreSQL differ for SMALLINT, COUNT(*), expressions) and read
// NULL as 0 / "".
int64_t RowInt(const soci::row& row, size_t column);
std::string RowString(const soci::row& row, size_t column);
// NULL reads as `if_null`. SQLite reports expression columns (COALESCE, ...)
// without a declared type, so text is parsed too.
double RowDouble(const soci::row& row, size_t column, double if_null = 0);
inline bool RowBool(const soci::row& row, size_t column) {
  return RowInt(row, column) != 0;
}

// Times are stored as BIGINT milliseconds since the Unix epoch; 0 stands for
// "never" (absl::InfinitePast) in columns such as revoked_at_ms.
inline int64_t ToMillis(absl::Time t) {
  return t == absl::InfinitePast() ? 0 : absl::ToUnixMillis(t);
}
inline absl::Time FromMillis(int64_t ms) {
  return ms == 0 ? absl::InfinitePast() : absl::FromUnixMillis(ms);
}

}  // namespace tokkit

#endif  // TOKKIT_LIB_STORE_SQL_SQL_UTIL_H_
