#include "services/gateway/http_server.h"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/core/log.h"
#include "lib/core/metrics.h"

namespace tokkit::gateway {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return absl::ToChronoNanoseconds(d);
}

metrics::Counter& Rejected(const char* why) {
  return metrics::GetCounter("tokkit_http_rejected_total",
                             "HTTP connections or requests refused before a "
                             "handler saw them, by reason",
                             {{"reason", why}});
}

class Session;

}  // namespace

struct HttpServer::Registry {
  // The sessions still alive, held for the caller.
  std::vector<std::shared_ptr<Session>> Live() {
    std::vector<std::shared_ptr<Session>> live;
    absl::MutexLock l(&mu);
    for (auto& [raw, weak] : sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    return live;
  }

  absl::Mutex mu;
  absl::flat_hash_map<Session*, std::weak_ptr<Session>> sessions
      ABSL_GUARDED_BY(mu);
};

namespace {

class ExchangeImpl;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer* server,
          const HttpServerOptions* options, Router* router,
          std::shared_ptr<HttpServer::Registry> registry,
          std::atomic<int>* open)
      : stream_(std::move(socket)),
        server_(server),
        options_(options),
        router_(router),
        registry_(std::move(registry)),
        open_(open) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ = endpoint.address().to_string();
  }
  ~Session() {
    {
      absl::MutexLock lock(&registry_->mu);
      registry_->sessions.erase(this);
    }
    open_->fetch_sub(1);
  }

  void Start() {
    {
      absl::MutexLock lock(&registry_->mu);
      registry_->sessions[this] = weak_from_this();
    }
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this()] { self->ReadHead(true); });
  }

  // From any thread.
  void CloseIfIdle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->exchange_active_ == false) self->Close();
    });
  }
  void CloseNow() {
    net::post(stream_.get_executor(),
              [self = shared_from_this()] { self->Close(); });
  }
  // Only once no io thread runs: drops the exchange, which holds this
  // session as the session holds it, so an exchange cut off mid-way (its
  // handlers never ran after Stop) does not keep the pair alive forever.
  void Abandon();

  // --- used by ExchangeImpl, on the strand ---
  void ReadPiece(
      std::function<void(absl::StatusOr<std::optional<std::string>>)> done);
  void WriteResponse(StringResponse response);
  void WriteHead(http::response_header<> head,
                 std::function<void(absl::Status)> done);
  void WriteData(std::string data, std::function<void(absl::Status)> done);
  void EndStream();
  void Close();

  beast::tcp_stream& stream() { return stream_; }
  const std::string& peer() const { return peer_; }
  const http::request_parser<http::buffer_body>& parser() const {
    return *parser_;
  }

 private:
  void ReadHead(bool first);
  void OnHead(beast::error_code ec);
  void FinishExchange();
  void Reject(http::status status, absl::string_view message);
  bool KeepAlive() const {
    return parser_->get().keep_alive() && parser_->is_done() &&
           !server_->draining();
  }

  beast::tcp_stream stream_;
  HttpServer* const server_;
  const HttpServerOptions* const options_;
  Router* const router_;
  std::shared_ptr<HttpServer::Registry> registry_;
  std::atomic<int>* open_;
  std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::buffer_body>> parser_;
  std::array<char, 64 << 10> piece_;
  bool closed_ = false;
  bool exchange_active_ = false;
  bool continue_sent_ = false;
  bool keep_alive_ = false;
  bool head_only_ = false;
  bool chunked_ = false;
  std::shared_ptr<ExchangeImpl> exchange_;
  std::unique_ptr<http::response<http::empty_body>> stream_head_;
  std::unique_ptr<http::response_serializer<http::empty_body>> stream_sr_;

  friend class ExchangeImpl;
};

class ExchangeImpl : public Exchange {
 public:
  explicit ExchangeImpl(std::shared_ptr<Session> session)
      : session_(std::move(session)), head_(session_->parser().get().base()) {}

  const RequestHead& request() const override { return head_; }
  const std::string& peer_address() const override { return session_->peer(); }

  void ReadBody(
      int64_t max_bytes,
      std::function<void(absl::StatusOr<std::string>)> done) override {
    const auto length = session_->parser().content_length();
    if (length && static_cast<int64_t>(*length) > max_bytes) {
      done(absl::ResourceExhaustedError(
          absl::StrCat("request body of ", *length,
                       " bytes is over the limit of ", max_bytes)));
      return;
    }
    auto body = std::make_shared<std::string>();
    ReadMore(body, max_bytes, std::move(done));
  }

