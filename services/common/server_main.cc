#include "services/common/server_main.h"

#include <gflags/gflags.h>
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "lib/account/access_token.h"
#include "lib/core/crypto.h"
#include "lib/core/log.h"
#include "lib/core/metrics.h"
#include "lib/core/status_macros.h"
#include "services/common/media_urls.h"
#include "services/common/server.h"
#include "services/common/signing_keys.h"
#include "services/gateway/gateway.h"

DEFINE_string(listen, "127.0.0.1:50051",
              "host:port to serve gRPC on (port 0 picks a free port)");
DEFINE_string(data_dir, "./tokkit-data",
              "directory for the SQLite database, blobs and the signing key");
DEFINE_string(database_url, "",
              "sqlite:<path>, postgresql://user@host:port/db or "
              "mysql://user:pass@host:port/db; default: "
              "sqlite:<data_dir>/tokkit.db");
DEFINE_string(blob_dir, "", "blob store root; default: <data_dir>/blobs");
DEFINE_bool(stock_gate, false,
            "with --redis_url: a copy of each ordered SKU's stock in Redis "
            "refuses orders for sold-out SKUs before the database "
            "transaction (flash sales); the database stays the source of "
            "truth");
DEFINE_string(blob_url, "",
              "media on an S3-compatible store shared by every replica: "
              "s3://<bucket>[/<prefix>]?endpoint=<http(s)://host[:port]>"
              "[&region=<region>]; credentials from AWS_ACCESS_KEY_ID and "
              "AWS_SECRET_ACCESS_KEY or --blob_credentials_file");
DEFINE_string(blob_credentials_file, "",
              "file with the S3 access key id on its first line and the "
              "secret on its second");
DEFINE_int32(media_redirect_seconds, 300,
             "with --blob_url: the HTTP gateway answers a media GET with a "
             "redirect to a presigned storage URL valid this long, so bytes "
             "go straight from storage (0: the gateway streams them)");
DEFINE_string(signing_key_file, "",
              "access-token keys shared by all replicas; default: "
              "<data_dir>/signing.keys (created if missing)");
DEFINE_int64(worker_id, -1,
             "unique id of this replica (0..1023), part of every id; -1 "
             "leases a free one from the database");
DEFINE_string(admin, "",
              "grant the admin role to this existing username at start");
DEFINE_int32(db_pool_size, 8, "database connections per process");
DEFINE_string(trusted_proxies, "",
              "comma-separated addresses or CIDR blocks of load balancers / "
              "gateways whose X-Forwarded-For names the client (for "
              "per-client limits); empty: the TCP peer is the client");
DEFINE_string(metrics_listen, "",
              "host:port to serve Prometheus metrics on (/metrics); empty: "
              "off. tokkit_server serves them on 127.0.0.1:9464 by default");
DEFINE_string(log_level, "info", "debug, info, warning or error");
DEFINE_string(log_format, "text",
              "text (key=value) or json, one line per "
              "event");
DEFINE_bool(mutex_deadlock_detection, false,
            "abseil's lock-order checking on every mutex (a debugging aid; "
            "it serializes the server's threads on one global lock)");
DEFINE_string(log_file, "", "append logs to this file instead of stderr");
DEFINE_string(http_listen, "",
              "host:port for HTTP/JSON (Connect protocol), chat over "
              "WebSocket and media URLs; empty: off. tokkit_server serves "
              "them on 127.0.0.1:8080 by default");
DEFINE_int32(http_max_connections, 10000,
             "open HTTP connections beyond which new ones are refused");
DEFINE_int32(http_max_chat_sockets, 10000,
             "open chat WebSockets beyond which upgrades get 503");
DEFINE_string(web_root, "",
              "directory of static files served under / by the HTTP "
              "gateway (e.g. examples/web); empty: none");
DEFINE_string(cors_origins, "",
              "comma-separated origins allowed to call the HTTP API from a "
              "browser, e.g. https://app.example.com; * allows any");
DEFINE_double(http_user_rps, 20,
              "HTTP requests per second per signed-in user (bursts of 4x); "
              "0: no limit");
DEFINE_double(http_source_rps, 100,
              "HTTP requests per second per client address (bursts of 4x); "
              "0: no limit");
