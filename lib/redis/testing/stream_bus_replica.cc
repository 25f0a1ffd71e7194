// A replica that only runs the Redis stream bus, for tests that kill -9 a
// relay leader: stream_bus_replica <database url> <redis url> <stream>
// <lease key> <lease ms> <lookback ms>. Prints "ready" once open, then runs
// until killed.
#include <cstdio>
#include <cstdlib>

#include "absl/time/clock.h"
#include "lib/core/clock.h"
#include "lib/core/crypto.h"
#include "lib/redis/redis_stream_bus.h"
#include "lib/store/sql/database.h"

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr,
                 "usage: %s db redis stream lease_key lease_ms lookback_ms\n",
                 argv[0]);
    return 2;
  }
  if (!tokkit::InitCrypto().ok()) return 1;
  tokkit::DatabaseOptions db_options;
  db_options.url = argv[1];
  db_options.pool_size = 2;
  auto db = tokkit::Database::Open(db_options);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
    return 1;
  }
  tokkit::redis::StreamBusOptions options;
  options.url = argv[2];
  options.stream = argv[3];
  options.lease_key = argv[4];
  options.lease = absl::Milliseconds(std::atoi(argv[5]));
  options.tailer.lookback = absl::Milliseconds(std::atoi(argv[6]));
  options.poll_interval = absl::Milliseconds(5);
  options.block = absl::Milliseconds(100);
  auto bus =
      tokkit::redis::StreamBus::Open(db->get(), tokkit::Clock::Real(), options);
  if (!bus.ok()) {
    std::fprintf(stderr, "%s\n", bus.status().ToString().c_str());
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  while (true) absl::SleepFor(absl::Seconds(1));
}
