// Generic JSON <-> protobuf for any RPC linked into the process, found by
// its Connect path "/<package>.<Service>/<Method>" in the generated
// descriptor pool: a new RPC needs no gateway code.
#ifndef TOKKIT_SERVICES_GATEWAY_TRANSCODER_H_
#define TOKKIT_SERVICES_GATEWAY_TRANSCODER_H_

#include <google/protobuf/descriptor.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tokkit::gateway {

struct RpcMethod {
  const google::protobuf::MethodDescriptor* descriptor = nullptr;
  std::string grpc_path;  // "/tokkit.feed.v1.FeedService/GetVideo"
  bool client_streaming = false;
  bool server_streaming = false;
  bool unary() const { return !client_streaming && !server_streaming; }
};

// NOT_FOUND for a path that names no RPC of a "tokkit." package (only our
// own services are exposed, never gRPC's reflection or health internals).
absl::StatusOr<RpcMethod> FindRpc(absl::string_view http_path);

// protobuf's JSON mapping (lowerCamelCase or original field names accepted,
// unknown fields rejected). INVALID_ARGUMENT with the parser's message for
// malformed JSON, wrong types or invalid UTF-8; "" and "{}" are the empty
// message.
absl::StatusOr<std::string> JsonToBinary(
    const google::protobuf::Descriptor* type, absl::string_view json);
// INVALID_ARGUMENT when `binary` does not parse as `type`.
absl::StatusOr<std::string> BinaryToJson(
    const google::protobuf::Descriptor* type, absl::string_view binary);
// Checks that `binary` parses as `type` (for application/proto bodies).
absl::Status ValidateBinary(const google::protobuf::Descriptor* type,
                            absl::string_view binary);

// Well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool IsValidUtf8(absl::string_view s);

}  // namespace tokkit::gateway

#endif  // TOKKIT_SERVICES_GATEWAY_TRANSCODER_H_
