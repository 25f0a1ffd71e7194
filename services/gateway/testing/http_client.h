// Blocking HTTP/1.1 and WebSocket clients (Boost.Beast) for gateway tests.
#ifndef TOKKIT_SERVICES_GATEWAY_TESTING_HTTP_CLIENT_H_
#define TOKKIT_SERVICES_GATEWAY_TESTING_HTTP_CLIENT_H_

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <map>
#include <string>

namespace tokkit::gateway::testing {

namespace http = boost::beast::http;

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// One request on a fresh connection. Throws on socket errors.
inline HttpResult Fetch(int port, http::verb method, const std::string& target,
                        const std::map<std::string, std::string>& headers = {},
                        const std::string& body = "") {
  namespace net = boost::asio;
  net::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                        static_cast<unsigned short>(port)));
  stream.expires_after(std::chrono::seconds(20));
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  if (method == http::verb::post || !body.empty()) req.prepare_payload();
  http::write(stream, req);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 30);
  if (method == http::verb::head) parser.skip(true);
  http::read(stream, buffer, parser);
  HttpResult out;
  out.status = static_cast<int>(parser.get().result_int());
  for (const auto& f : parser.get()) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(c));
    out.headers[name] = std::string(f.value());
  }
  out.body = parser.get().body();
  boost::beast::error_code ec;
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  return out;
}

}  // namespace tokkit::gateway::testing

#endif  // TOKKIT_SERVICES_GATEWAY_TESTING_HTTP_CLIENT_H_
