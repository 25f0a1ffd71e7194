// The Chat bidirectional stream as a gRPC callback reactor.
//
// An open stream costs memory, not a thread: reads, writes and live
// deliveries are callbacks, and the blocking work a frame needs (storing a
// message, reading what was missed) runs on a small shared pool.
//
// Every stream's outgoing queue is bounded (frames and bytes). Catch-up after
// Hello{last_seen_message_id} is pulled a page at a time as the client reads,
// so it never queues more than the bound; a repeated Hello only moves the
// catch-up mark forward and re-queues nothing. A client that stops reading
// while live messages keep coming is cut off with RESOURCE_EXHAUSTED and
// reconnects with catch-up.
#ifndef TOKKIT_SERVICES_SOCIAL_CHAT_STREAM_H_
#define TOKKIT_SERVICES_SOCIAL_CHAT_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>

#include "lib/core/executor.h"
#include "lib/social/chat_service.h"
#include "proto/tokkit/social/v1/social.pb.h"

namespace tokkit {

struct ChatStreamOptions {
  // Frames waiting for a slow client. Live traffic past these cuts the
  // stream off (the client reconnects and catches up); catch-up waits for
  // room, and may overrun them by half when live frames took its room.
  size_t max_queued_frames = 256;
  size_t max_queued_bytes = 1 << 20;
  // Stored messages fetched per catch-up step (at most a quarter of the
  // queue; catch-up keeps to half of it).
  int catch_up_page = 100;
  // The pool that runs every stream's database work.
  int worker_threads = 4;
  size_t max_pending_work = 4096;
};

// Across every stream of the process (metrics, tests).
struct ChatStreamStats {
  int64_t open = 0;
  int64_t queued_frames = 0;
  int64_t queued_bytes = 0;
  int64_t cut_off = 0;  // streams ended because the client did not read
};
ChatStreamStats GetChatStreamStats();

class ChatStreams {
 public:
  ChatStreams(social::ChatService* chat, ChatStreamOptions options);
  ~ChatStreams();

  grpc::ServerBidiReactor<social::v1::ChatClientFrame,
                          social::v1::ChatServerFrame>*
  Open(grpc::CallbackServerContext* context);

 private:
  social::ChatService* const chat_;
  const ChatStreamOptions options_;
  std::unique_ptr<BoundedExecutor> work_;
};

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_SOCIAL_CHAT_STREAM_H_
