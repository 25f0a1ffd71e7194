// ThreadSanitizer cannot see Debian's abseil synchronise: libabsl is not
// instrumented, and absl::Mutex is built on its own atomics and futexes, not
// on the pthread calls TSan intercepts. Without this every field guarded by
// an absl::Mutex would be reported as racy.
//
// Under --config=tsan this file interposes absl::Mutex's and absl::CondVar's
// entry points (the executable's definitions win over the shared library's,
// for our code and for gRPC's alike), calls the real ones through dlsym
// (RTLD_NEXT) and tells TSan what happened with its mutex annotation API. It
// compiles to nothing otherwise.
#if defined(THREAD_SANITIZER)

#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdlib>

#include "absl/synchronization/mutex.h"

namespace {

template <typename Fn>
Fn Real(const char* mangled) {
  void* f = dlsym(RTLD_NEXT, mangled);
  if (f == nullptr) abort();
  return reinterpret_cast<Fn>(f);
}

constexpr unsigned kRead = __tsan_mutex_read_lock;
constexpr unsigned kTry = __tsan_mutex_try_lock;
constexpr unsigned kTryFailed = __tsan_mutex_try_lock_failed;

using Method = void (*)(absl::Mutex*);
using TryMethod = bool (*)(absl::Mutex*);
using CondMethod = void (*)(absl::Mutex*, const absl::Condition&);
using CondBool = bool (*)(absl::Mutex*, const absl::Condition&);
using CondTimeout = bool (*)(absl::Mutex*, const absl::Condition&,
                             absl::Duration);
using CondDeadline = bool (*)(absl::Mutex*, const absl::Condition&, absl::Time);

// Some entry points call others (AwaitWithTimeout -> AwaitWithDeadline);
// only the outermost call on a thread is annotated.
thread_local int depth = 0;

struct Outermost {
  Outermost() : outer(depth++ == 0) {}
  ~Outermost() { --depth; }
  const bool outer;
};

// Around a call that releases `mu` and holds it again when it returns.
struct Reacquire {
  Reacquire(void* mu, unsigned flags) : mu(mu), flags(flags) {
    if (!nest.outer) return;
    __tsan_mutex_pre_unlock(mu, flags);
    __tsan_mutex_post_unlock(mu, flags);
  }
  ~Reacquire() {
    if (!nest.outer) return;
    __tsan_mutex_pre_lock(mu, flags);
    __tsan_mutex_post_lock(mu, flags, 0);
  }
  Outermost nest;
  void* mu;
  unsigned flags;
};

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

namespace {

// A lock-like call: annotated as acquiring `mu` (with `flags`).
template <typename Call>
auto Acquire(void* mu, unsigned flags, Call call) {
  const Outermost nest;
  if (nest.outer) __tsan_mutex_pre_lock(mu, flags);
  auto result = call();
  if (nest.outer) __tsan_mutex_post_lock(mu, flags, 0);
  return result;
}

template <typename Call>
void Release(void* mu, unsigned flags, Call call) {
  const Outermost nest;
  if (nest.outer) __tsan_mutex_pre_unlock(mu, flags);
  call();
  if (nest.outer) __tsan_mutex_post_unlock(mu, flags);
}

template <typename Call>
bool TryAcquire(void* mu, unsigned flags, Call call) {
  const Outermost nest;
  if (nest.outer) __tsan_mutex_pre_lock(mu, flags | kTry);
  const bool got = call();
  if (nest.outer) {
    __tsan_mutex_post_lock(mu, got ? flags | kTry : flags | kTry | kTryFailed,
                           0);
  }
  return got;
}

// absl evaluates a Condition while the mutex is held on someone's behalf,
// possibly inside a call we annotated as having released it; the wrapper
// makes each evaluation acquire (and release) the mutex's clock, so the
// state it reads is ordered after every write made under the mutex.
struct Watched {
  const Condition* original;
  void* mu;
};

bool EvalWatched(Watched* w) {
  __tsan_acquire(w->mu);
  const bool met = w->original->Eval();
  __tsan_release(w->mu);
  return met;
}

}  // namespace

void Mutex::Lock() {
  static const Method real = Real<Method>("_ZN4absl7debian35Mutex4LockEv");
  Acquire(this, 0, [&] { return (real(this), 0); });
}

void Mutex::Unlock() {
  static const Method real = Real<Method>("_ZN4absl7debian35Mutex6UnlockEv");
  Release(this, 0, [&] { real(this); });
}

void Mutex::ReaderLock() {
  static const Method real =
      Real<Method>("_ZN4absl7debian35Mutex10ReaderLockEv");
  Acquire(this, kRead, [&] { return (real(this), 0); });
}

void Mutex::ReaderUnlock() {
  static const Method real =
      Real<Method>("_ZN4absl7debian35Mutex12ReaderUnlockEv");
  Release(this, kRead, [&] { real(this); });
}

bool Mutex::TryLock() {
  static const TryMethod real =
      Real<TryMethod>("_ZN4absl7debian35Mutex7TryLockEv");
  return TryAcquire(this, 0, [&] { return real(this); });
}

bool Mutex::ReaderTryLock() {
  static const TryMethod real =
      Real<TryMethod>("_ZN4absl7debian35Mutex13ReaderTryLockEv");
  return TryAcquire(this, kRead, [&] { return real(this); });
}

void Mutex::LockWhen(const Condition& cond) {
  static const CondMethod real =
      Real<CondMethod>("_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE");
  Watched w{&cond, this};
  const Condition watched(&EvalWatched, &w);
  Acquire(this, 0, [&] { return (real(this, watched), 0); });
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  static const CondMethod real = Real<CondMethod>(
      "_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE");
  Watched w{&cond, this};
  const Condition watched(&EvalWatched, &w);
  Acquire(this, kRead, [&] { return (real(this, watched), 0); });
}

// The *WithTimeout/Deadline variants return holding the lock either way.
bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration t) {
  static const CondTimeout real = Real<CondTimeout>(
      "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_"
      "8DurationE");
  Watched w{&cond, this};
  const Condition watched(&EvalWatched, &w);
  return Acquire(this, 0, [&] { return real(this, watched, t); });
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time t) {
  static const CondDeadline real = Real<CondDeadline>(
      "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_"
      "4TimeE");
  Watched w{&cond, this};
  const Condition watched(&EvalWatched, &w);
  return Acquire(this, 0, [&] { return real(this, watched, t); });
}

