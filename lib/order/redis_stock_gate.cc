#include "lib/order/redis_stock_gate.h"

#include "absl/strings/str_cat.h"
#include "lib/core/log.h"
#include "lib/core/status_macros.h"

namespace tokkit::order {
namespace {

// KEYS: one per line; ARGV: the quantities. Returns 1 (taken), 0 (sold
// out: nothing taken) or -(i+1) when KEYS[i+1] has no copy yet.
constexpr char kAdmitScript[] = R"lua(
for i = 1, #KEYS do
  local left = redis.call('GET', KEYS[i])
  if not left then return -i end
  if tonumber(left) < tonumber(ARGV[i]) then return 0 end
end
for i = 1, #KEYS do redis.call('DECRBY', KEYS[i], ARGV[i]) end
return 1
)lua";

// Gives back only to a copy that still exists: a copy re-read from the
// database since already counts what came back.
constexpr char kReleaseScript[] = R"lua(
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('INCRBY', KEYS[i], ARGV[i])
  end
end
return 1
)lua";

}  // namespace

absl::StatusOr<std::unique_ptr<RedisStockGate>> RedisStockGate::Open(
    RedisStockGateOptions options, StockOf stock_of) {
  ASSIGN_OR_RETURN(std::unique_ptr<redis::Client> client,
                   redis::Client::Connect(options.url));
  return std::unique_ptr<RedisStockGate>(new RedisStockGate(
      std::move(options), std::move(stock_of), std::move(client)));
}

std::string RedisStockGate::KeyOf(int64_t sku_id) const {
  return absl::StrCat(options_.key_prefix, ":stock:", sku_id);
}

absl::Status RedisStockGate::Admit(const Lines& lines) {
  std::vector<std::string> args = {"EVAL", kAdmitScript,
                                   absl::StrCat(lines.size())};
  for (const auto& [sku, quantity] : lines) args.push_back(KeyOf(sku));
  for (const auto& [sku, quantity] : lines) {
    args.push_back(absl::StrCat(quantity));
  }
  // At most one load per line: then the copy exists (or the load failed).
  for (size_t attempt = 0; attempt <= lines.size(); ++attempt) {
    ASSIGN_OR_RETURN(redis::Reply reply, client_->Command(args));
    if (reply.integer == 1) return absl::OkStatus();
    if (reply.integer == 0) {
      return absl::FailedPreconditionError("sold out");
    }
    const size_t missing = static_cast<size_t>(-reply.integer - 1);
    if (missing >= lines.size()) {
      return absl::UnavailableError("unexpected stock gate reply");
    }
    const int64_t sku = lines[missing].first;
    ASSIGN_OR_RETURN(int64_t stock, stock_of_(sku));
    // NX: another replica's fresher copy (with admissions taken from it)
    // wins; PX: re-read from the database after resync_after.
    RETURN_IF_ERROR(
        client_
            ->Command({"SET", KeyOf(sku), absl::StrCat(stock), "NX", "PX",
                       absl::StrCat(
                           absl::ToInt64Milliseconds(options_.resync_after))})
            .status());
  }
  return absl::UnavailableError("stock gate could not load its copy");
}

void RedisStockGate::Release(const Lines& lines) {
  std::vector<std::string> args = {"EVAL", kReleaseScript,
                                   absl::StrCat(lines.size())};
  for (const auto& [sku, quantity] : lines) args.push_back(KeyOf(sku));
  for (const auto& [sku, quantity] : lines) {
    args.push_back(absl::StrCat(quantity));
  }
  if (absl::Status st = client_->Command(args).status(); !st.ok()) {
    // The copy stays low until its re-sync: refusals at worst, never
    // oversell.
    log::Warning("stock_gate_release_failed", {{"error", st}});
  }
}

}  // namespace tokkit::order
