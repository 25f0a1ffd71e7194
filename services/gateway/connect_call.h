// One Connect RPC over HTTP, carried to the gRPC server as a generic call
// (raw bytes, any method), so the server's interceptors - auth, throttling,
// request ids, metrics - apply exactly as for native gRPC clients.
#ifndef TOKKIT_SERVICES_GATEWAY_CONNECT_CALL_H_
#define TOKKIT_SERVICES_GATEWAY_CONNECT_CALL_H_

#include <grpcpp/generic/generic_stub.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "services/gateway/connect_protocol.h"
#include "services/gateway/http_server.h"
#include "services/gateway/transcoder.h"

namespace tokkit::gateway {

// What of the HTTP request becomes gRPC metadata.
struct ForwardedCall {
  std::string authorization;  // "Bearer ..."
  std::string request_id;     // x-request-id, if the client sent one
  std::string traceparent;
  std::string client_address;  // becomes x-forwarded-for
  std::optional<absl::Duration> timeout;
  bool accepts_gzip = false;
};

struct ConnectLimits {
  int64_t max_unary_body_bytes = 8 << 20;
  int64_t max_message_bytes = 8 << 20;  // each streamed message
};

// Adds the gateway's own headers (CORS, ...) to every response head.
using Decorate = std::function<void(http::response_header<>&)>;

void ServeUnary(std::shared_ptr<Exchange> exchange, grpc::GenericStub* stub,
                const RpcMethod& rpc, connect::ContentType type,
                ForwardedCall call, const ConnectLimits& limits,
                Decorate decorate);
void ServeStream(std::shared_ptr<Exchange> exchange, grpc::GenericStub* stub,
                 const RpcMethod& rpc, connect::ContentType type,
                 ForwardedCall call, const ConnectLimits& limits,
                 Decorate decorate);

// A unary-style Connect error response (also for errors found before any
// call: unknown RPC, bad content type, oversized body).
StringResponse ConnectErrorResponse(const absl::Status& status,
                                    const std::string& request_id,
                                    const std::string& reason,
                                    const Decorate& decorate,
                                    int http_status_override = 0);

// grpc::ByteBuffer <-> bytes.
grpc::ByteBuffer ToByteBuffer(absl::string_view data);
std::string FromByteBuffer(const grpc::ByteBuffer& buffer);

// Applies `call` to a client context (metadata and deadline).
void ApplyForwarded(const ForwardedCall& call, grpc::ClientContext* context);

}  // namespace tokkit::gateway

#endif  // TOKKIT_SERVICES_GATEWAY_CONNECT_CALL_H_
