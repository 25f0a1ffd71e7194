#include "lib/assistant/tool_schema.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace tokkit::assistant {
namespace {

using nlohmann::json;

const char* TypeName(Param::Type type) {
  switch (type) {
    case Param::Type::kInteger:
      return "integer";
    case Param::Type::kBoolean:
      return "boolean";
    case Param::Type::kString:
      return "string";
  }
  return "string";
}

}  // namespace

std::string JsonSchemaOf(const ToolSchema& schema) {
  json properties = json::object();
  json required = json::array();
  for (const Param& p : schema) {
    json property = {{"type", TypeName(p.type)},
                     {"description", p.description}};
    if (p.type == Param::Type::kInteger) {
      property["minimum"] = p.min;
      if (p.max != INT64_MAX) property["maximum"] = p.max;
    }
    if (p.type == Param::Type::kString) property["maxLength"] = p.max_length;
    properties[p.name] = std::move(property);
    if (p.required) required.push_back(p.name);
  }
  return json({{"type", "object"},
               {"properties", std::move(properties)},
               {"required", std::move(required)},
               {"additionalProperties", false}})
      .dump();
}

int64_t ToolArgs::Int(const std::string& name, int64_t otherwise) const {
  auto it = values_.find(name);
  if (it == values_.end()) return otherwise;
  const int64_t* v = std::get_if<int64_t>(&it->second);
  return v != nullptr ? *v : otherwise;
}

std::string ToolArgs::String(const std::string& name,
                             const std::string& otherwise) const {
  auto it = values_.find(name);
  if (it == values_.end()) return otherwise;
  const std::string* v = std::get_if<std::string>(&it->second);
  return v != nullptr ? *v : otherwise;
}

bool ToolArgs::Bool(const std::string& name, bool otherwise) const {
  auto it = values_.find(name);
  if (it == values_.end()) return otherwise;
  const bool* v = std::get_if<bool>(&it->second);
  return v != nullptr ? *v : otherwise;
}

std::string ToolArgs::ToJson() const {
  json out = json::object();
  for (const auto& [name, value] : values_) {
    std::visit([&, &n = name](const auto& v) { out[n] = v; }, value);
  }
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

absl::StatusOr<ToolArgs> ParseArguments(const ToolSchema& schema,
                                        const std::string& arguments) {
  const absl::string_view text = absl::StripAsciiWhitespace(arguments);
  json given = text.empty()
                   ? json::object()
                   : json::parse(text.begin(), text.end(), nullptr, false);
  if (given.is_discarded() || !given.is_object()) {
    return absl::InvalidArgumentError("arguments must be a JSON object");
  }
  ToolArgs out;
  for (const auto& [name, value] : given.items()) {
    const Param* param = nullptr;
    for (const Param& p : schema) {
      if (p.name == name) param = &p;
    }
    if (param == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown argument '", name.substr(0, 40), "'"));
    }
    if (value.is_null() && !param->required) continue;
    switch (param->type) {
      case Param::Type::kInteger: {
        // Models write ids as numbers or as strings of digits.
        int64_t v = 0;
        if (value.is_number_integer()) {
          if (value.is_number_unsigned() &&
              value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
            return absl::InvalidArgumentError(
                absl::StrCat("'", name, "' is out of range"));
          }
          v = value.get<int64_t>();
        } else if (value.is_string()) {
          const std::string s = value.get<std::string>();
          size_t used = 0;
          try {
            v = std::stoll(s, &used);
          } catch (const std::exception&) {
            used = 0;
          }
          if (s.empty() || used != s.size()) {
            return absl::InvalidArgumentError(
                absl::StrCat("'", name, "' must be an integer"));
          }
        } else {
          return absl::InvalidArgumentError(
              absl::StrCat("'", name, "' must be an integer"));
        }
        if (v < param->min || v > param->max) {
          return absl::InvalidArgumentError(absl::StrCat(
              "'", name, "' must be ", param->min, " to ", param->max));
        }
        out.values_[name] = v;
        break;
      }
      case Param::Type::kString:
        if (!value.is_string()) {
          return absl::InvalidArgumentError(
              absl::StrCat("'", name, "' must be a string"));
        }
        if (value.get<std::string>().size() > param->max_length) {
          return absl::InvalidArgumentError(absl::StrCat(
              "'", name, "' is over ", param->max_length, " bytes"));
        }
        out.values_[name] = value.get<std::string>();
        break;
      case Param::Type::kBoolean:
        if (!value.is_boolean()) {
          return absl::InvalidArgumentError(
              absl::StrCat("'", name, "' must be true or false"));
        }
        out.values_[name] = value.get<bool>();
        break;
    }
  }
  for (const Param& p : schema) {
    if (p.required && !out.Has(p.name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", p.name, "' is required"));
    }
  }
  return out;
}

}  // namespace tokkit::assistant
