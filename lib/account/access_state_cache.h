// What authenticating a call needs from the database (the user's status and
// role, whether the session is live), kept for a short time so that a call
// costs no database read on the hot path.
//
// Bounded staleness: an entry is served for at most `ttl` after it was read.
// Changes made through AccountService drop the user's entries at once on the
// replica that made them, and on every other replica when the
// "account.access_changed" event arrives (normally within the event relay's
// poll); `ttl` is the bound when an event is late or lost. A read that
// raced with a drop is not kept, so a ban cannot be undone by a slow read.
#ifndef TOKKIT_LIB_ACCOUNT_ACCESS_STATE_CACHE_H_
#define TOKKIT_LIB_ACCOUNT_ACCESS_STATE_CACHE_H_

#include <cstdint>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/account/model.h"
#include "lib/core/clock.h"

namespace tokkit::account {

class AccessStateCache {
 public:
  // `ttl` zero: nothing is kept (every call reads the database).
  AccessStateCache(const Clock* clock, absl::Duration ttl,
                   size_t capacity = 100000);

  // A stamp to pass to Put: taken before reading the database.
  uint64_t Stamp() const;
  std::optional<AccessState> Get(int64_t user_id, int64_t session_id) const;
  // Kept unless the user's entries were dropped since `stamp`.
  void Put(int64_t user_id, int64_t session_id, const AccessState& state,
           uint64_t stamp);
  // Every session of the user: status, role or sessions changed.
  void ForgetUser(int64_t user_id);

  absl::Duration ttl() const { return ttl_; }

 private:
  struct Entry {
    AccessState state;
    absl::Time read_at;
  };
  const Clock* const clock_;
  const absl::Duration ttl_;
  const size_t capacity_;
  mutable absl::Mutex mu_;
  // user -> session -> entry, so a user's entries go in one erase.
  absl::flat_hash_map<int64_t, absl::flat_hash_map<int64_t, Entry>> users_
      ABSL_GUARDED_BY(mu_);
  size_t size_ ABSL_GUARDED_BY(mu_) = 0;
  // Bumped by every ForgetUser: a Put stamped before it is not kept.
  uint64_t drops_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tokkit::account

#endif  // TOKKIT_LIB_ACCOUNT_ACCESS_STATE_CACHE_H_