  void ReadBodyPiece(
      std::function<void(absl::StatusOr<std::optional<std::string>>)> done)
      override {
    net::dispatch(session_->stream().get_executor(),
                  [s = session_, done = std::move(done)]() mutable {
                    s->ReadPiece(std::move(done));
                  });
  }

  void Respond(StringResponse response) override {
    net::dispatch(session_->stream().get_executor(),
                  [s = session_, r = std::move(response)]() mutable {
                    s->WriteResponse(std::move(r));
                  });
  }
  void StartResponse(http::response_header<> head,
                     std::function<void(absl::Status)> done) override {
    net::dispatch(
        session_->stream().get_executor(),
        [s = session_, h = std::move(head), done = std::move(done)]() mutable {
          s->WriteHead(std::move(h), std::move(done));
        });
  }
  void WritePiece(std::string data,
                  std::function<void(absl::Status)> done) override {
    net::dispatch(
        session_->stream().get_executor(),
        [s = session_, d = std::move(data), done = std::move(done)]() mutable {
          s->WriteData(std::move(d), std::move(done));
        });
  }
  void End() override {
    net::dispatch(session_->stream().get_executor(),
                  [s = session_] { s->EndStream(); });
  }
  void Abort() override {
    net::dispatch(session_->stream().get_executor(),
                  [s = session_] { s->Close(); });
  }
  bool cancelled() const override { return cancelled_.load(); }
  void OnCancel(std::function<void()> cancelled) override {
    net::dispatch(
        session_->stream().get_executor(),
        [self = std::static_pointer_cast<ExchangeImpl>(shared_from_this()),
         c = std::move(cancelled)]() mutable {
          if (self->cancelled_) {
            c();
          } else {
            self->on_cancel_ = std::move(c);
          }
        });
  }

  // On the strand.
  void Cancel() {
    if (cancelled_.exchange(true)) return;
    if (on_cancel_) {
      auto c = std::move(on_cancel_);
      on_cancel_ = nullptr;
      c();
    }
  }
  void Detach() { on_cancel_ = nullptr; }

 private:
  void ReadMore(const std::shared_ptr<std::string>& body, int64_t max_bytes,
                std::function<void(absl::StatusOr<std::string>)> done) {
    ReadBodyPiece(
        [this, self = shared_from_this(), body, max_bytes,
         done = std::move(done)](
            absl::StatusOr<std::optional<std::string>> piece) mutable {
          if (!piece.ok()) return done(piece.status());
          if (!piece->has_value()) return done(std::move(*body));
          body->append(**piece);
          if (static_cast<int64_t>(body->size()) > max_bytes) {
            return done(absl::ResourceExhaustedError(absl::StrCat(
                "request body is over the limit of ", max_bytes, " bytes")));
          }
          ReadMore(body, max_bytes, std::move(done));
        });
  }

  std::shared_ptr<Session> session_;
  const RequestHead head_;
  std::atomic<bool> cancelled_{false};
  std::function<void()> on_cancel_;
};

void Session::ReadHead(bool first) {
  if (closed_) return;
  exchange_active_ = false;
  continue_sent_ = false;
  parser_.emplace();
  parser_->header_limit(options_->max_header_bytes);
  parser_->body_limit(options_->max_body_bytes);
  stream_.expires_after(
      ToChrono(first ? options_->head_timeout : options_->idle_timeout));
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) {
        self->OnHead(ec);
      });
}

void Session::Reject(http::status status, absl::string_view message) {
  StringResponse r{status, 11};
  r.set(http::field::content_type, "text/plain; charset=utf-8");
  r.set(http::field::connection, "close");
  r.body() = absl::StrCat(message, "\n");
  r.prepare_payload();
  auto shared = std::make_shared<StringResponse>(std::move(r));
  stream_.expires_after(ToChrono(options_->io_timeout));
  http::async_write(stream_, *shared,
                    [self = shared_from_this(), shared](
                        beast::error_code, size_t) { self->Close(); });
}

void Session::OnHead(beast::error_code ec) {
  if (ec) {
    if (ec == http::error::header_limit) {
      Rejected("header_too_large").Increment();
      return Reject(http::status::request_header_fields_too_large,
                    "request head is too large");
    }
    if (ec == beast::error::timeout && buffer_.size() > 0) {
      Rejected("head_timeout").Increment();
    }
    if (ec != http::error::end_of_stream && ec != beast::error::timeout &&
        ec != net::error::operation_aborted &&
        ec != net::error::connection_reset && ec != net::error::eof) {
      Rejected("malformed").Increment();
      return Reject(http::status::bad_request,
                    absl::StrCat("malformed request: ", ec.message()));
    }
    return Close();
  }
  stream_.expires_never();
  exchange_active_ = true;
  if (beast::websocket::is_upgrade(parser_->get())) {
    WebSocketHandler handler = router_->websocket_handler(parser_->get());
    if (handler == nullptr) {
      return Reject(http::status::not_found, "no WebSocket endpoint here");
    }
    http::request<http::empty_body> request(parser_->get().base());
    closed_ = true;  // the socket is the handler's now
    handler(std::move(stream_), std::move(request), peer_);
    return;
  }
  exchange_ = std::make_shared<ExchangeImpl>(shared_from_this());
  router_->Handle(exchange_);
}

