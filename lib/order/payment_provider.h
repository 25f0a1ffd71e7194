// The payment-provider port. Charges are idempotent by key, as real
// providers' APIs are: a retried charge with the same key returns the first
// result and moves money once.
#ifndef TOKKIT_LIB_ORDER_PAYMENT_PROVIDER_H_
#define TOKKIT_LIB_ORDER_PAYMENT_PROVIDER_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace tokkit::order {

class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  // Returns the provider's charge reference.
  virtual absl::StatusOr<std::string> Charge(const std::string& idempotency_key,
                                             int64_t amount_cents) = 0;
  virtual absl::Status Refund(const std::string& charge_ref,
                              int64_t amount_cents) = 0;
};

// The default provider: in memory, always succeeds unless told to fail.
class SimulatedPaymentProvider : public PaymentProvider {
 public:
  absl::StatusOr<std::string> Charge(const std::string& idempotency_key,
                                     int64_t amount_cents) override;
  absl::Status Refund(const std::string& charge_ref,
                      int64_t amount_cents) override;

  void FailNextCharges(int n);
  int64_t charges() const;        // distinct charges made
  int64_t charged_cents() const;  // net of refunds

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::string> by_key_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int64_t> amounts_ ABSL_GUARDED_BY(mu_);
  int fail_next_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t charged_cents_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tokkit::order

#endif  // TOKKIT_LIB_ORDER_PAYMENT_PROVIDER_H_
