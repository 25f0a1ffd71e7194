#include "services/gateway/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/core/log.h"
#include "lib/core/metrics.h"

namespace tokkit::gateway {

RateDecision TakeToken(TokenBucket& bucket, const RateLimit& limit,
                       absl::Time now) {
  if (limit.per_second <= 0) return {};
  const double burst = std::max(1.0, limit.burst);
  if (bucket.refilled == absl::Time()) {
    bucket.tokens = burst;
    bucket.refilled = now;
  }
  const double elapsed =
      std::max(0.0, absl::ToDoubleSeconds(now - bucket.refilled));
  bucket.tokens = std::min(burst, bucket.tokens + elapsed * limit.per_second);
  bucket.refilled = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return {};
  }
  const double wait = (1 - bucket.tokens) / limit.per_second;
  return {false, absl::Milliseconds(std::ceil(wait * 1000))};
}

RateDecision LocalRateLimiter::Acquire(const std::string& key,
                                       const RateLimit& limit) {
  if (limit.per_second <= 0) return {};
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  // Full buckets carry no information: drop them now and then so the map
  // stays as small as the set of recently busy keys.
  if (now - last_sweep_ > absl::Minutes(1)) {
    last_sweep_ = now;
    absl::erase_if(buckets_, [&](const auto& entry) {
      return now - entry.second.refilled > absl::Minutes(5);
    });
  }
  return TakeToken(buckets_[key], limit, now);
}

namespace {

// KEYS[1] the bucket; ARGV rate per second, burst. Returns {allowed, wait
// in ms}. Redis's own clock, so replicas need not agree on time.
constexpr char kScript[] = R"lua(
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local data = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(data[1]) or burst
local at = tonumber(data[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, wait}
)lua";

}  // namespace

RateDecision RedisRateLimiter::Acquire(const std::string& key,
                                       const RateLimit& limit) {
  if (limit.per_second <= 0) return {};
  absl::StatusOr<redis::Reply> reply = client_->Command(
      {"EVAL", kScript, "1", absl::StrCat("tokkit:ratelimit:", key),
       absl::StrCat(limit.per_second),
       absl::StrCat(std::max(1.0, limit.burst))});
  if (!reply.ok() || reply->type != redis::Reply::Type::kArray ||
      reply->elements.size() != 2) {
    metrics::GetCounter("tokkit_rate_limiter_errors_total",
                        "rate-limit decisions Redis could not make (the "
                        "request was allowed)")
        .Increment();
    log::Warning("rate_limiter_unavailable",
                 {{"error", reply.ok() ? absl::InternalError("bad reply")
                                       : reply.status()}});
    return {};
  }
  if (reply->elements[0].integer == 1) return {};
  return {false, absl::Milliseconds(reply->elements[1].integer)};
}

absl::StatusOr<std::unique_ptr<RateLimiter>> NewRateLimiter(
    const std::string& redis_url) {
  if (redis_url.empty()) {
    return std::make_unique<LocalRateLimiter>(Clock::Real());
  }
  absl::StatusOr<std::unique_ptr<redis::Client>> client =
      redis::Client::Connect(redis_url, absl::Milliseconds(500));
  if (!client.ok()) return client.status();
  return std::make_unique<RedisRateLimiter>(*std::move(client));
}

}  // namespace tokkit::gateway
