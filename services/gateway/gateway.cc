#include "services/gateway/gateway.h"

#include <sys/stat.h>

#include <boost/asio/write.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/core/crypto.h"
#include "lib/core/log.h"
#include "lib/core/metrics.h"
#include "lib/core/request_context.h"
#include "services/gateway/compression.h"
#include "services/gateway/connect_protocol.h"
#include "services/gateway/transcoder.h"

namespace tokkit::gateway {
namespace {

namespace beast = boost::beast;

constexpr int64_t kPieceBytes = 256 << 10;
constexpr char kChatSocketPath[] = "/v1/chat/ws";
constexpr char kExposedHeaders[] =
    "x-request-id, tokkit-reason, retry-after, content-range, accept-ranges, "
    "content-length, etag, last-modified";
constexpr char kAllowedHeaders[] =
    "authorization, content-type, content-encoding, accept-encoding, "
    "connect-protocol-version, connect-timeout-ms, connect-content-encoding, "
    "connect-accept-encoding, x-request-id, traceparent, tracestate, range, "
    "if-none-match, if-range, x-user-agent";

metrics::Counter& HttpRequests(const char* route, int status) {
  return metrics::GetCounter(
      "tokkit_http_requests_total",
      "HTTP requests the gateway answered, by route and status class",
      {{"route", route}, {"status", absl::StrCat(status / 100, "xx")}});
}

StringResponse Plain(http::status status, absl::string_view text,
                     const Decorate& decorate) {
  StringResponse r{status, 11};
  r.set(http::field::content_type, "text/plain; charset=utf-8");
  r.body() = absl::StrCat(text, "\n");
  if (decorate) decorate(r.base());
  return r;
}

absl::string_view Header(const RequestHead& h, http::field f) {
  auto it = h.find(f);
  return it == h.end() ? absl::string_view() : AsAbsl(it->value());
}
absl::string_view Header(const RequestHead& h, absl::string_view name) {
  auto it = h.find(beast::string_view(name.data(), name.size()));
  return it == h.end() ? absl::string_view() : AsAbsl(it->value());
}

absl::string_view BearerToken(absl::string_view authorization) {
  absl::string_view v = absl::StripAsciiWhitespace(authorization);
  if (v.size() > 7 && absl::StartsWithIgnoreCase(v, "bearer ")) {
    return absl::StripAsciiWhitespace(v.substr(7));
  }
  return {};
}

}  // namespace

int RetryAfterSeconds(absl::Duration wait) {
  return std::max<int>(
      1, static_cast<int>(std::ceil(absl::ToDoubleSeconds(wait))));
}

std::string StaticContentType(absl::string_view path) {
  const size_t dot = path.rfind('.');
  const std::string ext = dot == absl::string_view::npos
                              ? ""
                              : absl::AsciiStrToLower(path.substr(dot + 1));
  if (ext == "html" || ext == "htm") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "webp") return "image/webp";
  if (ext == "ico") return "image/x-icon";
  if (ext == "mp4") return "video/mp4";
  if (ext == "webm") return "video/webm";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::vector<std::string> ParseOrigins(absl::string_view list) {
  std::vector<std::string> origins;
  for (absl::string_view o :
       absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    origins.emplace_back(absl::StripAsciiWhitespace(o));
  }
  return origins;
}

std::function<int64_t(absl::string_view)> UserOfToken(
    const account::AccessTokenCodec* codec) {
  return [codec](absl::string_view token) {
    absl::StatusOr<account::AccessClaims> claims = codec->Verify(token);
    return claims.ok() ? claims->user_id : int64_t{0};
  };
}

Gateway::Gateway(GatewayOptions options)
    : options_(std::move(options)),
      stub_(options_.channel),
      chat_sockets_(std::make_shared<ChatSocketRegistry>()) {}

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Start(
    GatewayOptions options) {
  if (options.channel == nullptr) {
    return absl::InvalidArgumentError("the gateway needs a gRPC channel");
  }
  if (!options.web_root.empty() &&
      !std::filesystem::is_directory(options.web_root)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--web_root ", options.web_root, " is not a directory"));
  }
  std::unique_ptr<Gateway> gateway(new Gateway(std::move(options)));
  absl::StatusOr<std::unique_ptr<HttpServer>> server =
      HttpServer::Start(gateway->options_.http, gateway.get());
  if (!server.ok()) return server.status();
  gateway->server_ = *std::move(server);
  return gateway;
}

Gateway::~Gateway() { Stop(absl::Seconds(5)); }

void Gateway::Stop(absl::Duration grace) {
  if (server_ == nullptr) return;
  // Sockets end asynchronously (the gRPC call's OnDone releases them) and
  // must be gone before the I/O context they live on.
  // Half the grace for clients to answer the close; a client that does not
  // (or cannot) is cut off, so shutdown never waits on one.
  const absl::Time deadline = absl::Now() + grace;
  auto wait_for_sockets = [this](absl::Time until) {
    while (chat_sockets_->size() > 0 && absl::Now() < until) {
      absl::SleepFor(absl::Milliseconds(10));
    }
  };
  chat_sockets_->CloseAll();
  wait_for_sockets(absl::Now() + grace / 2);
  chat_sockets_->AbortAll();
  wait_for_sockets(std::max(deadline, absl::Now() + absl::Seconds(1)));
  server_->Stop(std::max(absl::ZeroDuration(), deadline - absl::Now()));
}

bool Gateway::OriginAllowed(absl::string_view origin) const {
  for (const std::string& o : options_.cors_origins) {
    if (o == "*" || absl::EqualsIgnoreCase(o, origin)) return true;
  }
  return false;
}

ForwardedCall Gateway::Forwarded(const RequestHead& h,
                                 absl::string_view peer) const {
  ForwardedCall call;
  call.authorization = std::string(Header(h, http::field::authorization));
  call.request_id = std::string(Header(h, "x-request-id"));
  // Errors found here, before the server saw the call, carry an id too.
  if (!IsAcceptableRequestId(call.request_id)) call.request_id = NewRequestId();
  call.traceparent = std::string(Header(h, "traceparent"));
  call.client_address = ResolveClientAddress(peer, Header(h, "x-forwarded-for"),
                                             options_.trusted_proxies);
  call.accepts_gzip = AcceptsGzip(Header(h, http::field::accept_encoding));
  return call;
}

void Gateway::Handle(std::shared_ptr<Exchange> exchange) {
  const RequestHead& h = exchange->request();
  const std::string origin(Header(h, http::field::origin));
  const bool cors = !origin.empty() && OriginAllowed(origin);
  Decorate decorate = [cors, origin](http::response_header<>& head) {
    if (!cors) return;
    head.set(http::field::access_control_allow_origin, origin);
    head.set(http::field::access_control_expose_headers, kExposedHeaders);
    head.insert(http::field::vary, "Origin");
  };
  if (h.method() == http::verb::options &&
      h.find(http::field::access_control_request_method) != h.end()) {
    if (!cors) {
      HttpRequests("preflight", 403).Increment();
      return exchange->Respond(
          Plain(http::status::forbidden, "origin not allowed", nullptr));
    }
    StringResponse r{http::status::no_content, 11};
    decorate(r.base());
    r.set(http::field::access_control_allow_methods,
          "GET, HEAD, POST, OPTIONS");
    r.set(http::field::access_control_allow_headers, kAllowedHeaders);
    r.set(http::field::access_control_max_age, "600");
    HttpRequests("preflight", 204).Increment();
    return exchange->Respond(std::move(r));
  }

  ForwardedCall call = Forwarded(exchange->request(), exchange->peer_address());
  if (options_.rate_limiter == nullptr) {
    return Route(std::move(exchange), std::move(call), std::move(decorate));
  }
  auto check = [this, exchange, call = std::move(call),
                decorate = std::move(decorate)]() mutable {
    RateDecision decision = options_.rate_limiter->Acquire(
        absl::StrCat("src:", call.client_address), options_.per_source);
    if (decision.allowed && options_.user_of_token) {
      absl::string_view token = BearerToken(call.authorization);
      const int64_t user = token.empty() ? 0 : options_.user_of_token(token);
      if (user > 0) {
        decision = options_.rate_limiter->Acquire(absl::StrCat("user:", user),
                                                  options_.per_user);
      }
    }
    if (!decision.allowed) {
      HttpRequests("rate_limited", 429).Increment();
      const std::string retry =
          absl::StrCat(RetryAfterSeconds(decision.retry_after));
      StringResponse r =
          absl::StartsWith(AsAbsl(exchange->request().target()), "/tokkit.")
              ? ConnectErrorResponse(
                    absl::ResourceExhaustedError(absl::StrCat(
                        "too many requests; retry in ", retry, " s")),
                    call.request_id, "RATE_LIMITED", decorate, 429)
              : Plain(http::status::too_many_requests, "too many requests",
                      decorate);
      r.set(http::field::retry_after, retry);
      return exchange->Respond(std::move(r));
    }
    Route(exchange, std::move(call), std::move(decorate));
  };
  if (!options_.rate_limiter->blocking()) return check();
  if (!server_->RunBlocking(std::move(check))) {
    exchange->Respond(
        Plain(http::status::service_unavailable, "server busy", nullptr));
  }
}

void Gateway::Route(std::shared_ptr<Exchange> exchange, ForwardedCall call,
                    Decorate decorate) {
  const RequestHead& h = exchange->request();
  absl::string_view target(h.target().data(), h.target().size());
  const size_t q = target.find('?');
  absl::string_view path = target.substr(0, q);
  absl::string_view query =
      q == absl::string_view::npos ? absl::string_view() : target.substr(q + 1);
  const bool get =
      h.method() == http::verb::get || h.method() == http::verb::head;

  if (absl::StartsWith(path, "/tokkit.")) {
    return ServeConnect(std::move(exchange), path, std::move(call),
                        std::move(decorate));
  }
  if (absl::StartsWith(path, "/media/v1/")) {
    if (!get) {
      StringResponse r =
          Plain(http::status::method_not_allowed, "use GET or HEAD", decorate);
      r.set(http::field::allow, "GET, HEAD");
      return exchange->Respond(std::move(r));
    }
    return ServeMedia(exchange, path, query, decorate);
  }
  if (path == kChatSocketPath) {
    StringResponse r = Plain(http::status::upgrade_required,
                             "this is a WebSocket endpoint", decorate);
    r.set(http::field::upgrade, "websocket");
    return exchange->Respond(std::move(r));
  }
  if (path == "/healthz") {
    return exchange->Respond(
        Plain(server_->draining() ? http::status::service_unavailable
                                  : http::status::ok,
              server_->draining() ? "draining" : "ok", decorate));
  }
  if (!options_.web_root.empty() && get) {
    return ServeStatic(exchange, path, decorate);
  }
  HttpRequests("other", 404).Increment();
  exchange->Respond(Plain(http::status::not_found, "not found", decorate));
}

void Gateway::ServeConnect(std::shared_ptr<Exchange> exchange,
                           absl::string_view path, ForwardedCall call,
                           Decorate decorate) {
  const RequestHead& h = exchange->request();
  auto fail = [&](const absl::Status& st, int http_status) {
    HttpRequests("connect", http_status).Increment();
    exchange->Respond(
        ConnectErrorResponse(st, call.request_id, "", decorate, http_status));
  };
  absl::StatusOr<RpcMethod> rpc = FindRpc(path);
  if (!rpc.ok()) {
    return fail(absl::UnimplementedError(rpc.status().message()), 404);
  }
  if (h.method() != http::verb::post) {
    StringResponse r = ConnectErrorResponse(
        absl::UnimplementedError("Connect RPCs are called with POST"),
        call.request_id, "", decorate, 405);
    r.set(http::field::allow, "POST");
    return exchange->Respond(std::move(r));
  }
  absl::StatusOr<connect::ContentType> type =
      connect::ParseContentType(Header(h, http::field::content_type));
  if (!type.ok()) return fail(type.status(), 415);
  if (type->streaming == rpc->unary()) {
    return fail(absl::InvalidArgumentError(absl::StrCat(
                    rpc->grpc_path, " is ",
                    rpc->unary() ? "unary: use application/json or "
                                   "application/proto"
                                 : "streaming: use application/connect+json "
                                   "or application/connect+proto")),
                415);
  }
  if (auto v = Header(h, "connect-protocol-version"); !v.empty() && v != "1") {
    return fail(
        absl::InvalidArgumentError("connect-protocol-version must be 1"), 400);
  }
  if (auto t = Header(h, "connect-timeout-ms"); !t.empty()) {
    absl::StatusOr<absl::Duration> timeout = connect::ParseTimeoutMs(t);
    if (!timeout.ok()) return fail(timeout.status(), 400);
    call.timeout = *timeout;
  }
  // Counted when the response head goes out, with the status it carries
  // (a streaming call's later errors travel in its end-of-stream message).
  decorate = [decorate = std::move(decorate)](http::response_header<>& head) {
    if (decorate) decorate(head);
    HttpRequests("connect", static_cast<int>(head.result_int())).Increment();
  };
  if (rpc->unary()) {
    ServeUnary(std::move(exchange), &stub_, *rpc, *type, std::move(call),
               options_.connect, std::move(decorate));
  } else {
    ServeStream(std::move(exchange), &stub_, *rpc, *type, std::move(call),
                options_.connect, std::move(decorate));
  }
}

void Gateway::ServeMedia(const std::shared_ptr<Exchange>& exchange,
                         absl::string_view path, absl::string_view query,
                         const Decorate& decorate) {
  auto not_found = [&] {
    HttpRequests("media", 404).Increment();
    exchange->Respond(
        Plain(http::status::not_found, "no such media", decorate));
  };
  if (options_.media == nullptr) return not_found();
  std::vector<absl::string_view> parts =
      absl::StrSplit(path.substr(strlen("/media/v1/")), '/');
  MediaKind kind;
  int64_t id = 0;
  int index = 0;
  if (parts.size() == 2 && parts[0] == "videos") {
    kind = MediaKind::kVideo;
  } else if (parts.size() == 2 && parts[0] == "covers") {
    kind = MediaKind::kCover;
  } else if (parts.size() == 2 && parts[0] == "avatars") {
    kind = MediaKind::kAvatar;
  } else if (parts.size() == 4 && parts[0] == "products" &&
             parts[2] == "images" && absl::SimpleAtoi(parts[3], &index) &&
             index >= 0) {
    kind = MediaKind::kProductImage;
  } else {
    return not_found();
  }
  if (!absl::SimpleAtoi(parts[1], &id) || id <= 0) return not_found();
  if (options_.require_signed_media) {
    absl::Status st = options_.require_signed_media->Verify(
        path, query, options_.clock->Now());
    if (!st.ok()) {
      HttpRequests("media", 403).Increment();
      return exchange->Respond(
          Plain(http::status::forbidden, st.message(), decorate));
    }
  }
  MediaSource* media = options_.media;
  bool queued = server_->RunBlocking(
      [this, exchange, media, kind, id, index, decorate]() mutable {
        ServeObject(exchange, media->Open(kind, id, index), "", decorate);
      });
  if (!queued) {
    exchange->Respond(
        Plain(http::status::service_unavailable, "server busy", decorate));
  }
}

void Gateway::ServeStatic(const std::shared_ptr<Exchange>& exchange,
                          absl::string_view path, const Decorate& decorate) {
  std::string relative(path == "/" ? "/index.html" : path);
  for (absl::string_view seg : absl::StrSplit(relative, '/')) {
    if (seg == ".." || absl::StrContains(seg, '\\') ||
        absl::StrContains(seg, '\0')) {
      HttpRequests("static", 404).Increment();
      return exchange->Respond(
          Plain(http::status::not_found, "not found", decorate));
    }
  }
  const std::string file = options_.web_root + relative;
  bool queued = server_->RunBlocking([this, exchange, file, decorate] {
    struct stat st;
    if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      HttpRequests("static", 404).Increment();
      return exchange->Respond(
          Plain(http::status::not_found, "not found", decorate));
    }
    MediaObject m;
    m.size = st.st_size;
    m.mime_type = StaticContentType(file);
    m.modified = absl::FromUnixSeconds(st.st_mtime);
    m.etag = absl::StrCat("\"", st.st_size, "-", st.st_mtime, "\"");
    m.read = [file](int64_t offset,
                    int64_t length) -> absl::StatusOr<std::string> {
      std::ifstream in(file, std::ios::binary);
      if (!in) return absl::NotFoundError("file went away");
      in.seekg(offset);
      std::string out(static_cast<size_t>(length), '\0');
      in.read(out.data(), length);
      out.resize(static_cast<size_t>(in.gcount()));
      return out;
    };
    ServeObject(exchange, std::move(m), "no-cache", decorate);
  });
  if (!queued) {
    exchange->Respond(
        Plain(http::status::service_unavailable, "server busy", decorate));
  }
}

