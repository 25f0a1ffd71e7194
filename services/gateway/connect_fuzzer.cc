// Feeds bytes to everything the gateway parses from a client before any
// service sees it: content types, timeouts, envelopes, Range headers,
// If-None-Match, signed-URL queries, UTF-8, gzip and JSON for a message.
#include <google/protobuf/struct.pb.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "services/gateway/compression.h"
#include "services/gateway/connect_protocol.h"
#include "services/gateway/http_media.h"
#include "services/gateway/transcoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  using namespace tokkit;  // NOLINT
  (void)connect::ParseContentType(input);
  (void)connect::ParseTimeoutMs(input);
  (void)connect::ParseErrorJson(input);
  connect::EnvelopeReader reader(1 << 16);
  reader.Append(input);
  for (int i = 0; i < 64; ++i) {
    auto next = reader.Next();
    if (!next.ok() || !next->has_value()) break;
  }
  (void)gateway::SelectRange(input, 1000);
  (void)gateway::IfNoneMatchHits(input, "\"etag\"");
  gateway::MediaUrlSigner signer("fuzz-key-0123456789abcdef01234567");
  (void)signer.Verify("/media/v1/videos/1", input, absl::UnixEpoch());
  (void)gateway::IsValidUtf8(input);
  (void)gateway::Gunzip(input, 1 << 16);
  (void)gateway::AcceptsGzip(input);
  (void)gateway::JsonToBinary(google::protobuf::Struct::descriptor(), input);
  return 0;
}
