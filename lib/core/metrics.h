// tokkit's metrics, exposed in the Prometheus text format (prometheus-cpp,
// Debian's prometheus-cpp-dev). Domain code uses these small types; only
// metrics.cc sees prometheus-cpp.
//
//   static metrics::Counter& paid = metrics::GetCounter(
//       "tokkit_payments_total", "Payments by result.", {{"result", "ok"}});
//   paid.Increment();
//
// Values that are cheaper to read than to keep current (queue lengths,
// process memory) are collected at scrape time from a registered callback.
#ifndef TOKKIT_LIB_CORE_METRICS_H_
#define TOKKIT_LIB_CORE_METRICS_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace tokkit::metrics {

using Labels = std::map<std::string, std::string>;

class Counter {
 public:
  virtual ~Counter() = default;
  virtual void Increment(double by = 1) = 0;
};

class Gauge {
 public:
  virtual ~Gauge() = default;
  virtual void Set(double value) = 0;
  virtual void Add(double by) = 0;
};

class Histogram {
 public:
  virtual ~Histogram() = default;
  virtual void Observe(double value) = 0;
  void ObserveSeconds(absl::Duration d) { Observe(absl::ToDoubleSeconds(d)); }
};

// The same (name, labels) returns the same metric; references stay valid
// for the life of the process. Thread-safe.
Counter& GetCounter(const std::string& name, const std::string& help,
                    const Labels& labels = {});
Gauge& GetGauge(const std::string& name, const std::string& help,
                const Labels& labels = {});
// Buckets in seconds suited to request latencies: 0.5 ms to 10 s.
std::vector<double> LatencyBuckets();
Histogram& GetHistogram(const std::string& name, const std::string& help,
                        const Labels& labels,
                        const std::vector<double>& buckets = LatencyBuckets());

// A sample produced at scrape time.
struct Sample {
  std::string name;
  std::string help;
  enum class Type { kGauge, kCounter } type = Type::kGauge;
  Labels labels;
  double value = 0;
};
// Registers `collect` for the life of the returned handle.
class CollectorHandle {
 public:
  virtual ~CollectorHandle() = default;
};
std::unique_ptr<CollectorHandle> RegisterCollector(
    std::function<std::vector<Sample>()> collect);

// The text exposition of everything registered (tests, /metrics).
std::string Scrape();

// One series' value in Scrape(), e.g. `tokkit_x_total{result="ok"}`; 0
// before its first sample (tests).
double ScrapedValue(const std::string& series);

// Serves /metrics on `listen` (host:port; port 0 picks one) until the
// handle is destroyed. The bound port is in port().
class Server {
 public:
  virtual ~Server() = default;
  virtual int port() const = 0;
};
absl::StatusOr<std::unique_ptr<Server>> Serve(const std::string& listen);

}  // namespace tokkit::metrics

#endif  // TOKKIT_LIB_CORE_METRICS_H_
