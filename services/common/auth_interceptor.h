// Bearer-token authentication for every gRPC service.
//
// The interceptor reads `authorization: Bearer <token>` from each call's
// initial metadata, verifies it with the Authenticator (signature, expiry,
// session still live, user not banned) and records the outcome against the
// call. Handlers ask CallerOf(context): they get the Principal, or the reason
// the call is not authenticated; public RPCs (Register, Login) simply do not
// ask. The outcome is dropped when the call ends.
#ifndef TOKKIT_SERVICES_COMMON_AUTH_INTERCEPTOR_H_
#define TOKKIT_SERVICES_COMMON_AUTH_INTERCEPTOR_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "lib/account/principal.h"
#include "services/common/client_address.h"

namespace tokkit {

// Also resolves each call's client address (client_address.h), believing
// X-Forwarded-For only from `trusted_proxies`.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewAuthInterceptorFactory(account::Authenticator* authenticator,
                          TrustedProxies trusted_proxies = {});

// The authenticated caller of the call `context` belongs to.
// UNAUTHENTICATED when no token was sent or it was refused; PERMISSION_DENIED
// for a banned account.
absl::StatusOr<account::Principal> CallerOf(grpc::ServerContextBase* context);

// For public RPCs: 0 when the call carries no token, the caller's user id
// when it carries a valid one, and the error when it carries a bad one (a
// client that sent a token expects it to count).
absl::StatusOr<int64_t> ViewerOf(grpc::ServerContextBase* context);

// The client's address without the port, for per-source limits: the TCP
// peer, or the forwarded client when the peer is a trusted proxy.
std::string ClientAddressOf(const grpc::ServerContextBase* context);

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMON_AUTH_INTERCEPTOR_H_
