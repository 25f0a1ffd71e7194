#include "lib/account/access_state_cache.h"

namespace tokkit::account {

AccessStateCache::AccessStateCache(const Clock* clock, absl::Duration ttl,
                                   size_t capacity)
    : clock_(clock), ttl_(ttl), capacity_(capacity) {}

uint64_t AccessStateCache::Stamp() const {
  absl::MutexLock lock(&mu_);
  return drops_;
}

std::optional<AccessState> AccessStateCache::Get(int64_t user_id,
                                                 int64_t session_id) const {
  if (ttl_ <= absl::ZeroDuration()) return std::nullopt;
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto user = users_.find(user_id);
  if (user == users_.end()) return std::nullopt;
  auto it = user->second.find(session_id);
  if (it == user->second.end()) return std::nullopt;
  const absl::Duration age = now - it->second.read_at;
  // A clock that went back counts as expired too.
  if (age >= ttl_ || age < absl::ZeroDuration()) return std::nullopt;
  return it->second.state;
}

void AccessStateCache::Put(int64_t user_id, int64_t session_id,
                           const AccessState& state, uint64_t stamp) {
  if (ttl_ <= absl::ZeroDuration()) return;
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  if (stamp != drops_) return;  // a drop happened while it was being read
  auto user = users_.find(user_id);
  const bool known = user != users_.end() && user->second.contains(session_id);
  if (!known && size_ >= capacity_) {
    // Expired entries are not removed one by one: at capacity the cache
    // starts over, and refills at one read per active session.
    users_.clear();
    size_ = 0;
  }
  const bool inserted =
      users_[user_id].insert_or_assign(session_id, Entry{state, now}).second;
  if (inserted) ++size_;
}

void AccessStateCache::ForgetUser(int64_t user_id) {
  absl::MutexLock lock(&mu_);
  ++drops_;
  auto user = users_.find(user_id);
  if (user == users_.end()) return;
  size_ -= user->second.size();
  users_.erase(user);
}

}  // namespace tokkit::account
