// Request rate limits as token buckets ("rate" requests per second with
// bursts of "burst"), per key (a user, a source address). Local to the
// process, or shared by every replica through Redis.
#ifndef TOKKIT_SERVICES_GATEWAY_RATE_LIMITER_H_
#define TOKKIT_SERVICES_GATEWAY_RATE_LIMITER_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/core/clock.h"
#include "lib/redis/redis_client.h"

namespace tokkit::gateway {

struct RateLimit {
  double per_second = 0;  // 0: unlimited
  double burst = 0;
  // The gateway's flags: `rps` a second with bursts of four times that.
  static RateLimit WithBurstOf4(double rps) { return {rps, 4 * rps}; }
};

struct RateDecision {
  bool allowed = true;
  absl::Duration retry_after;  // when not allowed
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Takes one token from `key`'s bucket.
  virtual RateDecision Acquire(const std::string& key,
                               const RateLimit& limit) = 0;
  // True when Acquire may block (network), so callers keep it off I/O
  // threads.
  virtual bool blocking() const = 0;
};

// The pure bucket arithmetic, shared by both limiters and tested alone.
struct TokenBucket {
  double tokens = 0;
  absl::Time refilled;
};
RateDecision TakeToken(TokenBucket& bucket, const RateLimit& limit,
                       absl::Time now);

class LocalRateLimiter : public RateLimiter {
 public:
  explicit LocalRateLimiter(const Clock* clock) : clock_(clock) {}
  RateDecision Acquire(const std::string& key, const RateLimit& limit) override;
  bool blocking() const override { return false; }

 private:
  const Clock* const clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, TokenBucket> buckets_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_);
};

// One Lua script per decision, on Redis's clock so replicas agree. When
// Redis cannot be reached the request is allowed (logged and counted): a
// limiter outage must not become a service outage.
class RedisRateLimiter : public RateLimiter {
 public:
  explicit RedisRateLimiter(std::unique_ptr<redis::Client> client)
      : client_(std::move(client)) {}
  RateDecision Acquire(const std::string& key, const RateLimit& limit) override;
  bool blocking() const override { return true; }

 private:
  std::unique_ptr<redis::Client> client_;
};

// The limiter a gateway process uses: shared through Redis when `redis_url`
// is set (UNAVAILABLE when it cannot be reached at start), else local.
absl::StatusOr<std::unique_ptr<RateLimiter>> NewRateLimiter(
    const std::string& redis_url);

}  // namespace tokkit::gateway

#endif  // TOKKIT_SERVICES_GATEWAY_RATE_LIMITER_H_
