#include "services/gateway/connect_call.h"

#include <grpcpp/support/byte_buffer.h>

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "services/common/grpc_status.h"
#include "services/gateway/compression.h"

namespace tokkit::gateway {
namespace {

using connect::Codec;

// The id the server gave the call; the one the gateway sent when the call
// never reached it.
std::string CallRequestId(const grpc::ClientContext& ctx,
                          const ForwardedCall& call) {
  std::string id = RequestIdOf(ctx);
  return id.empty() ? call.request_id : id;
}

// Text metadata worth showing HTTP clients (binary "-bin" values are not).
std::vector<std::pair<std::string, std::string>> TextTrailers(
    const grpc::ClientContext& ctx) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : ctx.GetServerTrailingMetadata()) {
    std::string key(k.data(), k.size());
    if (absl::EndsWith(key, "-bin")) continue;
    out.emplace_back(std::move(key), std::string(v.data(), v.size()));
  }
  return out;
}

absl::StatusOr<std::string> DecodeMessage(const RpcMethod& rpc, Codec codec,
                                          absl::string_view data) {
  const auto* type = rpc.descriptor->input_type();
  if (codec == Codec::kJson) return JsonToBinary(type, data);
  if (absl::Status st = ValidateBinary(type, data); !st.ok()) return st;
  return std::string(data);
}

absl::StatusOr<std::string> EncodeMessage(const RpcMethod& rpc, Codec codec,
                                          std::string binary) {
  if (codec == Codec::kJson) {
    return BinaryToJson(rpc.descriptor->output_type(), binary);
  }
  return binary;
}

}  // namespace

