// --trusted_proxies, X-Forwarded-For and gRPC peer strings are parsed on
// every call; the client X-Forwarded-For is attacker-controlled.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "services/common/client_address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  (void)tokkit::TrustedProxies::Parse(text);
  (void)tokkit::AddressFromGrpcPeer(text);
  static const tokkit::TrustedProxies trusted =
      *tokkit::TrustedProxies::Parse("10.0.0.0/8, ::1, fd00::/8");
  const std::string resolved =
      tokkit::ResolveClientAddress("10.0.0.1", text, trusted);
  // The answer is the peer or one of the forwarded hops, never invented.
  if (resolved != "10.0.0.1" &&
      text.find(resolved) == absl::string_view::npos) {
    std::abort();
  }
  (void)tokkit::ResolveClientAddress(text, text, trusted);
  return 0;
}
