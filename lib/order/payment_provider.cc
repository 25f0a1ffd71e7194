#include "lib/order/payment_provider.h"

#include "absl/strings/str_cat.h"

namespace tokkit::order {

absl::StatusOr<std::string> SimulatedPaymentProvider::Charge(
    const std::string& key, int64_t amount_cents) {
  absl::MutexLock lock(&mu_);
  if (auto it = charges_.find(key); it != charges_.end()) return it->second.ref;
  if (voided_.contains(key)) {
    return absl::FailedPreconditionError(
        "payment was voided by the merchant before it was charged");
  }
  if (fail_charges_ > 0) {
    --fail_charges_;
    return absl::UnavailableError("payment provider declined (simulated)");
  }
  const std::string ref = absl::StrCat("sim_", charges_.size() + 1, "_", key);
  charges_[key] = {ref, amount_cents, 0};
  charged_cents_ += amount_cents;
  return ref;
}

absl::Status SimulatedPaymentProvider::Refund(const std::string& refund_key,
                                              const std::string& charge_key,
                                              int64_t amount_cents) {
  absl::MutexLock lock(&mu_);
  if (refund_keys_.contains(refund_key)) return absl::OkStatus();  // a retry
  if (fail_refunds_ > 0) {
    --fail_refunds_;
    return absl::UnavailableError("payment provider unavailable (simulated)");
  }
  auto it = charges_.find(charge_key);
  if (it == charges_.end()) {
    voided_.insert(charge_key);  // nothing was charged: never will be
    refund_keys_.insert(refund_key);
    return absl::OkStatus();
  }
  if (amount_cents <= 0 ||
      amount_cents > it->second.amount - it->second.refunded) {
    return absl::InvalidArgumentError("refund exceeds what remains charged");
  }
  it->second.refunded += amount_cents;
  charged_cents_ -= amount_cents;
  ++refunds_made_;
  refund_keys_.insert(refund_key);
  return absl::OkStatus();
}

void SimulatedPaymentProvider::FailNextCharges(int n) {
  absl::MutexLock lock(&mu_);
  fail_charges_ = n;
}

void SimulatedPaymentProvider::FailNextRefunds(int n) {
  absl::MutexLock lock(&mu_);
  fail_refunds_ = n;
}

int64_t SimulatedPaymentProvider::charges() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int64_t>(charges_.size());
}

int64_t SimulatedPaymentProvider::refunds() const {
  absl::MutexLock lock(&mu_);
  return refunds_made_;
}

int64_t SimulatedPaymentProvider::charged_cents() const {
  absl::MutexLock lock(&mu_);
  return charged_cents_;
}

}  // namespace tokkit::order
