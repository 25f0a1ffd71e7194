// The payment-provider port. Every call is idempotent by a key we choose, as
// real providers' APIs are: a retried call with the same key returns the
// first result and moves money once. Charges use ChargeKey(payment id),
// refunds RefundKey(refund id), voids VoidKey(payment id) (lib/order/model.h).
#ifndef TOKKIT_LIB_ORDER_PAYMENT_PROVIDER_H_
#define TOKKIT_LIB_ORDER_PAYMENT_PROVIDER_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace tokkit::order {

class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  // Returns the provider's charge reference. FAILED_PRECONDITION when the key
  // was voided (see Refund): it can never be charged.
  virtual absl::StatusOr<std::string> Charge(const std::string& charge_key,
                                             int64_t amount_cents) = 0;
  // Returns `amount_cents` of the charge made under `charge_key` to the
  // payer, once per `refund_key`. When no charge was made under `charge_key`
  // it voids the key instead, so no charge ever will be, and succeeds (the
  // "cancel the payment intent" every provider offers). UNAVAILABLE and the
  // like mean "try again with the same keys".
  virtual absl::Status Refund(const std::string& refund_key,
                              const std::string& charge_key,
                              int64_t amount_cents) = 0;
};

// The default provider: in memory, succeeds unless told to fail.
class SimulatedPaymentProvider : public PaymentProvider {
 public:
  absl::StatusOr<std::string> Charge(const std::string& charge_key,
                                     int64_t amount_cents) override;
  absl::Status Refund(const std::string& refund_key,
                      const std::string& charge_key,
                      int64_t amount_cents) override;

  // The next n calls of that kind fail with UNAVAILABLE, moving nothing.
  void FailNextCharges(int n);
  void FailNextRefunds(int n);
  int64_t charges() const;        // distinct charges made
  int64_t refunds() const;        // refunds that returned money
  int64_t charged_cents() const;  // net of refunds

 private:
  struct ChargeRecord {
    std::string ref;
    int64_t amount = 0;
    int64_t refunded = 0;
  };
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, ChargeRecord> charges_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> refund_keys_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> voided_ ABSL_GUARDED_BY(mu_);
  int fail_charges_ ABSL_GUARDED_BY(mu_) = 0;
  int fail_refunds_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t charged_cents_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t refunds_made_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tokkit::order

#endif  // TOKKIT_LIB_ORDER_PAYMENT_PROVIDER_H_
