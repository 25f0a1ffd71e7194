#include "services/common/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>

#include "absl/strings/str_cat.h"
#include "services/common/auth_interceptor.h"
#include "services/common/metrics_interceptor.h"
#include "services/common/protobuf_logs.h"

namespace tokkit {

absl::StatusOr<RunningServer> StartServer(
    const std::string& address, const std::vector<grpc::Service*>& services,
    account::Authenticator* authenticator, const ServerOptions& options) {
  RouteProtobufLogs();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  RunningServer running;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(),
                           &running.port);
  // Streams carry media in chunks; no single message needs more than this.
  builder.SetMaxReceiveMessageSize(8 << 20);
  // The synchronous services' threads: gRPC's default keeps at most two idle
  // pollers and ends every other thread as soon as it is idle, so under load
  // it created and destroyed threads by the thousand per second. Idle
  // threads are kept instead (they cost only their stacks), and the total
  // is bounded.
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 64);
  grpc::ResourceQuota quota("tokkit-server");
  quota.SetMaxThreads(512);
  builder.SetResourceQuota(quota);
  for (grpc::Service* s : services) builder.RegisterService(s);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(NewMetricsInterceptorFactory());
  interceptors.push_back(
      NewAuthInterceptorFactory(authenticator, options.trusted_proxies));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  running.server = builder.BuildAndStart();
  if (running.server == nullptr || running.port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address));
  }
  return running;
}

}  // namespace tokkit
