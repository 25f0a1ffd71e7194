#include "services/social/chat_stream.h"

#include <atomic>
#include <deque>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "lib/core/log.h"
#include "lib/core/metrics.h"
#include "lib/core/request_context.h"
#include "services/common/auth_interceptor.h"
#include "services/common/call_scope.h"
#include "services/common/grpc_status.h"
#include "services/common/request_validation.h"
#include "services/social/social_convert.h"

namespace tokkit {
namespace {

using In = socialpb::ChatClientFrame;
using Out = socialpb::ChatServerFrame;

std::atomic<int64_t> g_open{0}, g_frames{0}, g_bytes{0}, g_cut_off{0};

// How many recently sent message ids a stream remembers to drop repeats
// (live delivery and catch-up overlap).
constexpr size_t kRememberedIds = 4096;

Out ErrorFrame(const absl::Status& st, const std::string& client_message_id) {
  Out f;
  f.mutable_error()->set_code(static_cast<int>(st.code()));
  f.mutable_error()->set_message(ClientMessage(st));
  f.mutable_error()->set_client_message_id(client_message_id);
  return f;
}

int64_t MessageIdOf(const Out& f) {
  if (f.has_message()) return f.message().id();
  if (f.has_ack()) return f.ack().message().id();
  return 0;
}

class ChatReactor : public grpc::ServerBidiReactor<In, Out>,
                    public social::ChatSink {
 public:
  ChatReactor(grpc::CallbackServerContext* context, social::ChatService* chat,
              BoundedExecutor* work, const ChatStreamOptions& options)
      : chat_(chat), work_(work), options_(options) {
    ++g_open;
    request_ = RequestContextOf(*context);
    context->AddInitialMetadata(kRequestIdMetadataKey, request_.request_id);
    absl::StatusOr<account::Principal> caller = CallerOf(context);
    if (!caller.ok()) {
      ScopedRequest scope(request_);
      finished_ = true;
      Finish(ToGrpcStatus(caller.status(), context));
      return;
    }
    me_ = *caller;
    request_.user_id = me_.user_id;
    // Listen before anything is caught up, so nothing falls between the two
    // (repeats are dropped by id).
    connection_ = chat_->Connect(me_.user_id, this);
    // Tells the client live delivery is on (WaitForInitialMetadata).
    StartSendInitialMetadata();
    StartRead(&in_);
  }

  // Live delivery, on the event thread: must not block.
  void Deliver(const social::Message& m) override {
    Out f;
    ToProto(m, f.mutable_message());
    Enqueue(std::move(f));
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client half-closed, or the call ended
      Action action;
      {
        absl::MutexLock lock(&mu_);
        reading_done_ = true;
        action = FinishIfDrainedLocked();
      }
      Run(action);
      return;
    }
    // One frame at a time, in order: the next read starts when this one is
    // handled, which also paces a client that sends faster than we store.
    In frame = std::move(in_);
    if (!Submit([this, frame = std::move(frame)] { Handle(frame); })) {
      CutOff(absl::ResourceExhaustedError(
          "the server is overloaded; reconnect shortly"));
    }
  }

  void OnWriteDone(bool ok) override {
    Action action;
    {
      absl::MutexLock lock(&mu_);
      const size_t bytes = queue_.front().ByteSizeLong();
      queue_.pop_front();
      queued_bytes_ -= bytes;
      --g_frames;
      g_bytes -= static_cast<int64_t>(bytes);
      if (!ok) {  // the client is gone; nothing more can be written
        writing_ = false;
        broken_ = true;
        DropQueueLocked();
      } else if (!queue_.empty() && !finished_) {
        action.write = &queue_.front();
      } else {
        writing_ = false;
      }
      if (catch_up_stalled_ && !catch_up_running_ && CatchUpFitsLocked() &&
          !finished_) {
        catch_up_stalled_ = false;
        catch_up_running_ = true;
        action.resume_catch_up = true;
      }
      if (action.write == nullptr)
        action.finish = FinishIfDrainedLocked().finish;
    }
    Run(action);
  }

