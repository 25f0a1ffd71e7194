// The payment and refund steps, pure: what OrderService does next given the
// state the database reports. The service performs the step (a provider
// call, a conditional write) and asks again with the new state.
#ifndef TOKKIT_LIB_ORDER_PAYMENT_STEPS_H_
#define TOKKIT_LIB_ORDER_PAYMENT_STEPS_H_

#include "absl/strings/string_view.h"
#include "lib/order/model.h"

namespace tokkit::order {

// Pay, once the token is claimed, by the claimed payment's status.
enum class PayStep {
  kCharge,         // pending: charge it (the provider dedupes by its id)
  kReturnPayment,  // succeeded: a retried Pay gets the same payment
  kRefuseClosed,   // voiding, voided, refunded: the order closed unpaid
};
PayStep NextPayStep(PaymentStatus claimed);

// After the charge, by whether CompletePayment moved the order to paid and
// what the payment then is.
enum class ChargedStep {
  kDone,             // the order is paid
  kReturnPayment,    // a concurrent duplicate completed it first
  kReturnTheCharge,  // the order closed while charging: give the money back
};
ChargedStep AfterCharge(bool order_paid, PaymentStatus payment_now);

// ReviewRefund, by the order's status and the reviewer's decision.
enum class RefundReviewStep {
  kReject,           // back to paid (a conditional write decides races)
  kClaim,            // requested: claim the refund before calling out
  kFinish,           // refunding: call the provider (again) and finish
  kAlreadyRefunded,  // approved and done before: nothing to do
  kRefuseApproved,   // a rejection after the approval: too late
  kRefuseNothingToReview,
};
RefundReviewStep NextRefundReviewStep(OrderStatus order, bool approve);

absl::string_view StepName(RefundReviewStep step);

}  // namespace tokkit::order

#endif  // TOKKIT_LIB_ORDER_PAYMENT_STEPS_H_
