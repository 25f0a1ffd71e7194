// Per-RPC metrics for every gRPC call (and so for every HTTP call the
// gateway turns into one): tokkit_rpc_requests_total{method, code} and
// tokkit_rpc_duration_seconds{method}, from the first metadata to the status.
#ifndef TOKKIT_SERVICES_COMMON_METRICS_INTERCEPTOR_H_
#define TOKKIT_SERVICES_COMMON_METRICS_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>

namespace tokkit {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewMetricsInterceptorFactory();

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMON_METRICS_INTERCEPTOR_H_
