// The HTTP face of tokkit: every RPC over the Connect protocol (JSON or
// binary, unary and streaming), chat over WebSocket, media with byte ranges
// and validators, the example web app's static files, CORS and per-user /
// per-source rate limits. It talks to the gRPC server through a channel (the
// server's in-process channel in tokkit_server, a network channel in
// services/gateway), so it holds no domain logic and needs no code per RPC.
#ifndef TOKKIT_SERVICES_GATEWAY_GATEWAY_H_
#define TOKKIT_SERVICES_GATEWAY_GATEWAY_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/account/access_token.h"
#include "lib/core/clock.h"
#include "services/common/client_address.h"
#include "services/gateway/chat_socket.h"
#include "services/gateway/connect_call.h"
#include "services/gateway/http_media.h"
#include "services/gateway/http_server.h"
#include "services/gateway/media_source.h"
#include "services/gateway/rate_limiter.h"

namespace tokkit::gateway {

struct GatewayOptions {
  HttpServerOptions http;
  std::shared_ptr<grpc::Channel> channel;  // to the gRPC server
  MediaSource* media = nullptr;            // nullptr: /media/v1/ is 404
  // Set: media URLs must carry a valid signature (see MediaUrlSigner).
  std::optional<MediaUrlSigner> require_signed_media;
  // Origins allowed to call from a browser ("*": any); empty: none.
  std::vector<std::string> cors_origins;
  std::string web_root;                 // static files served under /; "" none
  RateLimiter* rate_limiter = nullptr;  // nullptr: no limits
  RateLimit per_user;
  RateLimit per_source;
  // The user id a bearer token belongs to (0: not a valid token), for the
  // per-user limit. Must not block.
  std::function<int64_t(absl::string_view token)> user_of_token;
  // Load balancers in front of the gateway whose X-Forwarded-For is
  // believed.
  TrustedProxies trusted_proxies;
  ConnectLimits connect;
  // Open chat WebSockets beyond which upgrades get 503 (each holds a gRPC
  // stream and buffers; they leave http.max_connections once upgraded).
  int max_chat_sockets = 10000;
  const Clock* clock = Clock::Real();
};

class Gateway : public Router {
 public:
  static absl::StatusOr<std::unique_ptr<Gateway>> Start(GatewayOptions options);
  ~Gateway() override;

  int port() const { return server_->port(); }
  // Closes chat sockets ("going away"), then drains HTTP for up to `grace`.
  void Stop(absl::Duration grace);

  void Handle(std::shared_ptr<Exchange> exchange) override;
  WebSocketHandler websocket_handler(const RequestHead& request) override;

 private:
  explicit Gateway(GatewayOptions options);
  void Route(std::shared_ptr<Exchange> exchange, ForwardedCall call,
             Decorate decorate);
  void ServeConnect(std::shared_ptr<Exchange> exchange, absl::string_view path,
                    ForwardedCall call, Decorate decorate);
  void ServeMedia(const std::shared_ptr<Exchange>& exchange,
                  absl::string_view path, absl::string_view query,
                  const Decorate& decorate);
  void ServeStatic(const std::shared_ptr<Exchange>& exchange,
                   absl::string_view path, const Decorate& decorate);
  void ServeObject(const std::shared_ptr<Exchange>& exchange,
                   absl::StatusOr<MediaObject> object,
                   std::string cache_control, const Decorate& decorate);
  bool OriginAllowed(absl::string_view origin) const;
  // What of a request's head travels on to the gRPC call.
  ForwardedCall Forwarded(const RequestHead& request,
                          absl::string_view peer) const;

  GatewayOptions options_;
  grpc::GenericStub stub_;
  std::shared_ptr<ChatSocketRegistry> chat_sockets_;
  std::unique_ptr<HttpServer> server_;
};

// Helpers shared by the binaries and tests.
// The origins of a --cors_origins list ("a, b"; "*" any).
std::vector<std::string> ParseOrigins(absl::string_view list);
// The user a bearer token names when its signature checks out, else 0 (no
// database: it only picks the per-user rate-limit bucket).
std::function<int64_t(absl::string_view)> UserOfToken(
    const account::AccessTokenCodec* codec);
// "Retry-After" seconds for a wait (at least 1).
int RetryAfterSeconds(absl::Duration wait);
// The MIME type of a static file by its extension.
std::string StaticContentType(absl::string_view path);

}  // namespace tokkit::gateway

#endif  // TOKKIT_SERVICES_GATEWAY_GATEWAY_H_
