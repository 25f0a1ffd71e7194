#include "lib/order/payment_provider.h"

#include "absl/strings/str_cat.h"

namespace tokkit::order {

absl::StatusOr<std::string> SimulatedPaymentProvider::Charge(
    const std::string& key, int64_t amount_cents) {
  absl::MutexLock lock(&mu_);
  auto it = by_key_.find(key);
  if (it != by_key_.end()) return it->second;
  if (fail_next_ > 0) {
    --fail_next_;
    return absl::UnavailableError("payment provider declined (simulated)");
  }
  const std::string ref = absl::StrCat("sim_", by_key_.size() + 1, "_", key);
  by_key_[key] = ref;
  amounts_[ref] = amount_cents;
  charged_cents_ += amount_cents;
  return ref;
}

absl::Status SimulatedPaymentProvider::Refund(const std::string& charge_ref,
                                              int64_t amount_cents) {
  absl::MutexLock lock(&mu_);
  auto it = amounts_.find(charge_ref);
  if (it == amounts_.end()) return absl::NotFoundError("unknown charge");
  if (amount_cents > it->second)
    return absl::InvalidArgumentError("refund exceeds charge");
  it->second -= amount_cents;
  charged_cents_ -= amount_cents;
  return absl::OkStatus();
}

void SimulatedPaymentProvider::FailNextCharges(int n) {
  absl::MutexLock lock(&mu_);
  fail_next_ = n;
}

int64_t SimulatedPaymentProvider::charges() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int64_t>(by_key_.size());
}

int64_t SimulatedPaymentProvider::charged_cents() const {
  absl::MutexLock lock(&mu_);
  return charged_cents_;
}

}  // namespace tokkit::order
