#include "tools/bench/bench_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gflags/gflags.h"

namespace tokkit::bench {

void Die(const std::string& why) { throw std::runtime_error(why); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int RunMain(int argc, char** argv, const char* name, int (*run)()) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  try {
    return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    return 1;
  }
}

Child::Child(std::vector<std::string> argv, std::string log)
    : log_(std::move(log)) {
  pid_ = fork();
  if (pid_ < 0) Die("fork failed");
  if (pid_ == 0) {
    FILE* f = std::freopen(log_.c_str(), "w", stdout);
    (void)f;
    dup2(STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

Child::~Child() {
  kill(pid_, SIGTERM);
  int status;
  waitpid(pid_, &status, 0);
}

std::string Child::WaitForLog(const std::string& pattern) const {
  const std::regex re(pattern);
  for (int i = 0; i < 300; ++i) {
    std::smatch m;
    const std::string text = ReadFile(log_);
    if (std::regex_search(text, m, re)) return m[1];
    absl::SleepFor(absl::Milliseconds(50));
  }
  Die(absl::StrCat("timed out waiting for /", pattern, "/ in ", log_, ":\n",
                   ReadFile(log_)));
}

std::pair<double, double> Child::MemoryMiB() const {
  const std::string status = ReadFile(absl::StrCat("/proc/", pid_, "/status"));
  auto field = [&](const char* name) {
    std::smatch m;
    std::regex re(absl::StrCat(name, R"(:\s+(\d+) kB)"));
    return std::regex_search(status, m, re) ? std::stod(m[1]) / 1024 : 0.0;
  };
  return {field("VmRSS"), field("VmHWM")};
}

}  // namespace tokkit::bench
