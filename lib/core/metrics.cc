#include "lib/core/metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "lib/core/log.h"
#include "lib/core/periodic_task.h"

namespace tokkit::metrics {
namespace {

class CounterImpl : public Counter {
 public:
  explicit CounterImpl(prometheus::Counter* c) : c_(c) {}
  void Increment(double by) override { c_->Increment(by); }

 private:
  prometheus::Counter* c_;
};

class GaugeImpl : public Gauge {
 public:
  explicit GaugeImpl(prometheus::Gauge* g) : g_(g) {}
  void Set(double v) override { g_->Set(v); }
  void Add(double by) override { g_->Increment(by); }

 private:
  prometheus::Gauge* g_;
};

class HistogramImpl : public Histogram {
 public:
  explicit HistogramImpl(prometheus::Histogram* h) : h_(h) {}
  void Observe(double v) override { h_->Observe(v); }

 private:
  prometheus::Histogram* h_;
};

// Scrape-time samples from registered callbacks.
class CallbackCollectable : public prometheus::Collectable {
 public:
  int64_t Add(std::function<std::vector<Sample>()> f) {
    absl::MutexLock lock(&mu_);
    callbacks_[next_] = std::move(f);
    return next_++;
  }
  void Remove(int64_t id) {
    absl::MutexLock lock(&mu_);
    callbacks_.erase(id);
  }
  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<Sample> samples;
    {
      absl::MutexLock lock(&mu_);
      for (const auto& [id, f] : callbacks_) {
        std::vector<Sample> more = f();
        samples.insert(samples.end(), more.begin(), more.end());
      }
    }
    std::map<std::string, prometheus::MetricFamily> families;
    for (const Sample& s : samples) {
      prometheus::MetricFamily& f = families[s.name];
      f.name = s.name;
      f.help = s.help;
      f.type = s.type == Sample::Type::kCounter
                   ? prometheus::MetricType::Counter
                   : prometheus::MetricType::Gauge;
      prometheus::ClientMetric m;
      for (const auto& [k, v] : s.labels) m.label.push_back({k, v});
      if (s.type == Sample::Type::kCounter) {
        m.counter.value = s.value;
      } else {
        m.gauge.value = s.value;
      }
      f.metric.push_back(std::move(m));
    }
    std::vector<prometheus::MetricFamily> out;
    out.reserve(families.size());
    for (auto& [name, f] : families) out.push_back(std::move(f));
    return out;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<int64_t, std::function<std::vector<Sample>()>> callbacks_
      ABSL_GUARDED_BY(mu_);
  int64_t next_ ABSL_GUARDED_BY(mu_) = 1;
};

// Process metrics under Prometheus's standard names, read from /proc.
std::vector<Sample> ProcessSamples() {
  std::vector<Sample> out;
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  static const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)),
                   std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses.
  const size_t close = stat.rfind(')');
  if (close != std::string::npos) {
    std::vector<std::string> f =
        absl::StrSplit(stat.substr(close + 2), ' ', absl::SkipEmpty());
    // f[0] is field 3 (state): utime=14, stime=15, threads=20, rss=24.
    auto field = [&](int n) {
      return n - 3 < static_cast<int>(f.size()) ? std::atof(f[n - 3].c_str())
                                                : 0.0;
    };
    out.push_back({"process_cpu_seconds_total",
                   "User and system CPU time spent, in seconds.",
                   Sample::Type::kCounter,
                   {},
                   (field(14) + field(15)) / ticks});
    out.push_back({"process_threads",
                   "Number of OS threads.",
                   Sample::Type::kGauge,
                   {},
                   field(20)});
    out.push_back({"process_resident_memory_bytes",
                   "Resident memory size in bytes.",
                   Sample::Type::kGauge,
                   {},
                   field(24) * page});
  }
  int fds = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++fds;
  }
  out.push_back({"process_open_fds",
                 "Number of open file descriptors.",
                 Sample::Type::kGauge,
                 {},
                 static_cast<double>(fds)});
  return out;
}

// Every log event and background task, counted (see log.h, periodic_task.h).
std::vector<Sample> RuntimeSamples() {
  std::vector<Sample> out;
  for (const log::EventCount& e : log::EventCounts()) {
    out.push_back(
        {"tokkit_log_events_total",
         "Log events by level and event name (counted even when "
         "rate-limited or below the log level).",
         Sample::Type::kCounter,
         {{"level", std::string(log::LevelName(e.level))}, {"event", e.event}},
         static_cast<double>(e.count)});
  }
  for (const TaskStats& t : AllTaskStats()) {
    out.push_back({"tokkit_task_runs_total",
                   "Background task iterations.",
                   Sample::Type::kCounter,
                   {{"task", t.name}},
                   static_cast<double>(t.runs)});
    out.push_back({"tokkit_task_failures_total",
                   "Background task iterations that failed.",
                   Sample::Type::kCounter,
                   {{"task", t.name}},
                   static_cast<double>(t.failures)});
    out.push_back(
        {"tokkit_task_last_success_timestamp_seconds",
         "When the task last succeeded (Unix seconds; 0: never).",
         Sample::Type::kGauge,
         {{"task", t.name}},
         t.last_success == absl::InfinitePast()
             ? 0.0
             : absl::ToDoubleSeconds(t.last_success - absl::UnixEpoch())});
    out.push_back({"tokkit_task_duration_seconds",
                   "How long the task's last iteration took.",
                   Sample::Type::kGauge,
                   {{"task", t.name}},
                   absl::ToDoubleSeconds(t.last_duration)});
  }
  return out;
}