  void OnCancel() override {
    Action action;
    {
      absl::MutexLock lock(&mu_);
      DropQueueLocked();
      if (!finished_) {
        finished_ = true;
        action.finish = grpc::Status::CANCELLED;
      }
    }
    Run(action);
  }

  void OnDone() override {
    connection_.reset();  // no Deliver() runs after this returns
    --g_open;
    {
      absl::MutexLock lock(&mu_);
      DropQueueLocked();
    }
    Unref();  // gRPC's hold; pool tasks may still hold theirs
  }

 private:
  struct Action {
    const Out* write = nullptr;
    std::optional<grpc::Status> finish;
    bool resume_catch_up = false;
  };

  // gRPC calls happen outside the lock: a reaction may run inline.
  void Run(const Action& a) {
    if (a.write != nullptr) StartWrite(a.write);
    if (a.finish) Finish(*a.finish);
    if (a.resume_catch_up) {
      if (!Submit([this] { CatchUp(); })) {
        // Nothing else would resume it once the queue drains: end the
        // stream like any overloaded one; the client reconnects and
        // catches up from what it saw.
        {
          absl::MutexLock lock(&mu_);
          catch_up_running_ = false;
        }
        CutOff(absl::ResourceExhaustedError(
            "the server is overloaded; reconnect shortly"));
      }
    }
  }

  bool Submit(std::function<void()> task) {
    Ref();
    const bool queued = work_->TrySubmit([this, task = std::move(task)] {
      {
        ScopedRequest scope(request_);
        task();
      }
      Unref();
    });
    if (!queued) Unref();
    return queued;
  }

  void Ref() {
    absl::MutexLock lock(&mu_);
    ++refs_;
  }
  void Unref() {
    bool last;
    {
      absl::MutexLock lock(&mu_);
      last = --refs_ == 0;
    }
    if (last) delete this;
  }

  void Handle(const In& in) {
    if (absl::Status st = ValidateRequest(in); !st.ok()) {
      Enqueue(ErrorFrame(st, ""));
    } else {
      switch (in.frame_case()) {
        case In::kHello: {
          const int64_t after = in.hello().last_seen_message_id();
          bool start = false;
          if (after > 0) {
            absl::MutexLock lock(&mu_);
            catch_up_after_ = std::max(catch_up_after_, after);
            catch_up_wanted_ = true;
            if (!catch_up_running_ && !catch_up_stalled_) {
              catch_up_running_ = start = true;
            }
          }
          if (start) CatchUp();
          break;
        }
        case In::kSend: {
          const socialpb::SendMessageRequest& s = in.send();
          absl::StatusOr<social::Message> m = chat_->Send(
              me_, s.recipient_id(), s.body(), s.client_message_id());
          if (!m.ok()) {
            Enqueue(ErrorFrame(m.status(), s.client_message_id()));
            break;
          }
          Out ack;
          ack.mutable_ack()->set_client_message_id(s.client_message_id());
          ToProto(*m, ack.mutable_ack()->mutable_message());
          Enqueue(std::move(ack));
          break;
        }
        case In::kMarkRead: {
          absl::StatusOr<social::Conversation> c = chat_->MarkRead(
              me_, in.mark_read().peer_id(), in.mark_read().up_to_message_id());
          if (!c.ok()) {
            Enqueue(ErrorFrame(c.status(), ""));
            break;
          }
          Out f;
          ToProto(*c, f.mutable_read());
          Enqueue(std::move(f));
          break;
        }
        default:
          Enqueue(
              ErrorFrame(absl::InvalidArgumentError("empty chat frame"), ""));
      }
    }
    bool read_more;
    {
      absl::MutexLock lock(&mu_);
      read_more = !finished_;
    }
    if (read_more) StartRead(&in_);
  }

