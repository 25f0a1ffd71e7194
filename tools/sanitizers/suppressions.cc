// Sanitizer suppressions compiled into every test and server binary (the
// runtimes ask for these functions at startup; without a sanitizer nothing
// calls them). Only Debian's uninstrumented libraries are named, each with
// its reason.
extern "C" {

// LeakSanitizer: process-wide singletons these libraries allocate once and
// never free by design, which LSan reports at exit.
const char*
__lsan_default_suppressions() {  // NOLINT(bugprone-reserved-identifier)
  return
      // gRPC's executor, resource quota, channel args and interned slices.
      "leak:libgrpc.so\n"
      "leak:libgrpc++.so\n"
      "leak:libgpr.so\n"
      // Protobuf's generated descriptor pool and default instances.
      "leak:libprotobuf.so\n"
      // libpq's one-time SSL and locale setup.
      "leak:libpq.so\n"
      // civetweb (prometheus-cpp's HTTP server) context kept until exit.
      "leak:libprometheus-cpp-pull.so\n";
}

// ThreadSanitizer: races reported entirely inside uninstrumented libraries,
// whose own synchronisation (atomics, futexes) TSan cannot see. absl::Mutex
// is made visible instead by tools/sanitizers/tsan_absl_mutex.cc.
const char*
__tsan_default_suppressions() {  // NOLINT(bugprone-reserved-identifier)
  return
      // gRPC's lock-free queues and combiners hand buffers between threads
      // with atomics TSan cannot see (reports come from memcpy & co. called
      // inside these libraries). Module names as loaded.
      "called_from_lib:libgrpc.so.29\n"
      "called_from_lib:libgpr.so.29\n"
      "called_from_lib:libgrpc++.so.1.51\n"
      // upb (gRPC's parser) arenas, handed around by gRPC the same way.
      "called_from_lib:libupb.so.29\n"
      // gRPC's own template code, compiled into our binaries from its
      // headers (call op sets, callback tags, reactor plumbing), races with
      // its uninstrumented half: only when that code is the racing access.
      "race_top:grpc::internal::\n"
      "race_top:grpc::Server::\n"
      // Statuses and their payloads that gRPC moves between its threads.
      "called_from_lib:libabsl_status.so.20220623\n"
      "called_from_lib:libabsl_cord.so.20220623\n"
      // Cord trees (status payloads) are shared between threads by
      // reference counts kept with atomics inside these libraries.
      "called_from_lib:libabsl_cord_internal.so.20220623\n"
      // absl's deadlock-detection graph and time-zone cache are guarded by
      // absl's internal spinlock, invisible like the rest of libabsl.
      "called_from_lib:libabsl_graphcycles_internal.so.20220623\n"
      "called_from_lib:libabsl_time_zone.so.20220623\n"
      // gRPC runs a call's last callbacks (OnDone, the server context's
      // destruction with its interceptors) after every other operation of
      // the call, on whichever thread completes last; the ordering is in its
      // uninstrumented completion queue. These two reports are those
      // hand-offs; use-after-free in them would still fail under ASan.
      "race:grpc::ServerContextBase::~ServerContextBase\n"
      "race:ServerCallbackReaderWriterImpl::CallOnDone\n"
      // gRPC parses into a reactor's receive buffer only after StartRead,
      // on the thread that completes the read; StartRead's ordering before
      // the parse is inside the completion queue.
      "race:grpc::internal::CallOpSet<grpc::internal::CallOpRecvMessage\n"
      "race:ChatReactor::~ChatReactor\n"
      // The same hand-off for a reactor's send operation: StartWrite fills
      // the op set (buffer, interceptor hooks) on our thread, the thread
      // completing the write finishes it; the completion queue orders the
      // two. (Serialising our message happens inside StartWrite, on our
      // thread, so a race on the message itself is still reported.)
      "race:grpc::internal::CallOpSendMessage::\n"
      // A call's callback tags run on completion threads and are destroyed
      // with the call when its (uninstrumented, atomic) refcount reaches 0.
      "race:grpc::internal::CallbackWithSuccessTag::\n"
      // Interceptor plumbing of a call (hook points, hijacking state) is
      // set up by whichever thread starts an operation and read by the one
      // completing it, ordered by the same queue.
      "race:grpc::internal::InterceptorBatchMethodsImpl::\n"
      // Interceptor factories are built before the server starts and only
      // read after; gRPC hands them to the threads that serve calls
      // through its own queues.
      "race:CreateServerInterceptor\n";
  // Not SOCI, libpq or SQLite: they synchronise with pthread calls, which
  // TSan intercepts; hiding those would hide the connection pool's
  // hand-offs and report every pooled session as racy.
}

}  // extern "C"
