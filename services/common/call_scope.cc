#include "services/common/call_scope.h"

#include "absl/time/clock.h"
#include "services/common/grpc_status.h"

namespace tokkit {
namespace {

std::string Metadata(const grpc::ServerContextBase& context,
                     absl::string_view key) {
  const auto& md = context.client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

absl::Time DeadlineOf(const grpc::ServerContextBase& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(deadline);
}

}  // namespace

RequestContext RequestContextOf(const grpc::ServerContextBase& context) {
  RequestContext r;
  r.request_id = Metadata(context, kRequestIdMetadataKey);
  if (!IsAcceptableRequestId(r.request_id)) r.request_id = NewRequestId();
  r.traceparent = ChildTraceparent(Metadata(context, "traceparent"));
  r.deadline = DeadlineOf(context);
  return r;
}

CallScope::CallScope(grpc::ServerContextBase* context)
    : context_(context), scope_(RequestContextOf(*context)) {
  context_->AddInitialMetadata(kRequestIdMetadataKey,
                               scope_.context().request_id);
}

grpc::Status CallScope::Finish(const absl::Status& status) {
  return ToGrpcStatus(status, context_);
}

absl::Status StreamEndedCleanly(grpc::ServerContextBase* context) {
  // The cancellation is normally noted before the failed read returns (200
  // of 200 in the regression test); two short rechecks cover a slower
  // completion queue for half a millisecond per upload.
  for (int i = 0; i < 3; ++i) {
    if (i > 0) absl::SleepFor(absl::Microseconds(250));
    if (context->IsCancelled()) {
      return absl::CancelledError(
          "the client cancelled the stream before finishing it; nothing was "
          "stored");
    }
  }
  if (DeadlineOf(*context) <= absl::Now()) {
    return absl::DeadlineExceededError(
        "the deadline passed before the stream finished; nothing was stored");
  }
  return absl::OkStatus();
}

}  // namespace tokkit
