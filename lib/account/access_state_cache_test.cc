// The access-state cache: entries live for the ttl and no longer, a user's
// entries go at once, and a read that raced with a drop is not kept.
#include "lib/account/access_state_cache.h"

#include "gtest/gtest.h"

namespace tokkit::account {
namespace {

AccessState Live(Role role = Role::kUser) {
  AccessState s;
  s.role = role;
  s.session_live = true;
  return s;
}

TEST(AccessStateCache, ServesAnEntryForTheTtlAndNoLonger) {
  SimulatedClock clock;
  AccessStateCache cache(&clock, absl::Seconds(1));
  EXPECT_FALSE(cache.Get(1, 10));
  cache.Put(1, 10, Live(Role::kMerchant), cache.Stamp());
  ASSERT_TRUE(cache.Get(1, 10));
  EXPECT_EQ(cache.Get(1, 10)->role, Role::kMerchant);
  EXPECT_FALSE(cache.Get(1, 11)) << "another session of the user";
  clock.Advance(absl::Milliseconds(999));
  EXPECT_TRUE(cache.Get(1, 10));
  clock.Advance(absl::Milliseconds(1));
  EXPECT_FALSE(cache.Get(1, 10));
  // A clock that steps back does not extend an entry's life.
  cache.Put(1, 10, Live(), cache.Stamp());
  clock.Advance(absl::Seconds(-5));
  EXPECT_FALSE(cache.Get(1, 10));
}

TEST(AccessStateCache, ForgetUserDropsEverySessionOfThatUserOnly) {
  SimulatedClock clock;
  AccessStateCache cache(&clock, absl::Seconds(1));
  cache.Put(1, 10, Live(), cache.Stamp());
  cache.Put(1, 11, Live(), cache.Stamp());
  cache.Put(2, 20, Live(), cache.Stamp());
  cache.ForgetUser(1);
  EXPECT_FALSE(cache.Get(1, 10));
  EXPECT_FALSE(cache.Get(1, 11));
  EXPECT_TRUE(cache.Get(2, 20));
  cache.ForgetUser(3);  // unknown: nothing happens
  EXPECT_TRUE(cache.Get(2, 20));
}

TEST(AccessStateCache, AReadThatRacedWithADropIsNotKept) {
  SimulatedClock clock;
  AccessStateCache cache(&clock, absl::Seconds(1));
  const uint64_t stamp = cache.Stamp();  // the read starts: user still active
  cache.ForgetUser(1);                   // the ban lands meanwhile
  cache.Put(1, 10, Live(), stamp);       // the read's stale answer
  EXPECT_FALSE(cache.Get(1, 10));
  cache.Put(1, 10, Live(), cache.Stamp());
  EXPECT_TRUE(cache.Get(1, 10));
}

TEST(AccessStateCache, ZeroTtlKeepsNothing) {
  SimulatedClock clock;
  AccessStateCache cache(&clock, absl::ZeroDuration());
  cache.Put(1, 10, Live(), cache.Stamp());
  EXPECT_FALSE(cache.Get(1, 10));
}

TEST(AccessStateCache, StartsOverAtCapacity) {
  SimulatedClock clock;
  AccessStateCache cache(&clock, absl::Seconds(1), 3);
  for (int64_t u = 1; u <= 3; ++u) cache.Put(u, u, Live(), cache.Stamp());
  cache.Put(1, 1, Live(), cache.Stamp());  // a replacement is not growth
  EXPECT_TRUE(cache.Get(3, 3));
  cache.Put(4, 4, Live(), cache.Stamp());
  EXPECT_TRUE(cache.Get(4, 4));
  EXPECT_FALSE(cache.Get(1, 1));
}

}  // namespace
}  // namespace tokkit::account
