// Chat over WebSocket (/v1/chat/ws): the SocialService.Chat stream with
// JSON text frames (ChatClientFrame in, ChatServerFrame out, protobuf's JSON
// mapping), carried to the gRPC server as a generic bidi call so the
// semantics (catch-up from last_seen_message_id, delivery across replicas)
// are the stream's own.
//
// Browsers cannot set headers on a WebSocket, and a token in the URL would
// end up in access logs, so the client authenticates either with the
// subprotocol list (Sec-WebSocket-Protocol: tokkit.chat.v1, bearer.<token>)
// or with a first frame {"authorization": "Bearer <token>"}.
#ifndef TOKKIT_SERVICES_GATEWAY_CHAT_SOCKET_H_
#define TOKKIT_SERVICES_GATEWAY_CHAT_SOCKET_H_

#include <grpcpp/generic/generic_stub.h>

#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "services/gateway/connect_call.h"
#include "services/gateway/http_server.h"

namespace tokkit::gateway {

inline constexpr char kChatSubprotocol[] = "tokkit.chat.v1";

class ChatSocketRegistry;

// Accepts the upgrade and runs the socket until either side ends it.
void ServeChatSocket(boost::beast::tcp_stream stream,
                     http::request<http::empty_body> request,
                     ForwardedCall call, grpc::GenericStub* stub,
                     std::shared_ptr<ChatSocketRegistry> registry);

// Open chat sockets, so shutdown can close them with "going away".
class ChatSocketRegistry {
 public:
  class Entry {
   public:
    virtual ~Entry() = default;
    virtual void GoAway() = 0;  // close with "going away"
    virtual void Abort() = 0;   // drop the connection
  };
  void Add(const std::shared_ptr<Entry>& e);
  void Remove(Entry* e);
  void CloseAll();
  void AbortAll();
  int size();

 private:
  absl::Mutex mu_;
  std::vector<std::weak_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tokkit::gateway

#endif  // TOKKIT_SERVICES_GATEWAY_CHAT_SOCKET_H_
