// Status propagation macros. Debian's abseil (20220623) ships none, so tokkit
// defines them once here, modelled on the ones in absl/status internals.
#ifndef TOKKIT_LIB_CORE_STATUS_MACROS_H_
#define TOKKIT_LIB_CORE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    ::absl::Status tokkit_status_macro_status_ = (expr); \
    if (!tokkit_status_macro_status_.ok()) {             \
      return tokkit_status_macro_status_;                \
    }                                                    \
  } while (false)

#define TOKKIT_STATUS_CONCAT_INNER_(a, b) a##b
#define TOKKIT_STATUS_CONCAT_(a, b) TOKKIT_STATUS_CONCAT_INNER_(a, b)

#define TOKKIT_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) {                                    \
    return std::move(statusor).status();                   \
  }                                                        \
  lhs = std::move(statusor).value()

// Evaluates `expr` (an absl::StatusOr<T>); on error returns its status from
// the enclosing function, otherwise moves the value into `lhs`, which may be a
// declaration: ASSIGN_OR_RETURN(User user, repo.Find(id));
#define ASSIGN_OR_RETURN(lhs, expr)                                       \
  TOKKIT_ASSIGN_OR_RETURN_IMPL_(                                          \
      TOKKIT_STATUS_CONCAT_(tokkit_statusor_macro_value_, __LINE__), lhs, \
      expr)

#endif  // TOKKIT_LIB_CORE_STATUS_MACROS_H_
