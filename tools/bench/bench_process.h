// What the benchmarks that drive real binaries share: a child process with
// its output in a log file, waiting for a line in that log, its memory.
#ifndef TOKKIT_TOOLS_BENCH_BENCH_PROCESS_H_
#define TOKKIT_TOOLS_BENCH_BENCH_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace tokkit::bench {

// Throws: errors unwind to main, so child processes are stopped on the way.
[[noreturn]] void Die(const std::string& why);

std::string ReadFile(const std::string& path);

// A benchmark's main: parses flags, runs `run`, and turns what it threw
// (Die) into a message on stderr prefixed by `name` and exit code 1.
int RunMain(int argc, char** argv, const char* name, int (*run)());

// A child process (argv[0] is a path) with stdout and stderr in `log`;
// stopped with SIGTERM and reaped on destruction.
class Child {
 public:
  Child(std::vector<std::string> argv, std::string log);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Waits (up to 15 s) for `pattern` in the log; returns its first capture
  // group.
  std::string WaitForLog(const std::string& pattern) const;

  // Resident and peak resident memory in MiB (VmRSS, VmHWM).
  std::pair<double, double> MemoryMiB() const;

 private:
  std::string log_;
  pid_t pid_;
};

}  // namespace tokkit::bench

#endif  // TOKKIT_TOOLS_BENCH_BENCH_PROCESS_H_
