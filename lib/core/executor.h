// A fixed pool of threads running queued tasks, with a bounded queue: the
// place for blocking work (database calls) that must not run on gRPC's
// callback threads and must not cost a thread per connection.
#ifndef TOKKIT_LIB_CORE_EXECUTOR_H_
#define TOKKIT_LIB_CORE_EXECUTOR_H_

#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace tokkit {

class BoundedExecutor {
 public:
  BoundedExecutor(std::string name, int threads, size_t max_queued);
  // Runs what is queued, then joins.
  ~BoundedExecutor();
  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  // False (and `task` dropped) when the queue is full or shutting down.
  bool TrySubmit(std::function<void()> task);

  size_t queued() const;
  const std::string& name() const { return name_; }

 private:
  void Work();

  const std::string name_;
  const size_t max_queued_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace tokkit

#endif  // TOKKIT_LIB_CORE_EXECUTOR_H_