grpc::ByteBuffer ToByteBuffer(absl::string_view data) {
  grpc::Slice slice(data.data(), data.size());
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromByteBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  (void)buffer.Dump(&slices);
  std::string out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

void ApplyForwarded(const ForwardedCall& call, grpc::ClientContext* context) {
  if (!call.authorization.empty()) {
    context->AddMetadata("authorization", call.authorization);
  }
  if (!call.request_id.empty()) {
    context->AddMetadata("x-request-id", call.request_id);
  }
  if (!call.traceparent.empty()) {
    context->AddMetadata("traceparent", call.traceparent);
  }
  if (!call.client_address.empty()) {
    context->AddMetadata("x-forwarded-for", call.client_address);
  }
  if (call.timeout) {
    context->set_deadline(std::chrono::system_clock::now() +
                          absl::ToChronoMilliseconds(*call.timeout));
  }
}

StringResponse ConnectErrorResponse(const absl::Status& status,
                                    const std::string& request_id,
                                    const std::string& reason,
                                    const Decorate& decorate,
                                    int http_status_override) {
  connect::ErrorInfo info;
  info.code = status.code();
  info.message = std::string(status.message());
  info.reason = reason;
  info.request_id = request_id;
  const int http_status = http_status_override != 0
                              ? http_status_override
                              : connect::HttpStatusFor(status.code());
  StringResponse r{static_cast<http::status>(http_status), 11};
  r.set(http::field::content_type, "application/json");
  if (!request_id.empty()) r.set("x-request-id", request_id);
  if (!reason.empty()) r.set("tokkit-reason", reason);
  if (status.code() == absl::StatusCode::kResourceExhausted &&
      http_status == 429) {
    r.set(http::field::retry_after, "1");
  }
  r.body() = connect::ErrorJson(info);
  if (decorate) decorate(r.base());
  return r;
}

void ServeUnary(std::shared_ptr<Exchange> exchange, grpc::GenericStub* stub,
                const RpcMethod& rpc, connect::ContentType type,
                ForwardedCall call, const ConnectLimits& limits,
                Decorate decorate) {
  std::string encoding(exchange->request()[http::field::content_encoding]);
  exchange->ReadBody(
      limits.max_unary_body_bytes,
      [exchange, stub, rpc, type, call = std::move(call), limits,
       decorate = std::move(decorate),
       encoding](absl::StatusOr<std::string> body) mutable {
        auto fail = [&](const absl::Status& st, int http_status = 0) {
          exchange->Respond(ConnectErrorResponse(st, call.request_id, "",
                                                 decorate, http_status));
        };
        if (!body.ok()) {
          if (body.status().code() == absl::StatusCode::kCancelled) {
            return exchange->Abort();
          }
          return fail(body.status(), 413);
        }
        if (absl::EqualsIgnoreCase(encoding, "gzip")) {
          body = Gunzip(*body, limits.max_unary_body_bytes);
          if (!body.ok()) {
            return fail(
                body.status(),
                body.status().code() == absl::StatusCode::kResourceExhausted
                    ? 413
                    : 0);
          }
        } else if (!encoding.empty() &&
                   !absl::EqualsIgnoreCase(encoding, "identity")) {
          return fail(absl::UnimplementedError(absl::StrCat(
                          "content-encoding '", encoding,
                          "' is not supported; use gzip or identity")),
                      415);
        }
        absl::StatusOr<std::string> request =
            DecodeMessage(rpc, type.codec, *body);
        if (!request.ok()) return fail(request.status());

        struct State {
          grpc::ClientContext ctx;
          grpc::ByteBuffer request;
          grpc::ByteBuffer response;
        };
        auto state = std::make_shared<State>();
        ApplyForwarded(call, &state->ctx);
        state->request = ToByteBuffer(*request);
        exchange->OnCancel([weak = std::weak_ptr<State>(state)] {
          if (auto s = weak.lock()) s->ctx.TryCancel();
        });
        stub->UnaryCall(
            &state->ctx, rpc.grpc_path, grpc::StubOptions(), &state->request,
            &state->response,
            [exchange, state, rpc, type, call,
             decorate](const grpc::Status& s) {
              const std::string request_id = CallRequestId(state->ctx, call);
              if (!s.ok()) {
                exchange->Respond(
                    ConnectErrorResponse(FromGrpcStatus(s), request_id,
                                         ReasonOf(state->ctx), decorate));
                return;
              }
              absl::StatusOr<std::string> out = EncodeMessage(
                  rpc, type.codec, FromByteBuffer(state->response));
              if (!out.ok()) {
                exchange->Respond(ConnectErrorResponse(
                    absl::InternalError("response could not be encoded"),
                    request_id, "", decorate));
                return;
              }
              StringResponse r{http::status::ok, 11};
              r.set(http::field::content_type, connect::ContentTypeFor(type));
              if (!request_id.empty()) r.set("x-request-id", request_id);
              for (const auto& [k, v] : TextTrailers(state->ctx)) {
                if (k != "x-request-id") r.insert("trailer-" + k, v);
              }
              if (call.accepts_gzip && out->size() > 1024) {
                r.set(http::field::content_encoding, "gzip");
                r.set(http::field::vary, "Accept-Encoding");
                r.body() = Gzip(*out);
              } else {
                r.body() = *std::move(out);
              }
              if (decorate) decorate(r.base());
              exchange->Respond(std::move(r));
            });
      });
}

namespace {

// A streaming Connect call (server-, client- or half-duplex bidi): request
// envelopes are read from the body as they arrive and written to the gRPC
// call one at a time; response messages are written to HTTP one at a time,
// then the end-of-stream envelope carries the status and trailers.
// Backpressure both ways: nothing is read until the previous write is done.
class StreamCall
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
      public std::enable_shared_from_this<StreamCall> {
 public:
  StreamCall(std::shared_ptr<Exchange> exchange, RpcMethod rpc,
             connect::ContentType type, ForwardedCall call,
             ConnectLimits limits, Decorate decorate)
      : exchange_(std::move(exchange)),
        rpc_(std::move(rpc)),
        type_(type),
        call_(std::move(call)),
        limits_(limits),
        decorate_(std::move(decorate)),
        reader_(limits.max_message_bytes) {
    auto it = exchange_->request().find("connect-content-encoding");
    if (it != exchange_->request().end()) {
      request_encoding_ = std::string(AsAbsl(it->value()));
    }
  }

  void Start(grpc::GenericStub* stub) {
    self_ = shared_from_this();
    ApplyForwarded(call_, &ctx_);
    stub->PrepareBidiStreamingCall(&ctx_, rpc_.grpc_path, grpc::StubOptions(),
                                   this);
    exchange_->OnCancel([weak = weak_from_this()] {
      if (auto s = weak.lock()) s->ctx_.TryCancel();
    });
    AddHold();  // the request side; released when it is done
    AddHold();  // the response side; released when reading ends
    StartRead(&read_buf_);
    StartCall();
    if (!request_encoding_.empty() &&
        !absl::EqualsIgnoreCase(request_encoding_, "gzip") &&
        !absl::EqualsIgnoreCase(request_encoding_, "identity")) {
      return Fail(absl::UnimplementedError(
          absl::StrCat("connect-content-encoding '", request_encoding_,
                       "' is not supported")));
    }
    PumpRequest();
  }

  void OnWriteDone(bool ok) override {
    bool stop;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      stop = !ok || request_done_ || server_done_;
    }
    if (stop) return ReleaseRequest();
    PumpRequest();
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      bool release;
      {
        absl::MutexLock lock(&mu_);
        server_done_ = true;
        release = !writing_;
      }
      if (release) ReleaseRequest();
      RemoveHold();
      return;
    }
    absl::StatusOr<std::string> message =
        EncodeMessage(rpc_, type_.codec, FromByteBuffer(read_buf_));
    if (!message.ok()) {
      response_error_ = absl::InternalError("response could not be encoded");
      ctx_.TryCancel();
      RemoveHold();
      return;
    }
    SendToClient(connect::EncodeEnvelope(0, *message), [this](bool ok) {
      if (!ok) {
        ctx_.TryCancel();
        RemoveHold();
        return;
      }
      StartRead(&read_buf_);
    });
  }

  void OnDone(const grpc::Status& status) override {
    absl::Status st = FromGrpcStatus(status);
    {
      absl::MutexLock lock(&mu_);
      if (!request_error_.ok()) st = request_error_;
    }
    if (!response_error_.ok()) st = response_error_;
    std::optional<connect::ErrorInfo> error;
    if (!st.ok()) {
      connect::ErrorInfo info;
      info.code = st.code();
      info.message = std::string(st.message());
      info.reason = ReasonOf(ctx_);
      info.request_id = CallRequestId(ctx_, call_);
      error = std::move(info);
    }
    std::string end = connect::EncodeEnvelope(
        connect::kFlagEndStream,
        connect::EndStreamJson(error, TextTrailers(ctx_)));
    auto self = std::move(self_);
    SendToClient(std::move(end), [self](bool) { self->exchange_->End(); });
  }

 private:
  // Sends the response head first if it has not gone yet.
  void SendToClient(std::string data, const std::function<void(bool)>& done) {
    if (exchange_->cancelled()) return done(false);
    auto write = [exchange = exchange_, data = std::move(data),
                  done](const absl::Status& st) mutable {
      if (!st.ok()) return done(false);
      exchange->WritePiece(std::move(data),
                           [done](const absl::Status& st) { done(st.ok()); });
    };
    if (head_sent_) return write(absl::OkStatus());
    head_sent_ = true;
    http::response_header<> head;
    head.result(http::status::ok);
    head.version(11);
    head.set(http::field::content_type, connect::ContentTypeFor(type_));
    head.set(kRequestIdMetadataKey, CallRequestId(ctx_, call_));
    if (decorate_) decorate_(head);
    exchange_->StartResponse(std::move(head), std::move(write));
  }

  void PumpRequest() {
    for (;;) {
      absl::StatusOr<std::optional<connect::Envelope>> next = reader_.Next();
      if (!next.ok()) return Fail(next.status());
      if (!next->has_value()) break;
      connect::Envelope& e = **next;
      if (e.flags & connect::kFlagEndStream) {
        return Fail(absl::InvalidArgumentError(
            "clients must not send an end-of-stream envelope"));
      }
      if (e.flags & connect::kFlagCompressed) {
        if (!absl::EqualsIgnoreCase(request_encoding_, "gzip")) {
          return Fail(absl::InvalidArgumentError(
              "compressed envelope without connect-content-encoding: gzip"));
        }
        absl::StatusOr<std::string> plain =
            Gunzip(e.data, limits_.max_message_bytes);
        if (!plain.ok()) return Fail(plain.status());
        e.data = *std::move(plain);
      }
      absl::StatusOr<std::string> message =
          DecodeMessage(rpc_, type_.codec, e.data);
      if (!message.ok()) return Fail(message.status());
      bool ended;
      {
        absl::MutexLock lock(&mu_);
        ended = server_done_ || request_done_;
        writing_ = !ended;
      }
      if (ended) return ReleaseRequest();
      write_buf_ = ToByteBuffer(*message);
      StartWrite(&write_buf_);
      return;  // OnWriteDone continues
    }
    if (body_done_) {
      if (reader_.HasPartial()) {
        return Fail(
            absl::InvalidArgumentError("request body ends inside an envelope"));
      }
      bool send_done;
      {
        absl::MutexLock lock(&mu_);
        if (request_done_) return;
        request_done_ = true;
        send_done = !server_done_;
      }
      if (send_done) StartWritesDone();
      return ReleaseRequest();
    }
    exchange_->ReadBodyPiece(
        [weak = weak_from_this()](
            absl::StatusOr<std::optional<std::string>> piece) {
          auto self = weak.lock();
          if (!self) return;
          bool stop;
          {
            absl::MutexLock lock(&self->mu_);
            stop = self->server_done_ || self->request_done_;
          }
          if (stop) return self->ReleaseRequest();
          if (!piece.ok()) {
            if (piece.status().code() == absl::StatusCode::kCancelled) {
              self->ctx_.TryCancel();
              {
                absl::MutexLock lock(&self->mu_);
                self->request_done_ = true;
              }
              return self->ReleaseRequest();
            }
            return self->Fail(piece.status());
          }
          if (piece->has_value()) {
            self->reader_.Append(**piece);
          } else {
            self->body_done_ = true;
          }
          self->PumpRequest();
        });
  }

  void Fail(const absl::Status& st) {
    bool release;
    {
      absl::MutexLock lock(&mu_);
      if (request_error_.ok()) request_error_ = st;
      request_done_ = true;
      release = !writing_;
    }
    ctx_.TryCancel();
    if (release) ReleaseRequest();
  }

  // Outside mu_: RemoveHold may run OnDone on this thread.
  void ReleaseRequest() {
    {
      absl::MutexLock lock(&mu_);
      if (request_hold_released_) return;
      request_hold_released_ = true;
    }
    RemoveHold();
  }

  std::shared_ptr<Exchange> exchange_;
  const RpcMethod rpc_;
  const connect::ContentType type_;
  const ForwardedCall call_;
  const ConnectLimits limits_;
  const Decorate decorate_;
  std::string request_encoding_;
  connect::EnvelopeReader reader_;
  grpc::ClientContext ctx_;
  grpc::ByteBuffer read_buf_;
  grpc::ByteBuffer write_buf_;
  bool body_done_ = false;
  bool head_sent_ = false;
  absl::Status response_error_;
  std::shared_ptr<StreamCall> self_;  // alive until OnDone

  absl::Mutex mu_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool server_done_ ABSL_GUARDED_BY(mu_) = false;
  bool request_done_ ABSL_GUARDED_BY(mu_) = false;
  bool request_hold_released_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status request_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

void ServeStream(std::shared_ptr<Exchange> exchange, grpc::GenericStub* stub,
                 const RpcMethod& rpc, connect::ContentType type,
                 ForwardedCall call, const ConnectLimits& limits,
                 Decorate decorate) {
  auto c = std::make_shared<StreamCall>(std::move(exchange), rpc, type,
                                        std::move(call), limits,
                                        std::move(decorate));
  c->Start(stub);
}

}  // namespace tokkit::gateway