void Mutex::Await(const Condition& cond) {
  static const CondMethod real =
      Real<CondMethod>("_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE");
  Watched w{&cond, this};
  const Condition watched(&EvalWatched, &w);
  Reacquire around(this, 0);
  real(this, watched);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration t) {
  static const CondTimeout real = Real<CondTimeout>(
      "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_"
      "8DurationE");
  Watched w{&cond, this};
  const Condition watched(&EvalWatched, &w);
  Reacquire around(this, 0);
  return real(this, watched, t);
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time t) {
  static const CondDeadline real = Real<CondDeadline>(
      "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Watched w{&cond, this};
  const Condition watched(&EvalWatched, &w);
  Reacquire around(this, 0);
  return real(this, watched, t);
}

void CondVar::Wait(Mutex* mu) {
  using Fn = void (*)(CondVar*, Mutex*);
  static const Fn real = Real<Fn>("_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  Reacquire around(mu, 0);
  real(this, mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration t) {
  using Fn = bool (*)(CondVar*, Mutex*, absl::Duration);
  static const Fn real = Real<Fn>(
      "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  Reacquire around(mu, 0);
  return real(this, mu, t);
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time t) {
  using Fn = bool (*)(CondVar*, Mutex*, absl::Time);
  static const Fn real = Real<Fn>(
      "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  Reacquire around(mu, 0);
  return real(this, mu, t);
}

ABSL_NAMESPACE_END
}  // namespace absl

#endif  // THREAD_SANITIZER
