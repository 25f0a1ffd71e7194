#include "services/gateway/chat_socket.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/core/metrics.h"
#include "services/gateway/connect_protocol.h"
#include "services/gateway/transcoder.h"

namespace tokkit::gateway {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

constexpr char kChatPath[] = "/tokkit.social.v1.SocialService/Chat";

std::string ErrorFrame(absl::StatusCode code, absl::string_view message) {
  google::protobuf::Struct s;
  auto& error =
      *(*s.mutable_fields())["error"].mutable_struct_value()->mutable_fields();
  error["code"].set_number_value(static_cast<int>(code));
  error["message"].set_string_value(std::string(message));
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(s, &out);
  return out;
}

metrics::Gauge& OpenSockets() {
  return metrics::GetGauge("tokkit_chat_websockets_open",
                           "chat WebSocket connections open on the gateway");
}

class ChatSocket;

// The gRPC side of one socket. A hold keeps OnDone away until either side
// has finished, so no operation is ever started on a finished call.
class Bridge
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
      public std::enable_shared_from_this<Bridge> {
 public:
  explicit Bridge(std::shared_ptr<ChatSocket> socket)
      : socket_(std::move(socket)) {}
  void Start(grpc::GenericStub* stub, const ForwardedCall& call);
  // One client frame (already binary); OnWriteDone tells the socket.
  void Send(const std::string& binary) {
    absl::MutexLock lock(&mu_);
    if (released_) return;
    out_ = ToByteBuffer(binary);
    StartWrite(&out_);
  }
  void ReadNext() {
    absl::MutexLock lock(&mu_);
    if (released_) return;
    StartRead(&in_);
  }
  // The client is gone: end the call.
  void Close() {
    ctx_.TryCancel();
    Release();
  }

  void OnWriteDone(bool ok) override;
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  void Release() {
    {
      absl::MutexLock lock(&mu_);
      if (released_) return;
      released_ = true;
    }
    RemoveHold();
  }

  std::shared_ptr<ChatSocket> socket_;
  std::shared_ptr<Bridge> self_;  // until OnDone
  grpc::ClientContext ctx_;
  grpc::ByteBuffer in_;
  grpc::ByteBuffer out_;
  absl::Mutex mu_;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
};

class ChatSocket : public ChatSocketRegistry::Entry,
                   public std::enable_shared_from_this<ChatSocket> {
 public:
  ChatSocket(beast::tcp_stream stream, http::request<http::empty_body> request,
             ForwardedCall call, grpc::GenericStub* stub,
             std::shared_ptr<ChatSocketRegistry> registry)
      : ws_(std::move(stream)),
        request_(std::move(request)),
        call_(std::move(call)),
        stub_(stub),
        registry_(std::move(registry)) {
    OpenSockets().Add(1);
  }
  ~ChatSocket() override {
    OpenSockets().Add(-1);
    registry_->Remove(this);
  }

  void Start() {
    registry_->Add(shared_from_this());
    bool offered_ours = false;
    for (absl::string_view p : absl::StrSplit(
             AsAbsl(request_[http::field::sec_websocket_protocol]), ',')) {
      p = absl::StripAsciiWhitespace(p);
      if (p == kChatSubprotocol) offered_ours = true;
      if (absl::ConsumePrefix(&p, "bearer.") && !p.empty()) {
        call_.authorization = absl::StrCat("Bearer ", p);
      }
    }
    ws_.set_option(
        websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [offered_ours](websocket::response_type& res) {
          if (offered_ours) {
            res.set(http::field::sec_websocket_protocol, kChatSubprotocol);
          }
        }));
    ws_.read_message_max(64 << 10);
    ws_.async_accept(request_,
                     [self = shared_from_this()](beast::error_code ec) {
                       if (ec) return;
                       self->accepted_ = true;
                       // Shutdown asked for a close while the handshake was
                       // going out.
                       if (self->close_after_writes_) return self->MaybeClose();
                       if (!self->call_.authorization.empty()) self->OpenCall();
                       self->Read();
                     });
  }

