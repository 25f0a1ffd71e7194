// An asynchronous HTTP/1.1 server on Boost.Beast, bounded everywhere: a cap
// on connections, on header and body sizes, a deadline for a request's head
// (slowloris), an idle timeout per read and write, and a graceful Stop()
// that finishes what is in flight. Requests go to a Router; handlers never
// block the I/O threads (blocking work goes to RunBlocking()).
#ifndef TOKKIT_SERVICES_GATEWAY_HTTP_SERVER_H_
#define TOKKIT_SERVICES_GATEWAY_HTTP_SERVER_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/core/executor.h"

namespace tokkit::gateway {

namespace http = boost::beast::http;
using RequestHead = http::request_header<>;
using StringResponse = http::response<http::string_body>;

// Beast speaks std::string_view; Debian's abseil has its own string_view.
inline absl::string_view AsAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";  // host:port, port 0 picks one
  int io_threads = 2;
  int max_connections = 10000;
  uint32_t max_header_bytes = 16 << 10;
  // Ceiling for any body; handlers set lower limits per route.
  int64_t max_body_bytes = int64_t{600} << 20;
  absl::Duration head_timeout = absl::Seconds(10);  // the whole request head
  absl::Duration io_timeout = absl::Seconds(30);    // each read or write
  absl::Duration idle_timeout = absl::Seconds(30);  // keep-alive wait
  int blocking_threads = 16;
  size_t max_blocking_queued = 4096;
};

// One request and its response. Thread-safe: callable from any thread; the
// callbacks run on the connection's strand and must not block.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  virtual ~Exchange() = default;
  virtual const RequestHead& request() const = 0;
  // The TCP peer's address (no port).
  virtual const std::string& peer_address() const = 0;

  // The whole body; RESOURCE_EXHAUSTED past `max_bytes`.
  virtual void ReadBody(
      int64_t max_bytes,
      std::function<void(absl::StatusOr<std::string>)> done) = 0;
  // The next piece of the body as it arrives; nullopt at its end.
  virtual void ReadBodyPiece(
      std::function<void(absl::StatusOr<std::optional<std::string>>)> done) = 0;

  // A complete response; ends the exchange.
  virtual void Respond(StringResponse response) = 0;
  // A streamed response: the head (chunked unless it has Content-Length),
  // then pieces, one at a time (`done` after each is on the wire: the
  // producer's backpressure), then End(). For HEAD only the head is sent.
  virtual void StartResponse(http::response_header<> head,
                             std::function<void(absl::Status)> done) = 0;
  virtual void WritePiece(std::string data,
                          std::function<void(absl::Status)> done) = 0;
  virtual void End() = 0;
  // Drops the connection (a response cannot be completed).
  virtual void Abort() = 0;
  // True once the peer went away or the exchange was aborted.
  virtual bool cancelled() const = 0;
  // Called once if the connection dies before the exchange ends.
  virtual void OnCancel(std::function<void()> cancelled) = 0;
};

// Takes over the socket of a WebSocket upgrade request.
using WebSocketHandler = std::function<void(
    boost::beast::tcp_stream stream, http::request<http::empty_body> request,
    std::string peer_address)>;

class Router {
 public:
  virtual ~Router() = default;
  // Runs on the connection's strand: must not block.
  virtual void Handle(std::shared_ptr<Exchange> exchange) = 0;
  // nullptr: upgrade requests get 404.
  virtual WebSocketHandler websocket_handler(const RequestHead& request) {
    return nullptr;
  }
};

class HttpServer {
 public:
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const HttpServerOptions& options, Router* router);
  ~HttpServer();  // Stop(absl::Seconds(5)) if not stopped

  int port() const { return port_; }
  // Stops accepting, lets in-flight exchanges finish for up to `grace`, then
  // closes every connection and joins the threads.
  void Stop(absl::Duration grace);

  // Runs blocking work off the I/O threads; false when the pool's queue is
  // full (the caller answers 503).
  bool RunBlocking(std::function<void()> work);

  int open_connections() const { return open_connections_.load(); }
  boost::asio::io_context& io_context() { return io_; }
  bool draining() const { return draining_.load(); }

  // Book-keeping used by connections.
  struct Registry;

 private:
  HttpServer(HttpServerOptions options, Router* router);
  void Accept();

  const HttpServerOptions options_;
  Router* const router_;
  // Declared before io_: connections still queued in io_ when it is
  // destroyed update them.
  std::atomic<int> open_connections_{0};
  std::atomic<bool> draining_{false};
  std::shared_ptr<Registry> registry_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  int port_ = 0;
  std::unique_ptr<BoundedExecutor> blocking_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
  absl::Mutex stop_mu_;
};

}  // namespace tokkit::gateway

#endif  // TOKKIT_SERVICES_GATEWAY_HTTP_SERVER_H_
