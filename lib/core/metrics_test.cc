#include "lib/core/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/core/log.h"

namespace tokkit::metrics {
namespace {

std::string HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  const std::string req =
      absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: localhost\r\n\r\n");
  (void)!write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, n);
  close(fd);
  return out;
}

TEST(MetricsTest, CountersGaugesAndHistogramsAppearInTheScrape) {
  Counter& c =
      GetCounter("tokkit_test_things_total", "Things.", {{"kind", "a"}});
  EXPECT_EQ(&c, &GetCounter("tokkit_test_things_total", "Things.",
                            {{"kind", "a"}}));  // same series
  c.Increment();
  c.Increment(2);
  GetGauge("tokkit_test_level", "Level.").Set(7);
  GetHistogram("tokkit_test_seconds", "Latency.", {{"m", "x"}})
      .ObserveSeconds(absl::Milliseconds(3));
  const std::string text = Scrape();
  EXPECT_TRUE(absl::StrContains(text, "tokkit_test_things_total{kind=\"a\"} 3"))
      << text;
  EXPECT_TRUE(absl::StrContains(text, "tokkit_test_level 7")) << text;
  EXPECT_TRUE(absl::StrContains(
      text, "tokkit_test_seconds_bucket{m=\"x\",le=\"0.005\"} 1"))
      << text;
  // Process and runtime metrics come for free.
  EXPECT_TRUE(absl::StrContains(text, "process_resident_memory_bytes"));
  EXPECT_TRUE(absl::StrContains(text, "process_threads"));
  EXPECT_TRUE(absl::StrContains(text, "process_cpu_seconds_total"));
}

TEST(MetricsTest, ScrapeTimeCollectorsComeAndGo) {
  {
    auto handle = RegisterCollector([] {
      return std::vector<Sample>{{"tokkit_test_queue",
                                  "Queue.",
                                  Sample::Type::kGauge,
                                  {{"q", "1"}},
                                  42}};
    });
    EXPECT_TRUE(absl::StrContains(Scrape(), "tokkit_test_queue{q=\"1\"} 42"));
  }
  EXPECT_FALSE(absl::StrContains(Scrape(), "tokkit_test_queue"));
}

TEST(MetricsTest, LogEventsAreCounted) {
  log::Warning("metrics_test_event");
  EXPECT_TRUE(absl::StrContains(Scrape(),
                                "tokkit_log_events_total{event=\"metrics_test_"
                                "event\",level=\"warning\"}"))
      << Scrape();
}

TEST(MetricsTest, ServesTheTextFormatOverHttp) {
  GetCounter("tokkit_test_served_total", "Served.").Increment();
  auto server = Serve("127.0.0.1:0");
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->port(), 0);
  const std::string response = HttpGet((*server)->port(), "/metrics");
  EXPECT_TRUE(absl::StrContains(response, "200 OK")) << response;
  EXPECT_TRUE(absl::StrContains(response, "tokkit_test_served_total 1"));
  auto busy = Serve(absl::StrCat("127.0.0.1:", (*server)->port()));
  EXPECT_EQ(busy.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace tokkit::metrics