  void GoAway() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      self->CloseWith(websocket::close_code::going_away, "server restarting");
    });
  }
  // Drops the TCP connection: pending reads, writes and a close handshake
  // the client never answers all end now.
  void Abort() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      if (self->bridge_ != nullptr) self->bridge_->Close();
      beast::get_lowest_layer(self->ws_).close();
    });
  }

  // --- from the bridge (any thread) ---
  void FromServer(std::string json) {
    net::post(ws_.get_executor(),
              [self = shared_from_this(), json = std::move(json)]() mutable {
                self->Enqueue(std::move(json), /*then_read_server=*/true);
              });
  }
  void ServerWriteDone(bool ok) {
    net::post(ws_.get_executor(), [self = shared_from_this(), ok] {
      if (ok) self->Read();
    });
  }
  void ServerDone(const grpc::Status& status) {
    net::post(ws_.get_executor(), [self = shared_from_this(), status] {
      self->bridge_ = nullptr;
      if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
        self->Enqueue(
            ErrorFrame(static_cast<absl::StatusCode>(status.error_code()),
                       status.error_message()),
            false);
      }
      const auto code =
          status.ok() ? websocket::close_code::normal
          : status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
                  status.error_code() == grpc::StatusCode::PERMISSION_DENIED
              ? websocket::close_code::policy_error
          : status.error_code() == grpc::StatusCode::UNAVAILABLE
              ? websocket::close_code::try_again_later
              : websocket::close_code::internal_error;
      self->close_after_writes_ = websocket::close_reason(
          code, std::string(connect::CodeName(
                    static_cast<absl::StatusCode>(status.error_code()))));
      self->MaybeClose();
    });
  }

 private:
  void OpenCall() {
    bridge_ = std::make_shared<Bridge>(shared_from_this());
    bridge_->Start(stub_, call_);
  }

  void Read() {
    if (closing_ || reading_) return;
    reading_ = true;
    in_.clear();
    ws_.async_read(in_,
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     self->reading_ = false;
                     if (ec) {
                       // The client left (or broke the protocol): end the call.
                       self->closing_ = true;
                       if (self->bridge_ != nullptr) self->bridge_->Close();
                       return;
                     }
                     self->OnFrame(beast::buffers_to_string(self->in_.data()));
                   });
  }

  void OnFrame(const std::string& text) {
    if (!ws_.got_text()) {
      Enqueue(ErrorFrame(absl::StatusCode::kInvalidArgument,
                         "frames are JSON text"),
              false);
      return Read();
    }
    if (bridge_ == nullptr && call_.authorization.empty()) {
      google::protobuf::Struct s;
      std::string auth;
      if (IsValidUtf8(text) &&
          google::protobuf::util::JsonStringToMessage(text, &s).ok()) {
        auto it = s.fields().find("authorization");
        if (it != s.fields().end()) auth = it->second.string_value();
      }
      if (!absl::StartsWithIgnoreCase(auth, "bearer ")) {
        Enqueue(ErrorFrame(absl::StatusCode::kUnauthenticated,
                           "the first frame must be {\"authorization\": "
                           "\"Bearer <access token>\"}"),
                false);
        close_after_writes_ = websocket::close_reason(
            websocket::close_code::policy_error, "unauthenticated");
        return MaybeClose();
      }
      call_.authorization = auth;
      OpenCall();
      return Read();
    }
    if (bridge_ == nullptr) return;  // the call has ended; closing
    static const auto* type = [] {
      return google::protobuf::DescriptorPool::generated_pool()
          ->FindMessageTypeByName("tokkit.social.v1.ChatClientFrame");
    }();
    absl::StatusOr<std::string> binary = JsonToBinary(type, text);
    if (!binary.ok()) {
      Enqueue(ErrorFrame(absl::StatusCode::kInvalidArgument,
                         binary.status().message()),
              false);
      return Read();
    }
    bridge_->Send(*std::move(binary));  // ServerWriteDone reads on
  }

  void Enqueue(std::string frame, bool then_read_server) {
    out_.push_back({std::move(frame), then_read_server});
    Write();
  }

  void Write() {
    if (!accepted_ || writing_ || out_.empty() || closed_) return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(out_.front().frame),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      self->writing_ = false;
                      const bool read_server = self->out_.front().read_server;
                      self->out_.pop_front();
                      if (ec) {
                        self->closing_ = true;
                        if (self->bridge_ != nullptr) self->bridge_->Close();
                        return;
                      }
                      if (read_server && self->bridge_ != nullptr) {
                        self->bridge_->ReadNext();
                      }
                      if (!self->out_.empty()) return self->Write();
                      self->MaybeClose();
                    });
  }

  void CloseWith(websocket::close_code code, const std::string& reason) {
    close_after_writes_ = websocket::close_reason(code, reason);
    if (bridge_ != nullptr) bridge_->Close();
    MaybeClose();
  }

  void MaybeClose() {
    // Until the handshake's write completes, a close frame would be a second
    // write on the stream at once.
    if (!accepted_ || !close_after_writes_ || writing_ || !out_.empty() ||
        closed_) {
      return;
    }
    closed_ = true;
    closing_ = true;
    ws_.async_close(*close_after_writes_,
                    [self = shared_from_this()](beast::error_code) {});
  }

  struct Outgoing {
    std::string frame;
    bool read_server;
  };

  websocket::stream<beast::tcp_stream> ws_;
  http::request<http::empty_body> request_;
  ForwardedCall call_;
  grpc::GenericStub* stub_;
  std::shared_ptr<ChatSocketRegistry> registry_;
  beast::flat_buffer in_;
  std::deque<Outgoing> out_;
  std::shared_ptr<Bridge> bridge_;  // until ServerDone
  bool accepted_ = false;           // the handshake's response is out
  bool reading_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
  std::optional<websocket::close_reason> close_after_writes_;
};

