#include "services/common/request_validation.h"

#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace tokkit {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr int kMaxDepth = 32;

absl::Status Unknown(const std::string& path, int value) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, " has no value ", value, " (unknown enum value)"));
}

absl::Status Walk(const Message& m, const std::string& prefix, int depth) {
  if (depth > kMaxDepth) {
    return absl::InvalidArgumentError("request nests too deeply");
  }
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    const std::string path = prefix.empty()
                                 ? std::string(f->name())
                                 : absl::StrCat(prefix, ".", f->name());
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      if (f->is_repeated()) {
        for (int i = 0, n = r->FieldSize(m, f); i < n; ++i) {
          const int v = r->GetRepeatedEnumValue(m, f, i);
          if (f->enum_type()->FindValueByNumber(v) == nullptr) {
            return Unknown(absl::StrCat(path, "[", i, "]"), v);
          }
        }
      } else {
        const int v = r->GetEnumValue(m, f);
        if (f->enum_type()->FindValueByNumber(v) == nullptr) {
          return Unknown(path, v);
        }
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_map()) continue;  // no enum-valued maps in our protos
      if (f->is_repeated()) {
        for (int i = 0, n = r->FieldSize(m, f); i < n; ++i) {
          absl::Status st = Walk(r->GetRepeatedMessage(m, f, i),
                                 absl::StrCat(path, "[", i, "]"), depth + 1);
          if (!st.ok()) return st;
        }
      } else {
        absl::Status st = Walk(r->GetMessage(m, f), path, depth + 1);
        if (!st.ok()) return st;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRequest(const Message& request) {
  return Walk(request, "", 0);
}

}  // namespace tokkit
