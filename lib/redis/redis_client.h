// A small synchronous Redis client over hiredis: one connection, commands as
// argument vectors (binary-safe, no string formatting), replies as values,
// errors as absl::Status. Thread-safe (calls are serialised); use separate
// clients for blocking commands.
#ifndef TOKKIT_LIB_REDIS_REDIS_CLIENT_H_
#define TOKKIT_LIB_REDIS_REDIS_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct redisContext;

namespace tokkit::redis {

struct Reply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus
  int64_t integer = 0;
  std::vector<Reply> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
};

class Client {
 public:
  // redis://host:port (default port 6379). `timeout` bounds connecting and
  // every command that does not block on purpose.
  static absl::StatusOr<std::unique_ptr<Client>> Connect(
      const std::string& url, absl::Duration timeout = absl::Seconds(5));
  ~Client();

  // UNAVAILABLE when the connection fails (the client reconnects on the next
  // call); INTERNAL with Redis's message for an error reply.
  absl::StatusOr<Reply> Command(const std::vector<std::string>& args);

 private:
  Client(std::string host, int port, absl::Duration timeout)
      : host_(std::move(host)), port_(port), timeout_(timeout) {}
  absl::Status EnsureConnected() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string host_;
  const int port_;
  const absl::Duration timeout_;
  absl::Mutex mu_;
  redisContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace tokkit::redis

#endif  // TOKKIT_LIB_REDIS_REDIS_CLIENT_H_