  // Catch-up fills at most half the queue, in pages of at most a quarter:
  // the other half stays free for live frames, which cut the stream off
  // when they find no room.
  size_t CatchUpPageSize() const {
    return std::max<size_t>(1,
                            std::min<size_t>(options_.catch_up_page,
                                             options_.max_queued_frames / 4));
  }
  bool CatchUpFitsLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return queue_.size() + CatchUpPageSize() <=
           std::max<size_t>(1, options_.max_queued_frames / 2);
  }

  // Pulls missed messages a page at a time while the queue has room; stalls
  // otherwise and is resumed as writes drain it (a stalled catch-up always
  // has a write in flight: the page fits an empty queue).
  void CatchUp() {
    const int page_size = static_cast<int>(CatchUpPageSize());
    while (true) {
      int64_t after;
      {
        absl::MutexLock lock(&mu_);
        if (!finished_ && catch_up_wanted_ && !CatchUpFitsLocked()) {
          // Stall and stop running in one step: OnWriteDone resumes only a
          // catch-up that is not running, so a write completing between
          // two separate steps would find it running, skip the resume, and
          // (if it was the last write) leave it stalled for good.
          catch_up_stalled_ = true;
          catch_up_running_ = false;
          return;  // the queue is not empty: nothing to finish yet
        }
        if (finished_ || !catch_up_wanted_) break;
        after = catch_up_after_;
      }
      absl::StatusOr<std::vector<social::Message>> page =
          chat_->MissedSince(me_, after, page_size);
      if (!page.ok()) {
        Enqueue(ErrorFrame(page.status(), ""));
        absl::MutexLock lock(&mu_);
        catch_up_wanted_ = false;
        continue;
      }
      for (const social::Message& m : *page) {
        Out f;
        ToProto(m, f.mutable_message());
        Enqueue(std::move(f), /*catch_up=*/true);
      }
      absl::MutexLock lock(&mu_);
      if (!page->empty()) {
        catch_up_after_ = std::max(catch_up_after_, page->back().id);
      }
      if (static_cast<int>(page->size()) < page_size) {
        catch_up_wanted_ = false;  // caught up; live delivery takes over
      }
    }
    Action action;
    {
      absl::MutexLock lock(&mu_);
      catch_up_running_ = false;
      action = FinishIfDrainedLocked();  // a half-closed stream may be done
    }
    Run(action);
  }

  void Enqueue(Out frame, bool catch_up = false) {
    Action action;
    {
      absl::MutexLock lock(&mu_);
      if (finished_ || broken_) return;
      const int64_t id = MessageIdOf(frame);
      if (id != 0) {
        // Each message goes out once per stream, whichever path brought it.
        if (sent_ids_.contains(id) && frame.has_message()) return;
        sent_ids_.insert(id);
        sent_order_.push_back(id);
        if (sent_order_.size() > kRememberedIds) {
          sent_ids_.erase(sent_order_.front());
          sent_order_.pop_front();
        }
      }
      const size_t bytes = frame.ByteSizeLong();
      // Catch-up fetched its page when the queue had room for it; live
      // frames may have taken that room meanwhile. Its page may overrun the
      // limits by half (still bounded), so a client that reads is not cut
      // off for catching up while live traffic flows.
      const size_t max_frames = options_.max_queued_frames +
                                (catch_up ? options_.max_queued_frames / 2 : 0);
      const size_t max_bytes = options_.max_queued_bytes +
                               (catch_up ? options_.max_queued_bytes / 2 : 0);
      if (queue_.size() + 1 > max_frames || queued_bytes_ + bytes > max_bytes) {
        // The client is not reading (catch-up waits for room, so this is
        // live traffic or answers piling up). Cut it off; it catches up on
        // reconnect.
        action.finish = CutOffLocked();
      } else {
        queue_.push_back(std::move(frame));
        queued_bytes_ += bytes;
        ++g_frames;
        g_bytes += static_cast<int64_t>(bytes);
        if (!writing_) {
          writing_ = true;
          action.write = &queue_.front();
        }
      }
    }
    Run(action);
  }

