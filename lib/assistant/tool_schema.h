// Tool parameters: declared once, from which come both the JSON Schema the
// model is shown and the checks its arguments must pass. A model's
// arguments are untrusted text; a bad one is INVALID_ARGUMENT, answered to
// the model as the tool's result, never a crash.
#ifndef TOKKIT_LIB_ASSISTANT_TOOL_SCHEMA_H_
#define TOKKIT_LIB_ASSISTANT_TOOL_SCHEMA_H_

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace tokkit::assistant {

struct Param {
  enum class Type { kInteger, kString, kBoolean };
  std::string name;
  Type type = Type::kString;
  std::string description;
  bool required = false;
  int64_t min = 0;          // kInteger
  int64_t max = INT64_MAX;  // kInteger
  size_t max_length = 200;  // kString, in bytes
};

using ToolSchema = std::vector<Param>;

// {"type":"object","properties":{...},"required":[...],
//  "additionalProperties":false}
std::string JsonSchemaOf(const ToolSchema& schema);

// Arguments that passed their schema: only declared names, of their type
// and within their bounds.
class ToolArgs {
 public:
  using Value = std::variant<int64_t, std::string, bool>;
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  int64_t Int(const std::string& name, int64_t otherwise = 0) const;
  std::string String(const std::string& name,
                     const std::string& otherwise = "") const;
  bool Bool(const std::string& name, bool otherwise = false) const;
  // The arguments as canonical JSON (stored with a proposed action).
  std::string ToJson() const;

 private:
  friend absl::StatusOr<ToolArgs> ParseArguments(const ToolSchema&,
                                                 const std::string&);
  std::map<std::string, Value> values_;
};

// The model's argument text checked against `schema`. Empty text is an
// empty object (models send "" for tools without parameters).
absl::StatusOr<ToolArgs> ParseArguments(const ToolSchema& schema,
                                        const std::string& arguments);

}  // namespace tokkit::assistant

#endif  // TOKKIT_LIB_ASSISTANT_TOOL_SCHEMA_H_
