// The HTTP gateway against its baselines, measured in one run on one
// machine with the same clients and the same concurrency:
//   - unary RPCs: FeedService/GetVideo as Connect JSON (and Connect binary)
//     through the gateway, against the same RPC over native gRPC to the same
//     tokkit_server process (goal: >= 0.5x the gRPC QPS);
//   - media: 1 MiB range GETs and whole-file GETs of one video from the
//     gateway, against Debian's nginx serving the same bytes from a file on
//     the same disk (goal: >= 0.5x nginx's throughput), with the server's
//     resident memory before and after (goal: flat).
//
//   bazel run -c opt //tools/bench:gateway_bench
//   bazel run -c opt //tools/bench:gateway_bench -- --seconds=5
//   --connections=16
//
// The server is the real tokkit_server binary (embedded default: SQLite and
// local blobs) started as a child process with rate limits off; nginx runs
// with sendfile on, as operators run it.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gflags/gflags.h"
#include "proto/tokkit/feed/v1/feed.grpc.pb.h"
#include "services/gateway/connect_protocol.h"
#include "tools/bench/bench_process.h"

DEFINE_string(server, "services/tokkit_server/tokkit_server",
              "the tokkit_server binary (default: from the runfiles)");
DEFINE_string(nginx, "/usr/sbin/nginx", "Debian's nginx");
DEFINE_double(seconds, 3, "measured seconds per case (after 1 s of warm-up)");
DEFINE_int32(connections, 8, "concurrent clients, each on its own connection");
DEFINE_int32(video_mib, 8, "size of the video served in the media cases");

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace feedpb = tokkit::feed::v1;

using tokkit::bench::Child;
using tokkit::bench::Die;
using tokkit::bench::ReadFile;

// One keep-alive HTTP/1.1 connection, used by one thread.
class HttpConnection {
 public:
  explicit HttpConnection(int port) : stream_(io_) {
    stream_.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                           static_cast<unsigned short>(port)));
    stream_.socket().set_option(net::ip::tcp::no_delay(true));
  }
  // Sends `req`; returns the status and adds the body size to *bytes.
  int Do(http::request<http::string_body>& req, int64_t* bytes,
         std::string* body = nullptr) {
    http::write(stream_, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(int64_t{1} << 32);
    http::read(stream_, buffer_, parser);
    *bytes += static_cast<int64_t>(parser.get().body().size());
    if (body != nullptr) *body = std::move(parser.get().body());
    return static_cast<int>(parser.get().result_int());
  }

 private:
  net::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

http::request<http::string_body> Post(const std::string& target,
                                      const std::string& type, std::string body,
                                      const std::string& token = "") {
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, type);
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

struct Result {
  double per_second = 0;  // requests
  double mib_per_second = 0;
  int64_t errors = 0;
};

// `connections` threads, each with its own client from `make`, calling it
// for 1 s of warm-up and then `seconds` measured. A call returns false on a
// wrong answer and adds the bytes it received.
Result RunLoad(
    const std::function<std::function<bool(int64_t*)>(int thread)>& make) {
  std::atomic<int> phase{0};  // 0 warm-up, 1 measuring, 2 stop
  std::atomic<int64_t> requests{0}, bytes{0}, errors{0};
  std::vector<std::thread> threads;
  threads.reserve(FLAGS_connections);
  for (int t = 0; t < FLAGS_connections; ++t) {
    threads.emplace_back([&, t] {
      std::function<bool(int64_t*)> call = make(t);
      int64_t n = 0, b = 0, e = 0;
      while (phase.load() < 2) {
        const bool measuring = phase.load() == 1;
        int64_t got = 0;
        bool ok = false;
        try {
          ok = call(&got);
        } catch (const std::exception&) {
          ok = false;
        }
        if (measuring) {
          ++n;
          b += got;
          if (!ok) ++e;
        }
      }
      requests += n;
      bytes += b;
      errors += e;
    });
  }
  absl::SleepFor(absl::Seconds(1));
  phase = 1;
  const absl::Time start = absl::Now();
  absl::SleepFor(absl::Seconds(FLAGS_seconds));
  phase = 2;
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
  for (auto& t : threads) t.join();
  return {static_cast<double>(requests) / elapsed,
          static_cast<double>(bytes) / elapsed / (1 << 20), errors.load()};
}

std::string JsonField(const std::string& json, const std::string& name) {
  std::smatch m;
  std::regex re(absl::StrCat("\"", name, R"(\"\s*:\s*\"([^\"]*)\")"));
  return std::regex_search(json, m, re) ? std::string(m[1]) : "";
}

// A Markdown table's head; Row() lines follow.
void Header(const std::string& title, const std::string& measure) {
  std::printf("| %-44s | %15s | %6s | %-8s |\n", title.c_str(), measure.c_str(),
              "ratio", "goal");
  std::printf("|%s|%s|%s|%s|\n", std::string(46, '-').c_str(),
              std::string(17, '-').c_str(), std::string(8, '-').c_str(),
              std::string(10, '-').c_str());
}

void Row(const std::string& name, double value, const std::string& unit,
         double baseline, const std::string& goal, int64_t errors) {
  std::printf("| %-44s | %9.0f %-5s | %5.2fx | %-8s |%s\n", name.c_str(), value,
              unit.c_str(), value / baseline, goal.c_str(),
              errors ? absl::StrCat(" ", errors, " errors").c_str() : "");
}

}  // namespace

