#include "services/gateway/transcoder.h"

#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace tokkit::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::Message;
using google::protobuf::MessageFactory;

std::unique_ptr<Message> NewMessage(const Descriptor* type) {
  const Message* prototype =
      MessageFactory::generated_factory()->GetPrototype(type);
  return std::unique_ptr<Message>(prototype->New());
}

}  // namespace

absl::StatusOr<RpcMethod> FindRpc(absl::string_view http_path) {
  absl::string_view path = http_path;
  if (!absl::ConsumePrefix(&path, "/") || !absl::StartsWith(path, "tokkit.")) {
    return absl::NotFoundError(absl::StrCat("no RPC at ", http_path));
  }
  const size_t slash = path.find('/');
  if (slash == absl::string_view::npos) {
    return absl::NotFoundError(absl::StrCat("no RPC at ", http_path));
  }
  const auto* service = DescriptorPool::generated_pool()->FindServiceByName(
      std::string(path.substr(0, slash)));
  const auto* method =
      service == nullptr
          ? nullptr
          : service->FindMethodByName(std::string(path.substr(slash + 1)));
  if (method == nullptr) {
    return absl::NotFoundError(absl::StrCat("no RPC at ", http_path));
  }
  RpcMethod rpc;
  rpc.descriptor = method;
  rpc.grpc_path = absl::StrCat("/", service->full_name(), "/", method->name());
  rpc.client_streaming = method->client_streaming();
  rpc.server_streaming = method->server_streaming();
  return rpc;
}

absl::StatusOr<std::string> JsonToBinary(const Descriptor* type,
                                         absl::string_view json) {
  if (!IsValidUtf8(json)) {
    return absl::InvalidArgumentError("request body is not valid UTF-8");
  }
  std::unique_ptr<Message> message = NewMessage(type);
  absl::string_view trimmed = absl::StripAsciiWhitespace(json);
  if (!trimmed.empty()) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto st = google::protobuf::util::JsonStringToMessage(
        std::string(trimmed), message.get(), options);
    if (!st.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid JSON for ", type->full_name(), ": ",
                       std::string(st.message())));
    }
  }
  std::string out;
  if (!message->SerializeToString(&out)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ", type->full_name()));
  }
  // Escapes such as "\ud800" decode to text that is not UTF-8; the service
  // would refuse the bytes, so refuse them here with a clear message.
  if (absl::Status st = ValidateBinary(type, out); !st.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid JSON for ", type->full_name(),
                     ": a string is not valid UTF-8 after unescaping"));
  }
  return out;
}

absl::Status ValidateBinary(const Descriptor* type, absl::string_view binary) {
  std::unique_ptr<Message> message = NewMessage(type);
  if (!message->ParseFromArray(binary.data(),
                               static_cast<int>(binary.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("body is not a valid ", type->full_name()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> BinaryToJson(const Descriptor* type,
                                         absl::string_view binary) {
  std::unique_ptr<Message> message = NewMessage(type);
  if (!message->ParseFromArray(binary.data(),
                               static_cast<int>(binary.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a valid ", type->full_name()));
  }
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  auto st =
      google::protobuf::util::MessageToJsonString(*message, &out, options);
  if (!st.ok()) return absl::InternalError(std::string(st.message()));
  return out;
}

bool IsValidUtf8(absl::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

}  // namespace tokkit::gateway