class State {
 public:
  static State& Get() {
    static State* const s = new State();
    return *s;
  }
  State()
      : registry_(std::make_shared<prometheus::Registry>()),
        callbacks_(std::make_shared<CallbackCollectable>()) {
    callbacks_->Add(ProcessSamples);
    callbacks_->Add(RuntimeSamples);
  }

  metrics::Counter& GetCounter(const std::string& name, const std::string& help,
                               const Labels& labels) {
    absl::MutexLock lock(&mu_);
    const std::string key = Key(name, labels);
    auto it = counters_.find(key);
    if (it != counters_.end()) return *it->second;
    auto& family =
        prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
    auto impl = std::make_unique<CounterImpl>(&family.Add(labels));
    return *(counters_[key] = std::move(impl));
  }

  metrics::Gauge& GetGauge(const std::string& name, const std::string& help,
                           const Labels& labels) {
    absl::MutexLock lock(&mu_);
    const std::string key = Key(name, labels);
    auto it = gauges_.find(key);
    if (it != gauges_.end()) return *it->second;
    auto& family =
        prometheus::BuildGauge().Name(name).Help(help).Register(*registry_);
    auto impl = std::make_unique<GaugeImpl>(&family.Add(labels));
    return *(gauges_[key] = std::move(impl));
  }

  metrics::Histogram& GetHistogram(const std::string& name,
                                   const std::string& help,
                                   const Labels& labels,
                                   const std::vector<double>& buckets) {
    absl::MutexLock lock(&mu_);
    const std::string key = Key(name, labels);
    auto it = histograms_.find(key);
    if (it != histograms_.end()) return *it->second;
    auto& family =
        prometheus::BuildHistogram().Name(name).Help(help).Register(*registry_);
    auto impl = std::make_unique<HistogramImpl>(&family.Add(labels, buckets));
    return *(histograms_[key] = std::move(impl));
  }

  std::shared_ptr<prometheus::Registry> registry() { return registry_; }
  std::shared_ptr<CallbackCollectable> callbacks() { return callbacks_; }

 private:
  static std::string Key(const std::string& name, const Labels& labels) {
    std::string key = name;
    for (const auto& [k, v] : labels) absl::StrAppend(&key, "\x1f", k, "=", v);
    return key;
  }

  absl::Mutex mu_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<CallbackCollectable> callbacks_;
  absl::flat_hash_map<std::string, std::unique_ptr<CounterImpl>> counters_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::unique_ptr<GaugeImpl>> gauges_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::unique_ptr<HistogramImpl>> histograms_
      ABSL_GUARDED_BY(mu_);
};

class Handle : public CollectorHandle {
 public:
  explicit Handle(int64_t id) : id_(id) {}
  ~Handle() override { State::Get().callbacks()->Remove(id_); }

 private:
  int64_t id_;
};

class ServerImpl : public Server {
 public:
  explicit ServerImpl(std::unique_ptr<prometheus::Exposer> e)
      : exposer_(std::move(e)) {
    exposer_->RegisterCollectable(State::Get().registry());
    exposer_->RegisterCollectable(State::Get().callbacks());
  }
  int port() const override {
    std::vector<int> ports = exposer_->GetListeningPorts();
    return ports.empty() ? 0 : ports[0];
  }

 private:
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace

Counter& GetCounter(const std::string& name, const std::string& help,
                    const Labels& labels) {
  return State::Get().GetCounter(name, help, labels);
}

Gauge& GetGauge(const std::string& name, const std::string& help,
                const Labels& labels) {
  return State::Get().GetGauge(name, help, labels);
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,  0.5,    1,     2.5,  5,     10};
}

Histogram& GetHistogram(const std::string& name, const std::string& help,
                        const Labels& labels,
                        const std::vector<double>& buckets) {
  return State::Get().GetHistogram(name, help, labels, buckets);
}

std::unique_ptr<CollectorHandle> RegisterCollector(
    std::function<std::vector<Sample>()> collect) {
  return std::make_unique<Handle>(
      State::Get().callbacks()->Add(std::move(collect)));
}

std::string Scrape() {
  std::vector<prometheus::MetricFamily> families =
      State::Get().registry()->Collect();
  std::vector<prometheus::MetricFamily> more =
      State::Get().callbacks()->Collect();
  families.insert(families.end(), more.begin(), more.end());
  return prometheus::TextSerializer().Serialize(families);
}

double ScrapedValue(const std::string& series) {
  const std::string text = Scrape();
  const size_t at = text.find(series + " ");
  return at == std::string::npos
             ? 0
             : std::strtod(text.c_str() + at + series.size() + 1, nullptr);
}

absl::StatusOr<std::unique_ptr<Server>> Serve(const std::string& listen) {
  try {
    auto exposer = std::make_unique<prometheus::Exposer>(listen, 1);
    return std::unique_ptr<Server>(new ServerImpl(std::move(exposer)));
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", listen, ": ", e.what()));
  }
}

}  // namespace tokkit::metrics