int Run();

int main(int argc, char** argv) {
  return tokkit::bench::RunMain(argc, argv, "gateway_bench", &Run);
}

int Run() {
  signal(SIGPIPE, SIG_IGN);
  const std::string dir = absl::StrCat("/tmp/tokkit-gateway-bench-", getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/www");
  std::filesystem::permissions(dir, std::filesystem::perms(0755));
  std::filesystem::permissions(dir + "/www", std::filesystem::perms(0755));

  Child server(
      {FLAGS_server, "--data_dir=" + dir + "/data", "--listen=127.0.0.1:0",
       "--http_listen=127.0.0.1:0", "--metrics_listen=", "--http_user_rps=0",
       "--http_source_rps=0", "--log_level=warning"},
      dir + "/server.log");
  const int grpc_port =
      std::stoi(server.WaitForLog(R"(listening on 127\.0\.0\.1:(\d+))"));
  const int http_port =
      std::stoi(server.WaitForLog(R"(HTTP on http://127\.0\.0\.1:(\d+)/)"));

  // A user and one video, published through the gateway.
  std::string video = std::string(
      "\0\0\0\x18"
      "ftypmp42",
      12);
  std::mt19937_64 rng(42);
  while (video.size() < (static_cast<size_t>(FLAGS_video_mib) << 20)) {
    video.push_back(static_cast<char>(rng()));
  }
  std::string token, video_id;
  {
    HttpConnection c(http_port);
    int64_t unused = 0;
    std::string body;
    auto reg =
        Post("/tokkit.account.v1.AccountService/Register", "application/json",
             R"({"username":"bench","email":"bench@example.com",)"
             R"("password":"quiet-harbor-77"})");
    if (c.Do(reg, &unused, &body) != 200) Die("register: " + body);
    auto login =
        Post("/tokkit.account.v1.AccountService/Login", "application/json",
             R"({"login":"bench","password":"quiet-harbor-77"})");
    if (c.Do(login, &unused, &body) != 200) Die("login: " + body);
    token = JsonField(body, "accessToken");
    std::string upload = tokkit::connect::EncodeEnvelope(
        0, R"({"metadata":{"title":"Benchmark video"}})");
    for (size_t at = 0; at < video.size(); at += 64 << 10) {
      upload += tokkit::connect::EncodeEnvelope(
          0, absl::StrCat(R"({"videoChunk":")",
                          absl::Base64Escape(video.substr(at, 64 << 10)),
                          R"("})"));
    }
    auto publish = Post("/tokkit.feed.v1.FeedService/PublishVideo",
                        "application/connect+json", std::move(upload), token);
    if (c.Do(publish, &unused, &body) != 200) Die("publish: " + body);
    video_id = JsonField(body, "id");
    if (video_id.empty()) Die("publish: " + body);
  }
  {
    std::ofstream out(dir + "/www/video.mp4", std::ios::binary);
    out << video;
  }
  chmod((dir + "/www/video.mp4").c_str(), 0644);

  // nginx as operators run it: sendfile, keep-alive, no access log.
  const int nginx_port = [] {
    net::io_context io;
    net::ip::tcp::acceptor a(io, {net::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
  }();
  {
    std::ofstream conf(dir + "/nginx.conf");
    conf << "worker_processes 2;\n"
         << "pid " << dir << "/nginx.pid;\n"
         << "error_log " << dir << "/nginx-error.log;\n"
         << "events { worker_connections 1024; }\n"
         << "http {\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n"
         << "  keepalive_requests 1000000;\n"
         << "  types { video/mp4 mp4; }\n"
         << "  client_body_temp_path " << dir << "/tmp;\n"
         << "  proxy_temp_path " << dir << "/tmp;\n"
         << "  fastcgi_temp_path " << dir << "/tmp;\n"
         << "  uwsgi_temp_path " << dir << "/tmp;\n"
         << "  scgi_temp_path " << dir << "/tmp;\n"
         << "  server {\n    listen 127.0.0.1:" << nginx_port << ";\n"
         << "    root " << dir << "/www;\n  }\n}\n";
  }
  Child nginx(
      {FLAGS_nginx, "-p", dir, "-c", dir + "/nginx.conf", "-g", "daemon off;"},
      dir + "/nginx.log");
  for (int i = 0;; ++i) {
    try {
      HttpConnection probe(nginx_port);
      break;
    } catch (const std::exception&) {
      if (i > 100) Die("nginx did not start: " + ReadFile(dir + "/nginx.log"));
      absl::SleepFor(absl::Milliseconds(50));
    }
  }

  std::printf(
      "tokkit gateway benchmark: %d connections, %.0f s per case, "
      "%d cores\n\n",
      FLAGS_connections, FLAGS_seconds,
      static_cast<int>(std::thread::hardware_concurrency()));

  // --- unary -------------------------------------------------------------
  feedpb::VideoRequest get_video;
  get_video.set_video_id(std::stoll(video_id));
  const std::string get_video_binary = get_video.SerializeAsString();
  const std::string get_video_json =
      absl::StrCat(R"({"videoId":")", video_id, R"("})");
  Result grpc_result = RunLoad([&](int thread) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // own connection
    args.SetInt("tokkit.bench.thread", thread);
    auto channel =
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", grpc_port),
                                  grpc::InsecureChannelCredentials(), args);
    auto stub = std::shared_ptr<feedpb::FeedService::Stub>(
        feedpb::FeedService::NewStub(channel));
    return std::function<bool(int64_t*)>([stub, get_video](int64_t* bytes) {
      grpc::ClientContext ctx;
      feedpb::Video v;
      grpc::Status st = stub->GetVideo(&ctx, get_video, &v);
      *bytes += static_cast<int64_t>(v.ByteSizeLong());
      return st.ok() && v.video_bytes() > 0;
    });
  });
  auto connect_load = [&](const std::string& type, const std::string& body) {
    return RunLoad([&, type, body](int) {
      auto c = std::make_shared<HttpConnection>(http_port);
      return std::function<bool(int64_t*)>([c, type, body](int64_t* bytes) {
        auto req = Post("/tokkit.feed.v1.FeedService/GetVideo", type, body);
        return c->Do(req, bytes) == 200;
      });
    });
  };
  Result json_result = connect_load("application/json", get_video_json);
  Result proto_result = connect_load("application/proto", get_video_binary);

  Header("FeedService/GetVideo", "requests/s");
  Row("native gRPC (baseline)", grpc_result.per_second, "req/s",
      grpc_result.per_second, "", grpc_result.errors);
  Row("Connect JSON through the gateway", json_result.per_second, "req/s",
      grpc_result.per_second, ">= 0.5x", json_result.errors);
  Row("Connect binary through the gateway", proto_result.per_second, "req/s",
      grpc_result.per_second, "", proto_result.errors);

  // --- media ---------------------------------------------------------------
  const auto before = server.MemoryMiB();
  const int64_t size = static_cast<int64_t>(video.size());
  auto media_load = [&](int port, const std::string& target, bool ranged) {
    return RunLoad([&, port, target, ranged](int thread) {
      auto c = std::make_shared<HttpConnection>(port);
      auto gen = std::make_shared<std::mt19937_64>(thread);
      return std::function<bool(int64_t*)>([c, gen, target, ranged,
                                            size](int64_t* bytes) {
        http::request<http::string_body> req{http::verb::get, target, 11};
        req.set(http::field::host, "127.0.0.1");
        int64_t want = size;
        if (ranged) {
          const int64_t start =
              static_cast<int64_t>((*gen)() % (size - (1 << 20)));
          req.set(http::field::range,
                  absl::StrCat("bytes=", start, "-", start + (1 << 20) - 1));
          want = 1 << 20;
        }
        int64_t got = 0;
        const int status = c->Do(req, &got);
        *bytes += got;
        return status == (ranged ? 206 : 200) && got == want;
      });
    });
  };
  const std::string media_path = "/media/v1/videos/" + video_id;
  Result nginx_range = media_load(nginx_port, "/video.mp4", true);
  Result gateway_range = media_load(http_port, media_path, true);
  Result nginx_whole = media_load(nginx_port, "/video.mp4", false);
  Result gateway_whole = media_load(http_port, media_path, false);
  const auto after = server.MemoryMiB();

  std::printf("\n");
  Header(absl::StrCat("media, ", FLAGS_video_mib, " MiB video"), "throughput");
  Row("nginx, 1 MiB range GETs (baseline)", nginx_range.mib_per_second, "MiB/s",
      nginx_range.mib_per_second, "", nginx_range.errors);
  Row("gateway, 1 MiB range GETs", gateway_range.mib_per_second, "MiB/s",
      nginx_range.mib_per_second, ">= 0.5x", gateway_range.errors);
  Row("nginx, whole-file GETs (baseline)", nginx_whole.mib_per_second, "MiB/s",
      nginx_whole.mib_per_second, "", nginx_whole.errors);
  Row("gateway, whole-file GETs", gateway_whole.mib_per_second, "MiB/s",
      nginx_whole.mib_per_second, ">= 0.5x", gateway_whole.errors);
  std::printf(
      "\ntokkit_server resident memory: %.0f MiB before the media cases "
      "(peak so far %.0f MiB, from publishing the video), %.0f MiB after "
      "(peak %.0f MiB)\n",
      before.first, before.second, after.first, after.second);
  std::filesystem::remove_all(dir);
  return 0;
}
