#include "lib/feed/model.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tokkit::feed {

double PopularityModel::Log2Contribution(double weight, absl::Time at) const {
  return std::log2(weight) + absl::FDivDuration(at - landmark, half_life);
}

double PopularityModel::ScoreAt(double log2_popularity, absl::Time now) const {
  if (!(log2_popularity > -1e9)) return 0;
  return std::exp2(log2_popularity -
                   absl::FDivDuration(now - landmark, half_life));
}

int64_t PopularityKey(double log2_popularity) {
  if (!(log2_popularity > -1e9)) return kNoPopularity;  // also NaN, -inf
  return std::llround(log2_popularity * 4294967296.0);
}

double Log2Popularity(int64_t key) {
  if (key <= kNoPopularity) return -std::numeric_limits<double>::infinity();
  return static_cast<double>(key) / 4294967296.0;
}

double Log2Add(double a, double b) {
  if (!(a > -1e9)) return b;  // -inf: nothing yet
  if (!(b > -1e9)) return a;
  const double hi = std::max(a, b), lo = std::min(a, b);
  return hi + std::log2(1.0 + std::exp2(lo - hi));
}

}  // namespace tokkit::feed