// Runs on a blocking thread: headers, validators, the range, then the bytes
// in pieces, each read only after the previous one is on the wire.
void Gateway::ServeObject(const std::shared_ptr<Exchange>& exchange,
                          absl::StatusOr<MediaObject> object,
                          std::string cache_control, const Decorate& decorate) {
  if (!object.ok()) {
    const int status = object.status().code() == absl::StatusCode::kNotFound
                           ? 404
                           : connect::HttpStatusFor(object.status().code());
    HttpRequests("media", status).Increment();
    return exchange->Respond(Plain(
        static_cast<http::status>(status),
        status == 404 ? "no such media" : object.status().message(), decorate));
  }
  const RequestHead& h = exchange->request();
  auto m = std::make_shared<MediaObject>(*std::move(object));
  if (!m->redirect_url.empty()) {
    // The bytes come straight from storage; the presigned URL expires, so
    // the redirect itself is not cached for long.
    HttpRequests("media", 302).Increment();
    http::response<http::string_body> r{http::status::found, 11};
    r.set(http::field::location, m->redirect_url);
    r.set(http::field::cache_control, "private, max-age=60");
    if (decorate) decorate(r.base());
    r.prepare_payload();
    return exchange->Respond(std::move(r));
  }
  if (cache_control.empty()) {
    cache_control = m->immutable ? "public, max-age=31536000, immutable"
                                 : "public, max-age=300";
  }
  http::response_header<> head;
  head.version(11);
  head.set(http::field::content_type, m->mime_type);
  head.set(http::field::accept_ranges, "bytes");
  head.set(http::field::etag, m->etag);
  head.set(http::field::cache_control, cache_control);
  if (m->modified != absl::InfinitePast()) {
    head.set(http::field::last_modified, HttpDate(m->modified));
  }
  if (decorate) decorate(head);
  if (auto inm = Header(h, http::field::if_none_match);
      !inm.empty() && IfNoneMatchHits(inm, m->etag)) {
    head.result(http::status::not_modified);
    HttpRequests("media", 304).Increment();
    exchange->StartResponse(
        std::move(head), [exchange](const absl::Status&) { exchange->End(); });
    return;
  }
  std::optional<ByteRange> range;
  auto if_range = Header(h, http::field::if_range);
  if (if_range.empty() || if_range == m->etag) {
    absl::StatusOr<std::optional<ByteRange>> selected =
        SelectRange(Header(h, http::field::range), m->size);
    if (!selected.ok()) {
      HttpRequests("media", 416).Increment();
      StringResponse r = Plain(http::status::range_not_satisfiable,
                               selected.status().message(), decorate);
      r.set(http::field::content_range, absl::StrCat("bytes */", m->size));
      return exchange->Respond(std::move(r));
    }
    range = *selected;
  }
  int64_t first = 0, length = m->size;
  if (range) {
    first = range->first;
    length = range->length();
    head.result(http::status::partial_content);
    head.set(
        http::field::content_range,
        absl::StrCat("bytes ", range->first, "-", range->last, "/", m->size));
  } else {
    head.result(http::status::ok);
  }
  head.set(http::field::content_length, absl::StrCat(length));
  HttpRequests("media", range ? 206 : 200).Increment();

  // The pump: read a piece on a blocking thread, write it, repeat.
  struct Pump : std::enable_shared_from_this<Pump> {
    Gateway* gateway;
    std::shared_ptr<Exchange> exchange;
    std::shared_ptr<MediaObject> media;
    int64_t next, end;
    void Step() {
      if (next >= end) return exchange->End();
      absl::StatusOr<std::string> piece =
          media->read(next, std::min(kPieceBytes, end - next));
      if (!piece.ok() || piece->empty()) {
        // The head promised more bytes: cut the connection so the client
        // sees a short body rather than a silently truncated file.
        log::Warning("media_read_failed",
                     {{"error", piece.ok() ? absl::DataLossError("short read")
                                           : piece.status()}});
        return exchange->Abort();
      }
      next += static_cast<int64_t>(piece->size());
      exchange->WritePiece(*std::move(piece), [self = shared_from_this()](
                                                  const absl::Status& st) {
        if (!st.ok()) return;  // the client left
        if (!self->gateway->server_->RunBlocking([self] { self->Step(); })) {
          self->exchange->Abort();
        }
      });
    }
  };
  auto pump = std::make_shared<Pump>();
  pump->gateway = this;
  pump->exchange = exchange;
  pump->media = m;
  pump->next = first;
  pump->end = first + length;
  const bool head_only = h.method() == http::verb::head;
  exchange->StartResponse(
      std::move(head), [pump, head_only](const absl::Status& st) {
        if (!st.ok()) return;
        if (head_only) return pump->exchange->End();
        if (!pump->gateway->server_->RunBlocking([pump] { pump->Step(); })) {
          pump->exchange->Abort();
        }
      });
}