void Session::ReadPiece(
    std::function<void(absl::StatusOr<std::optional<std::string>>)> done) {
  if (closed_) return done(absl::CancelledError("connection closed"));
  if (parser_->is_done()) return done(std::nullopt);
  auto read = [this, self = shared_from_this(), done = std::move(done)]() {
    parser_->get().body().data = piece_.data();
    parser_->get().body().size = piece_.size();
    stream_.expires_after(ToChrono(options_->io_timeout));
    http::async_read(
        stream_, buffer_, *parser_,
        [this, self, done](beast::error_code ec, size_t) {
          stream_.expires_never();
          if (ec == http::error::need_buffer) ec = {};
          if (ec == http::error::body_limit) {
            return done(absl::ResourceExhaustedError(
                "request body is over the server's limit"));
          }
          if (ec) {
            if (exchange_) exchange_->Cancel();
            return done(absl::CancelledError(
                absl::StrCat("reading the body: ", ec.message())));
          }
          const size_t got = piece_.size() - parser_->get().body().size;
          if (got == 0 && parser_->is_done()) return done(std::nullopt);
          done(std::optional<std::string>(std::string(piece_.data(), got)));
        });
  };
  auto expect = parser_->get().find(http::field::expect);
  if (!continue_sent_ && expect != parser_->get().end() &&
      beast::iequals(expect->value(), "100-continue")) {
    continue_sent_ = true;
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(ToChrono(options_->io_timeout));
    net::async_write(stream_, net::buffer(kContinue),
                     [read = std::move(read), self = shared_from_this()](
                         beast::error_code ec, size_t) mutable {
                       if (ec) return self->Close();
                       read();
                     });
    return;
  }
  read();
}

void Session::WriteResponse(StringResponse response) {
  if (closed_) return;
  keep_alive_ = KeepAlive();
  response.keep_alive(keep_alive_);
  response.prepare_payload();
  auto shared = std::make_shared<StringResponse>(std::move(response));
  stream_.expires_after(ToChrono(options_->io_timeout));
  auto done = [self = shared_from_this(), shared](beast::error_code ec,
                                                  size_t) {
    self->stream_.expires_never();
    if (ec) {
      if (self->exchange_) self->exchange_->Cancel();
      return self->Close();
    }
    self->FinishExchange();
  };
  if (parser_->get().method() == http::verb::head) {
    auto sr =
        std::make_shared<http::response_serializer<http::string_body>>(*shared);
    http::async_write_header(
        stream_, *sr,
        [sr, done](beast::error_code ec, size_t n) { done(ec, n); });
  } else {
    http::async_write(stream_, *shared, std::move(done));
  }
}

void Session::WriteHead(http::response_header<> head,
                        std::function<void(absl::Status)> done) {
  if (closed_) return done(absl::CancelledError("connection closed"));
  keep_alive_ = KeepAlive();
  head_only_ = parser_->get().method() == http::verb::head;
  stream_head_ =
      std::make_unique<http::response<http::empty_body>>(std::move(head));
  stream_head_->keep_alive(keep_alive_);
  chunked_ =
      stream_head_->find(http::field::content_length) == stream_head_->end() &&
      stream_head_->result() != http::status::not_modified &&
      stream_head_->result() != http::status::no_content;
  if (chunked_) stream_head_->chunked(true);
  stream_sr_ = std::make_unique<http::response_serializer<http::empty_body>>(
      *stream_head_);
  stream_.expires_after(ToChrono(options_->io_timeout));
  http::async_write_header(stream_, *stream_sr_,
                           [self = shared_from_this(), done = std::move(done)](
                               beast::error_code ec, size_t) {
                             self->stream_.expires_never();
                             if (ec) {
                               if (self->exchange_) self->exchange_->Cancel();
                               self->Close();
                               return done(absl::CancelledError(ec.message()));
                             }
                             done(absl::OkStatus());
                           });
}

