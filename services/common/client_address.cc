#include "services/common/client_address.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace tokkit {
namespace {

// Parses an IPv4 or IPv6 address (IPv4-mapped IPv6 counts as IPv4).
bool ParseAddress(absl::string_view text, bool* v6,
                  std::array<uint8_t, 16>* out) {
  std::string s(absl::StripAsciiWhitespace(text));
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') {
    s = s.substr(1, s.size() - 2);
  }
  out->fill(0);
  if (inet_pton(AF_INET, s.c_str(), out->data()) == 1) {
    *v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out->data()) == 1) {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0,    0,
                                            0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(kMapped, kMapped + 12, out->begin())) {
      std::copy(out->begin() + 12, out->end(), out->begin());
      std::fill(out->begin() + 4, out->end(), 0);
      *v6 = false;
    } else {
      *v6 = true;
    }
    return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<TrustedProxies> TrustedProxies::Parse(absl::string_view list) {
  TrustedProxies t;
  for (absl::string_view item :
       absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    Block b;
    absl::string_view address = item;
    int prefix = -1;
    if (size_t slash = item.find('/'); slash != absl::string_view::npos) {
      address = item.substr(0, slash);
      if (!absl::SimpleAtoi(item.substr(slash + 1), &prefix)) {
        return absl::InvalidArgumentError(
            absl::StrCat("trusted proxy '", item, "': bad prefix length"));
      }
    }
    if (!ParseAddress(address, &b.v6, &b.bytes)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "trusted proxy '", item, "' is not an IP address or CIDR block"));
    }
    const int max = b.v6 ? 128 : 32;
    if (prefix < 0) prefix = max;
    if (prefix > max) {
      return absl::InvalidArgumentError(
          absl::StrCat("trusted proxy '", item, "': prefix longer than ", max));
    }
    b.prefix = prefix;
    t.blocks_.push_back(b);
  }
  return t;
}

bool TrustedProxies::Contains(absl::string_view address) const {
  bool v6;
  std::array<uint8_t, 16> a;
  if (!ParseAddress(address, &v6, &a)) return false;
  for (const Block& b : blocks_) {
    if (b.v6 != v6) continue;
    int bits = b.prefix, i = 0;
    bool match = true;
    for (; bits >= 8; bits -= 8, ++i) {
      if (a[i] != b.bytes[i]) {
        match = false;
        break;
      }
    }
    if (match && bits > 0) {
      const uint8_t mask = static_cast<uint8_t>(0xff << (8 - bits));
      match = (a[i] & mask) == (b.bytes[i] & mask);
    }
    if (match) return true;
  }
  return false;
}

std::string ResolveClientAddress(absl::string_view peer,
                                 absl::string_view forwarded_for,
                                 const TrustedProxies& trusted) {
  if (!trusted.Contains(peer)) return std::string(peer);
  std::vector<absl::string_view> hops =
      absl::StrSplit(forwarded_for, ',', absl::SkipWhitespace());
  // Right to left: each trusted proxy vouches for the hop before it.
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    absl::string_view hop = absl::StripAsciiWhitespace(*it);
    bool v6;
    std::array<uint8_t, 16> bytes;
    if (!ParseAddress(hop, &v6, &bytes)) {
      // Garbage in the header: stop at the last hop we could vouch for.
      return std::string(
          it == hops.rbegin() ? peer : absl::StripAsciiWhitespace(*(it - 1)));
    }
    if (!trusted.Contains(hop)) return std::string(hop);
  }
  return hops.empty() ? std::string(peer)
                      : std::string(absl::StripAsciiWhitespace(hops.front()));
}

std::string AddressFromGrpcPeer(absl::string_view peer) {
  if (absl::ConsumePrefix(&peer, "ipv4:")) {
    return std::string(peer.substr(0, peer.rfind(':')));
  }
  if (absl::ConsumePrefix(&peer, "ipv6:")) {
    // ipv6:[::1]:5555 or ipv6:%5B::1%5D:5555
    absl::string_view host = peer.substr(0, peer.rfind(':'));
    if (absl::ConsumePrefix(&host, "%5B") &&
        absl::ConsumeSuffix(&host, "%5D")) {
      return std::string(host);
    }
    if (absl::ConsumePrefix(&host, "[") && absl::ConsumeSuffix(&host, "]")) {
      return std::string(host);
    }
    return std::string(host);
  }
  return std::string(peer);
}

}  // namespace tokkit