  void CutOff(const absl::Status& why) {
    Action action;
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      finished_ = true;
      DropQueueLocked();
      action.finish = grpc::Status(static_cast<grpc::StatusCode>(why.code()),
                                   std::string(why.message()));
    }
    Run(action);
  }

  std::optional<grpc::Status> CutOffLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return std::nullopt;
    finished_ = true;
    ++g_cut_off;
    log::Warning("chat_stream_cut_off",
                 {{"user_id", me_.user_id},
                  {"queued_frames", static_cast<int64_t>(queue_.size())},
                  {"queued_bytes", static_cast<int64_t>(queued_bytes_)}});
    DropQueueLocked();
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "the client is not reading its chat stream; reconnect "
                        "with Hello{last_seen_message_id} to catch up");
  }

  // Frees queued frames except the one a write may still be using.
  void DropQueueLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const size_t keep = writing_ ? 1 : 0;
    while (queue_.size() > keep) {
      const size_t bytes = queue_.back().ByteSizeLong();
      queue_.pop_back();
      queued_bytes_ -= bytes;
      --g_frames;
      g_bytes -= static_cast<int64_t>(bytes);
    }
  }

  Action FinishIfDrainedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Action a;
    // refs_ > 1: pool work for this stream is still running (it may yet
    // queue an answer); it finishes the stream when it is done.
    if (reading_done_ && !writing_ && queue_.empty() && !finished_ &&
        !catch_up_running_) {
      finished_ = true;
      a.finish = grpc::Status::OK;
    }
    return a;
  }

  social::ChatService* const chat_;
  BoundedExecutor* const work_;
  const ChatStreamOptions options_;
  RequestContext request_;
  account::Principal me_;
  std::unique_ptr<social::ChatService::Connection> connection_;
  In in_;

  absl::Mutex mu_;
  int refs_ ABSL_GUARDED_BY(mu_) = 1;  // gRPC's, dropped in OnDone
  std::deque<Out> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool reading_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  int64_t catch_up_after_ ABSL_GUARDED_BY(mu_) = 0;
  bool catch_up_wanted_ ABSL_GUARDED_BY(mu_) = false;
  bool catch_up_running_ ABSL_GUARDED_BY(mu_) = false;
  bool catch_up_stalled_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<int64_t> sent_ids_ ABSL_GUARDED_BY(mu_);
  std::deque<int64_t> sent_order_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

ChatStreamStats GetChatStreamStats() {
  return {g_open.load(), g_frames.load(), g_bytes.load(), g_cut_off.load()};
}

ChatStreams::ChatStreams(social::ChatService* chat, ChatStreamOptions options)
    : chat_(chat),
      options_(options),
      work_(std::make_unique<BoundedExecutor>(
          "chat.streams", options.worker_threads, options.max_pending_work)) {
  // The counters are process-wide; one collector reports them.
  static const std::unique_ptr<metrics::CollectorHandle> collector =
      metrics::RegisterCollector([] {
        const ChatStreamStats s = GetChatStreamStats();
        return std::vector<metrics::Sample>{
            {"tokkit_chat_streams_open",
             "Chat streams open on this replica.",
             metrics::Sample::Type::kGauge,
             {},
             static_cast<double>(s.open)},
            {"tokkit_chat_stream_queued_bytes",
             "Bytes queued for chat streams to write.",
             metrics::Sample::Type::kGauge,
             {},
             static_cast<double>(s.queued_bytes)},
            {"tokkit_chat_streams_cut_off_total",
             "Chat streams ended because the client "
             "did not read.",
             metrics::Sample::Type::kCounter,
             {},
             static_cast<double>(s.cut_off)}};
      });
}

ChatStreams::~ChatStreams() = default;

grpc::ServerBidiReactor<social::v1::ChatClientFrame,
                        social::v1::ChatServerFrame>*
ChatStreams::Open(grpc::CallbackServerContext* context) {
  return new ChatReactor(context, chat_, work_.get(), options_);
}

}  // namespace tokkit