DEFINE_bool(signed_media_urls, false,
            "media URLs in responses carry an expiring HMAC signature and "
            "the HTTP gateway refuses unsigned ones (for CDNs)");
DEFINE_int64(media_url_ttl_seconds, 3600, "lifetime of signed media URLs");
DEFINE_string(redis_url, "",
              "redis://host:port: deliver events through a Redis stream (one "
              "replica tails the outbox) instead of every replica polling it");

DEFINE_string(assistant_url, "",
              "the shopping assistant's model server: an OpenAI-compatible "
              "base URL (http://127.0.0.1:8080 for llama.cpp's server, "
              "http://127.0.0.1:11434 for Ollama, https://api.openai.com); "
              "empty: the assistant answers FAILED_PRECONDITION");
DEFINE_string(assistant_model, "", "the model name the server knows");
DEFINE_string(assistant_api_key_file, "",
              "a file holding the model server's API key (first line); "
              "none: no key is sent");
DEFINE_int64(assistant_tokens_per_user_day, 200000,
             "the assistant's daily token allowance per user");

namespace tokkit {
namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

// Installed before anything can report "listening": a supervisor (or a
// test) that stops the server as soon as it is up must reach this handler,
// never the default action. sigaction keeps it installed for later signals.
void InstallStopHandlers() {
  struct sigaction action = {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace

int RunServerMain(int argc, char** argv, const std::string& name,
                  const ServiceFactory& make_services,
                  const ServerDefaults& defaults) {
  gflags::SetUsageMessage(absl::StrCat(name, ": tokkit gRPC server"));
  if (!defaults.metrics_listen.empty()) {
    gflags::SetCommandLineOptionWithMode("metrics_listen",
                                         defaults.metrics_listen.c_str(),
                                         gflags::SET_FLAGS_DEFAULT);
  }
  if (!defaults.http_listen.empty()) {
    gflags::SetCommandLineOptionWithMode(
        "http_listen", defaults.http_listen.c_str(), gflags::SET_FLAGS_DEFAULT);
  }
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  InstallStopHandlers();
  // Debian builds abseil without NDEBUG, which turns deadlock detection on:
  // every absl::Mutex::Lock then takes one process-wide lock to update a
  // lock-order graph. Tests keep it; a server turns it off unless asked.
  if (!FLAGS_mutex_deadlock_detection) {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  }
  auto fail = [&](const absl::Status& st) {
    log::Error("server_failed", {{"server", name}, {"error", st}});
    std::fprintf(stderr, "%s: %s\n", name.c_str(), st.ToString().c_str());
    return 1;
  };
  {
    log::Options log_options;
    absl::StatusOr<log::Level> level = log::ParseLevel(FLAGS_log_level);
    if (!level.ok()) return fail(level.status());
    absl::StatusOr<log::Format> format = log::ParseFormat(FLAGS_log_format);
    if (!format.ok()) return fail(format.status());
    log_options.min_level = *level;
    log_options.format = *format;
    log_options.file = FLAGS_log_file;
    if (absl::Status st = log::Configure(log_options); !st.ok())
      return fail(st);
  }
  ServerOptions server_options;
  {
    absl::StatusOr<TrustedProxies> trusted =
        TrustedProxies::Parse(FLAGS_trusted_proxies);
    if (!trusted.ok()) {
      return fail(absl::InvalidArgumentError(
          absl::StrCat("--trusted_proxies: ", trusted.status().message())));
    }
    server_options.trusted_proxies = *std::move(trusted);
  }

  std::error_code ec;
  std::filesystem::create_directories(FLAGS_data_dir, ec);
  if (ec) return fail(absl::InternalError(ec.message()));
  if (absl::Status st = InitCrypto(); !st.ok()) return fail(st);

  PlatformConfig config;
  config.database_url =
      FLAGS_database_url.empty()
          ? absl::StrCat("sqlite:", FLAGS_data_dir, "/tokkit.db")
          : FLAGS_database_url;
  config.database_pool_size = FLAGS_db_pool_size;
  config.blob_dir =
      FLAGS_blob_dir.empty() ? FLAGS_data_dir + "/blobs" : FLAGS_blob_dir;
  config.blob_url = FLAGS_blob_url;
  if (!FLAGS_blob_url.empty()) {
    if (!FLAGS_blob_credentials_file.empty()) {
      std::ifstream in(FLAGS_blob_credentials_file);
      if (!in) {
        return fail(absl::InvalidArgumentError(
            absl::StrCat("--blob_credentials_file: cannot read ",
                         FLAGS_blob_credentials_file)));
      }
      std::getline(in, config.blob_access_key);
      std::getline(in, config.blob_secret_key);
      config.blob_access_key =
          std::string(absl::StripAsciiWhitespace(config.blob_access_key));
      config.blob_secret_key =
          std::string(absl::StripAsciiWhitespace(config.blob_secret_key));
    } else {
      // Read at start-up, before the server's threads exist.
      // NOLINTNEXTLINE(concurrency-mt-unsafe)
      const char* id = std::getenv("AWS_ACCESS_KEY_ID");
      // NOLINTNEXTLINE(concurrency-mt-unsafe)
      const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
      config.blob_access_key = id ? id : "";
      config.blob_secret_key = secret ? secret : "";
    }
  }
  if (!FLAGS_assistant_url.empty()) {
    config.assistant_model.base_url = FLAGS_assistant_url;
    config.assistant_model.model = FLAGS_assistant_model;
    if (!FLAGS_assistant_api_key_file.empty()) {
      std::ifstream in(FLAGS_assistant_api_key_file);
      if (!in) {
        return fail(absl::InvalidArgumentError(
            absl::StrCat("--assistant_api_key_file: cannot read ",
                         FLAGS_assistant_api_key_file)));
      }
      std::getline(in, config.assistant_model.api_key);
      config.assistant_model.api_key = std::string(
          absl::StripAsciiWhitespace(config.assistant_model.api_key));
    }
  }
  config.assistant.max_tokens_per_user_day =
      FLAGS_assistant_tokens_per_user_day;
  config.worker_id = FLAGS_worker_id;
  config.redis_url = FLAGS_redis_url;
  config.stock_gate = FLAGS_stock_gate;
  absl::StatusOr<std::vector<account::SigningKey>> keys =
      LoadOrCreateSigningKeys(FLAGS_signing_key_file.empty()
                                  ? FLAGS_data_dir + "/signing.keys"
                                  : FLAGS_signing_key_file);
  if (!keys.ok()) return fail(keys.status());
  config.signing_keys = *keys;

  absl::StatusOr<std::unique_ptr<Platform>> platform = Platform::Open(config);
  if (!platform.ok()) return fail(platform.status());
  if (!FLAGS_admin.empty()) {
    if (absl::Status st = (*platform)->accounts().GrantAdmin(FLAGS_admin);
        !st.ok()) {
      return fail(absl::Status(st.code(), absl::StrCat("--admin=", FLAGS_admin,
                                                       ": ", st.message())));
    }
  }

  if (FLAGS_signed_media_urls) {
    SetMediaUrls(MediaUrls(MediaSigningKey(config.signing_keys),
                           absl::Seconds(FLAGS_media_url_ttl_seconds)));
  }
  std::vector<std::unique_ptr<grpc::Service>> services =
      make_services(**platform);
  std::vector<grpc::Service*> raw;
  raw.reserve(services.size());
  for (auto& s : services) raw.push_back(s.get());
  absl::StatusOr<RunningServer> server = StartServer(
      FLAGS_listen, raw, &(*platform)->authenticator(), server_options);
  if (!server.ok()) return fail(server.status());

  // The HTTP gateway reaches the services through the server's in-process
  // channel: the same interceptors, no extra hop.
  std::unique_ptr<gateway::MediaSource> media_source;
  std::unique_ptr<gateway::RateLimiter> rate_limiter;
  std::unique_ptr<gateway::Gateway> http_gateway;
  std::unique_ptr<account::AccessTokenCodec> token_codec;
  if (!FLAGS_http_listen.empty()) {
    gateway::GatewayOptions g;
    g.http.listen = FLAGS_http_listen;
    g.http.max_connections = FLAGS_http_max_connections;
    g.max_chat_sockets = FLAGS_http_max_chat_sockets;
    g.channel = server->server->InProcessChannel(grpc::ChannelArguments());
    media_source = gateway::NewPlatformMediaSource(
        platform->get(), FLAGS_blob_url.empty()
                             ? absl::ZeroDuration()
                             : absl::Seconds(FLAGS_media_redirect_seconds));
    g.media = media_source.get();
    if (FLAGS_signed_media_urls) {
      g.require_signed_media.emplace(MediaSigningKey(config.signing_keys));
    }
    g.cors_origins = gateway::ParseOrigins(FLAGS_cors_origins);
    g.web_root = FLAGS_web_root;
    g.trusted_proxies = server_options.trusted_proxies;
    absl::StatusOr<std::unique_ptr<gateway::RateLimiter>> limiter =
        gateway::NewRateLimiter(FLAGS_redis_url);
    if (!limiter.ok()) return fail(limiter.status());
    rate_limiter = *std::move(limiter);
    g.rate_limiter = rate_limiter.get();
    g.per_user = gateway::RateLimit::WithBurstOf4(FLAGS_http_user_rps);
    g.per_source = gateway::RateLimit::WithBurstOf4(FLAGS_http_source_rps);
    absl::StatusOr<account::AccessTokenCodec> codec =
        account::AccessTokenCodec::Create(config.signing_keys, Clock::Real());
    if (!codec.ok()) return fail(codec.status());
    token_codec =
        std::make_unique<account::AccessTokenCodec>(*std::move(codec));
    g.user_of_token = gateway::UserOfToken(token_codec.get());
    absl::StatusOr<std::unique_ptr<gateway::Gateway>> started =
        gateway::Gateway::Start(std::move(g));
    gflags::CommandLineFlagInfo info;
    gflags::GetCommandLineFlagInfo("http_listen", &info);
    if (!started.ok() &&
        (!info.is_default ||
         started.status().code() != absl::StatusCode::kUnavailable)) {
      return fail(started.status());
    }
    if (!started.ok()) {
      log::Warning("http_unavailable", {{"error", started.status()}});
    } else {
      http_gateway = *std::move(started);
      const std::string http_host =
          FLAGS_http_listen.substr(0, FLAGS_http_listen.rfind(':'));
      std::printf("%s HTTP on http://%s:%d/\n", name.c_str(), http_host.c_str(),
                  http_gateway->port());
      std::fflush(stdout);
    }
  }

  const std::string host = FLAGS_listen.substr(0, FLAGS_listen.rfind(':'));
  // Credentials in the database URL never reach a terminal or a log.
  const std::string database = log::RedactUrl(config.database_url);
  std::printf("%s listening on %s:%d (database %s, data %s, worker %lld)\n",
              name.c_str(), host.c_str(), server->port, database.c_str(),
              FLAGS_data_dir.c_str(),
              static_cast<long long>((*platform)->worker_id()));
  std::fflush(stdout);
  log::Info("server_started",
            {{"server", name},
             {"listen", absl::StrCat(host, ":", server->port)},
             {"database", database},
             {"worker_id", (*platform)->worker_id()}});

  std::unique_ptr<metrics::Server> metrics_server;
  if (!FLAGS_metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<metrics::Server>> served =
        metrics::Serve(FLAGS_metrics_listen);
    gflags::CommandLineFlagInfo info;
    gflags::GetCommandLineFlagInfo("metrics_listen", &info);
    if (!served.ok() && !info.is_default) return fail(served.status());
    if (!served.ok()) {
      // The default port is taken (another instance on this host): serve
      // without metrics rather than not at all.
      log::Warning("metrics_unavailable", {{"error", served.status()}});
    } else {
      metrics_server = *std::move(served);
      const std::string metrics_host =
          FLAGS_metrics_listen.substr(0, FLAGS_metrics_listen.rfind(':'));
      std::printf("%s metrics on http://%s:%d/metrics\n", name.c_str(),
                  metrics_host.c_str(), metrics_server->port());
      std::fflush(stdout);
    }
  }

  while (!g_stop.load()) absl::SleepFor(absl::Milliseconds(100));
  std::printf("%s shutting down\n", name.c_str());
  log::Info("server_stopping", {{"server", name}});
  if (http_gateway != nullptr) http_gateway->Stop(absl::Seconds(5));
  server->server->Shutdown(std::chrono::system_clock::now() +
                           std::chrono::seconds(5));
  return 0;
}

}  // namespace tokkit