WebSocketHandler Gateway::websocket_handler(const RequestHead& request) {
  absl::string_view target(request.target().data(), request.target().size());
  if (target.substr(0, target.find('?')) != kChatSocketPath) return nullptr;
  const std::string origin(Header(request, http::field::origin));
  // Browsers send Origin on every WebSocket and never enforce CORS on it, so
  // this check is what stops another site's page from using a visitor's
  // session (cross-site WebSocket hijacking). The page's own site is fine.
  const bool origin_ok =
      origin.empty() || OriginAllowed(origin) ||
      IsSameOrigin(origin, Header(request, http::field::host));
  return [this, origin_ok](beast::tcp_stream stream,
                           http::request<http::empty_body> req,
                           const std::string& peer) {
    auto s = std::make_shared<beast::tcp_stream>(std::move(stream));
    auto reject = [s](http::status status, absl::string_view why) {
      auto r = std::make_shared<StringResponse>(Plain(status, why, nullptr));
      r->set(http::field::connection, "close");
      r->prepare_payload();
      http::async_write(*s, *r, [s, r](beast::error_code, size_t) {
        beast::error_code ec;
        s->socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
      });
    };
    if (!origin_ok) {
      return reject(http::status::forbidden, "origin not allowed");
    }
    if (chat_sockets_->size() >= options_.max_chat_sockets) {
      HttpRequests("chat_socket", 503).Increment();
      return reject(http::status::service_unavailable,
                    "too many chat sockets; retry later");
    }
    ForwardedCall call = Forwarded(req, peer);
    // A chat socket authenticates only by subprotocol or first frame.
    call.authorization.clear();
    const std::string source = absl::StrCat("src:", call.client_address);
    auto open = [this, s, req = std::move(req), call = std::move(call),
                 reject](bool allowed) mutable {
      if (!allowed) {
        HttpRequests("rate_limited", 429).Increment();
        return reject(http::status::too_many_requests, "too many requests");
      }
      ServeChatSocket(std::move(*s), std::move(req), std::move(call), &stub_,
                      chat_sockets_);
    };
    RateLimiter* limiter = options_.rate_limiter;
    if (limiter == nullptr) return open(true);
    if (!limiter->blocking()) {
      return open(limiter->Acquire(source, options_.per_source).allowed);
    }
    // Redis answers off the I/O threads; the socket's work goes back to its
    // own executor.
    auto pending = std::make_shared<decltype(open)>(std::move(open));
    const bool queued =
        server_->RunBlocking([this, s, limiter, source, pending] {
          const bool allowed =
              limiter->Acquire(source, options_.per_source).allowed;
          boost::asio::post(s->get_executor(),
                            [pending, allowed] { (*pending)(allowed); });
        });
    if (!queued) reject(http::status::service_unavailable, "server busy");
  };
}

}  // namespace tokkit::gateway