void Session::WriteData(std::string data,
                        std::function<void(absl::Status)> done) {
  if (closed_) return done(absl::CancelledError("connection closed"));
  if (head_only_ || data.empty()) return done(absl::OkStatus());
  auto shared = std::make_shared<std::string>(std::move(data));
  stream_.expires_after(ToChrono(options_->io_timeout));
  auto after = [self = shared_from_this(), shared, done = std::move(done)](
                   beast::error_code ec, size_t) {
    self->stream_.expires_never();
    if (ec) {
      if (self->exchange_) self->exchange_->Cancel();
      self->Close();
      return done(absl::CancelledError(ec.message()));
    }
    done(absl::OkStatus());
  };
  if (chunked_) {
    net::async_write(stream_, http::make_chunk(net::buffer(*shared)),
                     std::move(after));
  } else {
    net::async_write(stream_, net::buffer(*shared), std::move(after));
  }
}

void Session::EndStream() {
  if (closed_) return;
  if (!chunked_ || head_only_) return FinishExchange();
  stream_.expires_after(ToChrono(options_->io_timeout));
  net::async_write(stream_, http::make_chunk_last(),
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     self->stream_.expires_never();
                     if (ec) return self->Close();
                     self->FinishExchange();
                   });
}

void Session::FinishExchange() {
  if (exchange_) exchange_->Detach();
  exchange_.reset();
  stream_sr_.reset();
  stream_head_.reset();
  if (!keep_alive_ || server_->draining()) return Close();
  ReadHead(false);
}

void Session::Abandon() {
  if (exchange_) exchange_->Detach();
  exchange_.reset();
}

void Session::Close() {
  if (exchange_) {
    auto e = exchange_;
    exchange_.reset();
    e->Cancel();
  }
  if (closed_) return;
  closed_ = true;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, Router* router)
    : options_(std::move(options)),
      router_(router),
      registry_(std::make_shared<Registry>()),
      acceptor_(net::make_strand(io_)) {}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const HttpServerOptions& options, Router* router) {
  const size_t colon = options.listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(options.listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address must be host:port, got '", options.listen, "'"));
  }
  std::string host = options.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[')
    host = host.substr(1, host.size() - 2);
  beast::error_code ec;
  auto address = net::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen host must be an IP address, got '", host, "'"));
  }
  std::unique_ptr<HttpServer> server(new HttpServer(options, router));
  tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  server->acceptor_.open(endpoint.protocol(), ec);
  if (!ec)
    server->acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) server->acceptor_.bind(endpoint, ec);
  if (!ec)
    server->acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen, ": ", ec.message()));
  }
  server->port_ = server->acceptor_.local_endpoint().port();
  server->blocking_ = std::make_unique<BoundedExecutor>(
      "http-blocking", options.blocking_threads, options.max_blocking_queued);
  server->Accept();
  for (int i = 0; i < std::max(1, options.io_threads); ++i) {
    server->threads_.emplace_back([s = server.get()] { s->io_.run(); });
  }
  return server;
}

void HttpServer::Accept() {
  acceptor_.async_accept(
      net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec) {
          if (open_connections_.load() >= options_.max_connections ||
              draining_.load()) {
            Rejected("too_many_connections").Increment();
            beast::error_code ignored;
            socket.close(ignored);
          } else {
            open_connections_.fetch_add(1);
            socket.set_option(tcp::no_delay(true), ec);
            std::make_shared<Session>(std::move(socket), this, &options_,
                                      router_, registry_, &open_connections_)
                ->Start();
          }
        } else {
          // Out of descriptors and the like: keep accepting.
          log::Warning("http_accept_failed", {{"error", ec.message()}});
        }
        Accept();
      });
}

bool HttpServer::RunBlocking(std::function<void()> work) {
  return blocking_->TrySubmit(std::move(work));
}

void HttpServer::Stop(absl::Duration grace) {
  absl::MutexLock lock(&stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  draining_.store(true);
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
  for (auto& s : registry_->Live()) s->CloseIfIdle();
  const absl::Time deadline = absl::Now() + grace;
  while (open_connections_.load() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  for (auto& s : registry_->Live()) s->CloseNow();
  const absl::Time hard = absl::Now() + absl::Seconds(2);
  while (open_connections_.load() > 0 && absl::Now() < hard) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  io_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

HttpServer::~HttpServer() {
  Stop(absl::Seconds(5));
  // Queued blocking work runs to its end here, while io_ still exists.
  blocking_.reset();
  // Regression (LeakSanitizer): a session whose exchange was streaming
  // when the grace ran out stayed in a reference cycle with it.
  for (auto& s : registry_->Live()) s->Abandon();
}

}  // namespace tokkit::gateway
