// Which address a request really came from. Behind a load balancer or the
// HTTP gateway every TCP peer is the proxy, so per-source limits (login
// throttling, rate limits) would lump every user together; X-Forwarded-For
// names the client, but anyone can send that header. It is believed only
// when the TCP peer is a configured trusted proxy (--trusted_proxies), and
// then only up to the first address that is not itself a trusted proxy.
#ifndef TOKKIT_SERVICES_COMMON_CLIENT_ADDRESS_H_
#define TOKKIT_SERVICES_COMMON_CLIENT_ADDRESS_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tokkit {

class TrustedProxies {
 public:
  // Comma-separated addresses or CIDR blocks, IPv4 or IPv6:
  // "10.0.0.0/8, 192.168.1.5, ::1/128". Empty: trust no one.
  static absl::StatusOr<TrustedProxies> Parse(absl::string_view list);
  TrustedProxies() = default;

  bool Contains(absl::string_view address) const;
  bool empty() const { return blocks_.empty(); }

 private:
  struct Block {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};
    int prefix = 0;
  };
  std::vector<Block> blocks_;
};

// The client's address given the TCP peer and the X-Forwarded-For header
// (comma-joined if it came several times): the peer unless it is trusted;
// otherwise the right-most forwarded address that is not a trusted proxy.
std::string ResolveClientAddress(absl::string_view peer,
                                 absl::string_view forwarded_for,
                                 const TrustedProxies& trusted);

// gRPC's peer string ("ipv4:1.2.3.4:555", "ipv6:[::1]:5555") without the
// scheme and port.
std::string AddressFromGrpcPeer(absl::string_view peer);

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMON_CLIENT_ADDRESS_H_
