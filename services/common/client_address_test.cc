#include "services/common/client_address.h"

#include "gtest/gtest.h"

namespace tokkit {
namespace {

TEST(TrustedProxiesTest, ParsesAddressesAndBlocks) {
  auto t = TrustedProxies::Parse("10.0.0.0/8, 192.168.1.5,::1/128, fd00::/8");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->Contains("10.1.2.3"));
  EXPECT_FALSE(t->Contains("11.0.0.1"));
  EXPECT_TRUE(t->Contains("192.168.1.5"));
  EXPECT_FALSE(t->Contains("192.168.1.6"));
  EXPECT_TRUE(t->Contains("::1"));
  EXPECT_TRUE(t->Contains("fd12:3456::1"));
  EXPECT_FALSE(t->Contains("fe80::1"));
  EXPECT_TRUE(t->Contains("::ffff:10.9.9.9"));  // IPv4-mapped
  EXPECT_FALSE(t->Contains("not-an-ip"));
  EXPECT_TRUE(TrustedProxies::Parse("").ok());
  EXPECT_TRUE(TrustedProxies::Parse("10.0.0.0/12").ok());
  EXPECT_FALSE(TrustedProxies::Parse("10.0.0.0/33").ok());
  EXPECT_FALSE(TrustedProxies::Parse("proxy.example.com").ok());
  EXPECT_FALSE(TrustedProxies::Parse("10.0.0.1/x").ok());
}

TEST(ResolveClientAddressTest, BelievesOnlyTrustedHops) {
  const TrustedProxies lb = *TrustedProxies::Parse("10.0.0.0/8");
  // Direct clients: the header is the client's own claim, ignored.
  EXPECT_EQ(ResolveClientAddress("203.0.113.7", "1.2.3.4", lb), "203.0.113.7");
  // Through the load balancer: the hop before it.
  EXPECT_EQ(ResolveClientAddress("10.0.0.2", "203.0.113.7", lb), "203.0.113.7");
  // A client forging a header through the LB: the LB appended the real one.
  EXPECT_EQ(ResolveClientAddress("10.0.0.2", "6.6.6.6, 203.0.113.7", lb),
            "203.0.113.7");
  // Several trusted hops are skipped.
  EXPECT_EQ(
      ResolveClientAddress("10.0.0.2", "198.51.100.1, 10.0.0.9, 10.0.0.8", lb),
      "198.51.100.1");
  // No header from a trusted proxy: the proxy itself.
  EXPECT_EQ(ResolveClientAddress("10.0.0.2", "", lb), "10.0.0.2");
  // Garbage: stop at what the trusted hop vouched for.
  EXPECT_EQ(ResolveClientAddress("10.0.0.2", "203.0.113.7, garbage", lb),
            "10.0.0.2");
  // Trusting no one, nothing changes.
  EXPECT_EQ(ResolveClientAddress("10.0.0.2", "1.2.3.4", TrustedProxies()),
            "10.0.0.2");
}

TEST(AddressFromGrpcPeerTest, StripsSchemeAndPort) {
  EXPECT_EQ(AddressFromGrpcPeer("ipv4:127.0.0.1:5555"), "127.0.0.1");
  EXPECT_EQ(AddressFromGrpcPeer("ipv6:[::1]:5555"), "::1");
  EXPECT_EQ(AddressFromGrpcPeer("ipv6:%5B::1%5D:5555"), "::1");
  EXPECT_EQ(AddressFromGrpcPeer("unix:/tmp/s"), "unix:/tmp/s");
}

}  // namespace
}  // namespace tokkit
