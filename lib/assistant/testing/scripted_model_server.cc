#include "lib/assistant/testing/scripted_model_server.h"

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace tokkit::assistant::testing {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using nlohmann::json;

std::string Event(const json& chunk) {
  return absl::StrCat("data: ", chunk.dump(), "\n\n");
}

}  // namespace

struct ScriptedModelServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
};

ScriptedAnswer ScriptedAnswer::Stream(
    const std::string& text,
    const std::vector<std::pair<std::string, std::string>>& tool_calls,
    size_t split, int completion_tokens) {
  std::string all;
  all += Event(
      {{"choices", {{{"index", 0}, {"delta", {{"role", "assistant"}}}}}}});
  const size_t step = split == 0 ? std::max<size_t>(text.size(), 1) : split;
  for (size_t i = 0; i < text.size(); i += step) {
    all += Event(
        {{"choices",
          {{{"index", 0}, {"delta", {{"content", text.substr(i, step)}}}}}}});
  }
  for (size_t i = 0; i < tool_calls.size(); ++i) {
    const auto& [name, args] = tool_calls[i];
    // The name first, then the arguments in two pieces, as servers do.
    all += Event(
        {{"choices",
          {{{"index", 0},
            {"delta",
             {{"tool_calls",
               {{{"index", i},
                 {"id", absl::StrCat("call_", i)},
                 {"type", "function"},
                 {"function", {{"name", name}, {"arguments", ""}}}}}}}}}}}});
    const size_t half = args.size() / 2;
    for (const std::string& part : {args.substr(0, half), args.substr(half)}) {
      all += Event(
          {{"choices",
            {{{"index", 0},
              {"delta",
               {{"tool_calls",
                 {{{"index", i}, {"function", {{"arguments", part}}}}}}}}}}}});
    }
  }
  all += Event(
      {{"choices",
        {{{"index", 0},
          {"delta", json::object()},
          {"finish_reason", tool_calls.empty() ? "stop" : "tool_calls"}}}}});
  all += Event(
      {{"choices", json::array()},
       {"usage",
        {{"prompt_tokens", 20}, {"completion_tokens", completion_tokens}}}});
  all += "data: [DONE]\n\n";
  ScriptedAnswer a;
  if (split == 0) {
    a.pieces = {all};
  } else {
    // The wire split at odd places too, not only at events.
    for (size_t i = 0; i < all.size(); i += 7)
      a.pieces.push_back(all.substr(i, 7));
  }
  return a;
}

ScriptedAnswer ScriptedAnswer::Error(int status, const std::string& message) {
  ScriptedAnswer a;
  a.status = status;
  a.content_type = "application/json";
  a.pieces = {json({{"error", {{"message", message}}}}).dump()};
  return a;
}

ScriptedAnswer ScriptedAnswer::Silence(absl::Duration for_how_long) {
  ScriptedAnswer a;
  a.pieces = {""};
  a.pause = for_how_long;
  return a;
}

std::unique_ptr<ScriptedModelServer> ScriptedModelServer::Start() {
  std::unique_ptr<ScriptedModelServer> s(new ScriptedModelServer());
  s->impl_ = std::make_unique<Impl>();
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  s->impl_->acceptor.open(endpoint.protocol());
  s->impl_->acceptor.bind(endpoint);
  s->impl_->acceptor.listen();
  s->port_ = s->impl_->acceptor.local_endpoint().port();
  s->thread_ = std::thread([server = s.get()] { server->Serve(); });
  return s;
}

ScriptedModelServer::~ScriptedModelServer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  // A blocking accept is not woken by closing the acceptor: connect to it.
  boost::system::error_code ec;
  tcp::socket wake(impl_->io);
  wake.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  thread_.join();
  impl_->acceptor.close(ec);
}

std::string ScriptedModelServer::base_url() const {
  return absl::StrCat("http://127.0.0.1:", port_);
}

void ScriptedModelServer::Push(ScriptedAnswer answer) {
  absl::MutexLock lock(&mu_);
  script_.push_back(std::move(answer));
}

void ScriptedModelServer::PushFor(const std::string& text,
                                  ScriptedAnswer answer) {
  answer.when_last_message_contains = text;
  Push(std::move(answer));
}

std::vector<std::string> ScriptedModelServer::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

std::vector<std::string> ScriptedModelServer::authorizations() const {
  absl::MutexLock lock(&mu_);
  return authorizations_;
}

int ScriptedModelServer::unscripted() const {
  absl::MutexLock lock(&mu_);
  return unscripted_;
}

// One connection at a time: the client under test sends one request at a
// time.
void ScriptedModelServer::Serve() {
  for (;;) {
    tcp::socket socket(impl_->io);
    boost::system::error_code ec;
    impl_->acceptor.accept(socket, ec);
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    if (ec) return;
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(socket, buffer, request, ec);
    if (ec) continue;
    ScriptedAnswer answer;
    {
      absl::MutexLock lock(&mu_);
      requests_.push_back(request.body());
      authorizations_.push_back(
          std::string(request[http::field::authorization]));
      // The last message's content, which scripted answers may match on.
      std::string last;
      json body = json::parse(request.body(), nullptr, false);
      if (body.is_object() && body.contains("messages") &&
          body["messages"].is_array() && !body["messages"].empty()) {
        const json& m = body["messages"].back();
        if (m.is_object() && m.contains("content") &&
            m["content"].is_string()) {
          last = m["content"].get<std::string>();
        }
      }
      auto match = std::find_if(
          script_.begin(), script_.end(), [&](const ScriptedAnswer& a) {
            return a.when_last_message_contains.empty() ||
                   last.find(a.when_last_message_contains) != std::string::npos;
          });
      if (match == script_.end()) {
        ++unscripted_;
        answer = ScriptedAnswer::Error(500, "nothing scripted");
      } else {
        answer = std::move(*match);
        script_.erase(match);
      }
    }
    std::string head =
        absl::StrCat("HTTP/1.1 ", answer.status,
                     " Scripted\r\nContent-Type: ", answer.content_type,
                     "\r\nConnection: close\r\n");
    if (!answer.retry_after.empty()) {
      absl::StrAppend(&head, "Retry-After: ", answer.retry_after, "\r\n");
    }
    head += "\r\n";
    asio::write(socket, asio::buffer(head), ec);
    for (const std::string& piece : answer.pieces) {
      if (ec) break;
      if (answer.pause > absl::ZeroDuration()) absl::SleepFor(answer.pause);
      if (!piece.empty()) asio::write(socket, asio::buffer(piece), ec);
    }
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }
}

}  // namespace tokkit::assistant::testing
