// gateway: the HTTP/JSON + WebSocket + media face of tokkit as its own
// process, in front of one or more tokkit gRPC servers (--upstream). Add
// this gateway's address to the servers' --trusted_proxies so per-client
// limits see the real client. tokkit_server has the same gateway built in
// (--http_listen); run this one to scale HTTP separately.
#include <gflags/gflags.h>

#include <atomic>
#include <csignal>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "lib/account/access_token.h"
#include "lib/core/log.h"
#include "lib/core/metrics.h"
#include "services/common/media_urls.h"
#include "services/common/signing_keys.h"
#include "services/gateway/gateway.h"

DEFINE_string(upstream, "127.0.0.1:50051",
              "gRPC target of the tokkit servers (host:port or dns:///name "
              "for several)");
DEFINE_string(http_listen, "127.0.0.1:8080", "host:port to serve HTTP on");
DEFINE_int32(http_max_connections, 10000,
             "open HTTP connections beyond which new ones are refused");
DEFINE_int32(http_max_chat_sockets, 10000,
             "open chat WebSockets beyond which upgrades get 503");
DEFINE_string(web_root, "", "directory of static files served under /");
DEFINE_string(cors_origins, "",
              "comma-separated origins allowed to call from a browser; * any");
DEFINE_double(http_user_rps, 20,
              "requests per second per signed-in user (bursts of 4x); 0: off");
DEFINE_double(http_source_rps, 100,
              "requests per second per client address (bursts of 4x); 0: off");
DEFINE_string(redis_url, "",
              "redis://host:port: share rate limits between gateways");
DEFINE_string(signing_key_file, "",
              "the servers' signing-key file: enables per-user limits and "
              "--signed_media_urls; empty: per-source limits only");
DEFINE_bool(signed_media_urls, false,
            "refuse media URLs without a valid signature");
DEFINE_string(trusted_proxies, "",
              "load balancers in front of this gateway whose "
              "X-Forwarded-For is believed");
DEFINE_string(metrics_listen, "127.0.0.1:9465",
              "host:port for Prometheus metrics; empty: off");
DEFINE_string(log_format, "text", "text or json");

namespace {
std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }
}  // namespace

int main(int argc, char** argv) {
  using namespace tokkit;  // NOLINT
  gflags::SetUsageMessage("gateway: tokkit over HTTP/JSON and WebSocket");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  auto fail = [](const absl::Status& st) {
    std::fprintf(stderr, "gateway: %s\n", st.ToString().c_str());
    return 1;
  };
  log::Options log_options;
  absl::StatusOr<log::Format> format = log::ParseFormat(FLAGS_log_format);
  if (!format.ok()) return fail(format.status());
  log_options.format = *format;
  if (absl::Status st = log::Configure(log_options); !st.ok()) return fail(st);

  gateway::GatewayOptions g;
  g.http.listen = FLAGS_http_listen;
  g.http.max_connections = FLAGS_http_max_connections;
  g.max_chat_sockets = FLAGS_http_max_chat_sockets;
  grpc::ChannelArguments args;
  args.SetLoadBalancingPolicyName("round_robin");
  g.channel = grpc::CreateCustomChannel(
      FLAGS_upstream, grpc::InsecureChannelCredentials(), args);
  std::unique_ptr<gateway::MediaSource> media =
      gateway::NewGrpcMediaSource(g.channel);
  g.media = media.get();
  g.web_root = FLAGS_web_root;
  g.cors_origins = gateway::ParseOrigins(FLAGS_cors_origins);
  absl::StatusOr<TrustedProxies> trusted =
      TrustedProxies::Parse(FLAGS_trusted_proxies);
  if (!trusted.ok()) return fail(trusted.status());
  g.trusted_proxies = *std::move(trusted);

  std::unique_ptr<account::AccessTokenCodec> codec;
  if (!FLAGS_signing_key_file.empty()) {
    absl::StatusOr<std::vector<account::SigningKey>> keys =
        LoadSigningKeys(FLAGS_signing_key_file);
    if (!keys.ok()) return fail(keys.status());
    absl::StatusOr<account::AccessTokenCodec> c =
        account::AccessTokenCodec::Create(*keys, Clock::Real());
    if (!c.ok()) return fail(c.status());
    codec = std::make_unique<account::AccessTokenCodec>(*std::move(c));
    g.user_of_token = gateway::UserOfToken(codec.get());
    if (FLAGS_signed_media_urls) {
      g.require_signed_media.emplace(MediaSigningKey(*keys));
    }
  } else if (FLAGS_signed_media_urls) {
    return fail(absl::InvalidArgumentError(
        "--signed_media_urls needs --signing_key_file"));
  }
  absl::StatusOr<std::unique_ptr<gateway::RateLimiter>> limiter =
      gateway::NewRateLimiter(FLAGS_redis_url);
  if (!limiter.ok()) return fail(limiter.status());
  g.rate_limiter = limiter->get();
  g.per_user = gateway::RateLimit::WithBurstOf4(FLAGS_http_user_rps);
  g.per_source = gateway::RateLimit::WithBurstOf4(FLAGS_http_source_rps);

  absl::StatusOr<std::unique_ptr<gateway::Gateway>> gw =
      gateway::Gateway::Start(std::move(g));
  if (!gw.ok()) return fail(gw.status());
  std::unique_ptr<metrics::Server> metrics_server;
  if (!FLAGS_metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<metrics::Server>> m =
        metrics::Serve(FLAGS_metrics_listen);
    if (!m.ok()) return fail(m.status());
    metrics_server = *std::move(m);
  }
  const std::string host =
      FLAGS_http_listen.substr(0, FLAGS_http_listen.rfind(':'));
  std::printf("gateway HTTP on http://%s:%d/ (upstream %s)\n", host.c_str(),
              (*gw)->port(), FLAGS_upstream.c_str());
  std::fflush(stdout);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  while (!g_stop.load()) absl::SleepFor(absl::Milliseconds(100));
  std::printf("gateway shutting down\n");
  (*gw)->Stop(absl::Seconds(5));
  return 0;
}