void Bridge::Start(grpc::GenericStub* stub, const ForwardedCall& call) {
  self_ = shared_from_this();
  ApplyForwarded(call, &ctx_);
  stub->PrepareBidiStreamingCall(&ctx_, kChatPath, grpc::StubOptions(), this);
  AddHold();
  StartRead(&in_);
  StartCall();
}

void Bridge::OnWriteDone(bool ok) { socket_->ServerWriteDone(ok); }

void Bridge::OnReadDone(bool ok) {
  if (!ok) return Release();  // the server ended the call; OnDone follows
  static const auto* type = [] {
    return google::protobuf::DescriptorPool::generated_pool()
        ->FindMessageTypeByName("tokkit.social.v1.ChatServerFrame");
  }();
  absl::StatusOr<std::string> json = BinaryToJson(type, FromByteBuffer(in_));
  if (!json.ok()) {
    ctx_.TryCancel();
    return;
  }
  socket_->FromServer(*std::move(json));
}

void Bridge::OnDone(const grpc::Status& status) {
  socket_->ServerDone(status);
  socket_.reset();
  auto self = std::move(self_);  // may be the last reference
}

}  // namespace

void ServeChatSocket(beast::tcp_stream stream,
                     http::request<http::empty_body> request,
                     ForwardedCall call, grpc::GenericStub* stub,
                     std::shared_ptr<ChatSocketRegistry> registry) {
  std::make_shared<ChatSocket>(std::move(stream), std::move(request),
                               std::move(call), stub, std::move(registry))
      ->Start();
}

void ChatSocketRegistry::Add(const std::shared_ptr<Entry>& e) {
  absl::MutexLock lock(&mu_);
  entries_.push_back(e);
}

void ChatSocketRegistry::Remove(Entry* e) {
  absl::MutexLock lock(&mu_);
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [e](const std::weak_ptr<Entry>& w) {
                                  auto s = w.lock();
                                  return s == nullptr || s.get() == e;
                                }),
                 entries_.end());
}

void ChatSocketRegistry::CloseAll() {
  std::vector<std::shared_ptr<Entry>> live;
  {
    absl::MutexLock lock(&mu_);
    for (auto& w : entries_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->GoAway();
}

void ChatSocketRegistry::AbortAll() {
  std::vector<std::shared_ptr<Entry>> live;
  {
    absl::MutexLock lock(&mu_);
    for (auto& w : entries_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->Abort();
}

int ChatSocketRegistry::size() {
  absl::MutexLock lock(&mu_);
  int n = 0;
  for (auto& w : entries_) n += w.expired() ? 0 : 1;
  return n;
}

}  // namespace tokkit::gateway
