// The Connect protocol (connectrpc.com/docs/protocol) as pure functions: how
// a request's content type selects unary or streaming and JSON or binary,
// the envelopes of streaming bodies, and errors as Connect JSON. The gateway
// wires these to HTTP; nothing here does I/O.
#ifndef TOKKIT_SERVICES_GATEWAY_CONNECT_PROTOCOL_H_
#define TOKKIT_SERVICES_GATEWAY_CONNECT_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tokkit::connect {

enum class Codec { kJson, kProto };

struct ContentType {
  Codec codec = Codec::kJson;
  bool streaming =
      false;  // application/connect+json, application/connect+proto
};

// Parses a request's Content-Type ("application/json; charset=utf-8",
// "application/proto", "application/connect+json", ...). INVALID_ARGUMENT
// for anything else (the gateway answers 415).
absl::StatusOr<ContentType> ParseContentType(absl::string_view header);
std::string ContentTypeFor(ContentType type);

// "not_found" etc. for a canonical code; "unknown" for OK or out of range.
absl::string_view CodeName(absl::StatusCode code);
// The inverse; nullopt for a name Connect does not define.
std::optional<absl::StatusCode> CodeFromName(absl::string_view name);
// HTTP status of a unary error (spec table: not_found 404, canceled 499, ...).
int HttpStatusFor(absl::StatusCode code);
// What an HTTP status from something that is not a Connect server means
// (a proxy's 502, say), for clients; used by the tests as the oracle.
absl::StatusCode CodeForHttpStatus(int http_status);

// Connect-Timeout-Ms: up to 10 digits of milliseconds.
absl::StatusOr<absl::Duration> ParseTimeoutMs(absl::string_view header);

// Streaming bodies are a sequence of envelopes: one flags byte, a 4-byte
// big-endian length, then the message.
inline constexpr uint8_t kFlagCompressed = 0x01;
inline constexpr uint8_t kFlagEndStream = 0x02;

struct Envelope {
  uint8_t flags = 0;
  std::string data;
};

std::string EncodeEnvelope(uint8_t flags, absl::string_view data);

// Takes complete envelopes off the front of `buffer` as bytes arrive.
class EnvelopeReader {
 public:
  explicit EnvelopeReader(int64_t max_message_bytes)
      : max_message_bytes_(max_message_bytes) {}
  void Append(absl::string_view bytes) {
    buffer_.append(bytes.data(), bytes.size());
  }
  // The next whole envelope, nullopt when more bytes are needed;
  // INVALID_ARGUMENT for a message over the limit or unknown flags,
  // RESOURCE_EXHAUSTED when the declared size is over the limit.
  absl::StatusOr<std::optional<Envelope>> Next();
  // True when bytes of an unfinished envelope are left.
  bool HasPartial() const { return !buffer_.empty(); }

 private:
  int64_t max_message_bytes_;
  std::string buffer_;
};

struct ErrorInfo {
  absl::StatusCode code = absl::StatusCode::kUnknown;
  std::string message;
  std::string reason;      // tokkit-reason, "" when none
  std::string request_id;  // "" when none
};

// {"code":"not_found","message":"...","details":[...]}; a reason or request
// id travels as a google.rpc.ErrorInfo detail (domain "tokkit"), with its
// "debug" form for clients that do not decode protobuf.
std::string ErrorJson(const ErrorInfo& error);

// The end-of-stream message: {"error":{...},"metadata":{"k":["v"]}}, with
// "error" left out on success.
std::string EndStreamJson(
    const std::optional<ErrorInfo>& error,
    const std::vector<std::pair<std::string, std::string>>& trailers);

// Reads an error body back (for tests and the gateway's own clients).
absl::StatusOr<ErrorInfo> ParseErrorJson(absl::string_view json);

}  // namespace tokkit::connect

#endif  // TOKKIT_SERVICES_GATEWAY_CONNECT_PROTOCOL_H_
