#include "services/common/metrics_interceptor.h"

#include <grpcpp/grpcpp.h>

#include <array>
#include <string>

#include "absl/time/clock.h"
#include "lib/core/metrics.h"

namespace tokkit {
namespace {

using grpc::experimental::InterceptionHookPoints;

// gRPC's code names, as Prometheus label values.
const char* CodeName(grpc::StatusCode code) {
  static constexpr std::array<const char*, 17> kNames = {"OK",
                                                         "CANCELLED",
                                                         "UNKNOWN",
                                                         "INVALID_ARGUMENT",
                                                         "DEADLINE_EXCEEDED",
                                                         "NOT_FOUND",
                                                         "ALREADY_EXISTS",
                                                         "PERMISSION_DENIED",
                                                         "RESOURCE_EXHAUSTED",
                                                         "FAILED_PRECONDITION",
                                                         "ABORTED",
                                                         "OUT_OF_RANGE",
                                                         "UNIMPLEMENTED",
                                                         "INTERNAL",
                                                         "UNAVAILABLE",
                                                         "DATA_LOSS",
                                                         "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i < static_cast<int>(kNames.size()) ? kNames[i] : "UNKNOWN";
}

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit MetricsInterceptor(grpc::experimental::ServerRpcInfo* info)
      : method_(info->method() != nullptr ? info->method() : "unknown"),
        start_(absl::Now()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      metrics::GetCounter(
          "tokkit_rpc_requests_total",
          "RPCs served, by method and status code.",
          {{"method", method_}, {"code", CodeName(status.error_code())}})
          .Increment();
      metrics::GetHistogram("tokkit_rpc_duration_seconds",
                            "RPC latency from request to status, by method.",
                            {{"method", method_}})
          .ObserveSeconds(absl::Now() - start_);
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  const absl::Time start_;
};

class Factory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(info);
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewMetricsInterceptorFactory() {
  return std::make_unique<Factory>();
}

}  // namespace tokkit
