#include "lib/order/payment_steps.h"

#include <vector>

#include "gtest/gtest.h"

namespace tokkit::order {
namespace {

const std::vector<OrderStatus> kEveryOrderStatus = {
    OrderStatus::kPendingPayment,  OrderStatus::kPaid,
    OrderStatus::kShipped,         OrderStatus::kCompleted,
    OrderStatus::kCancelled,       OrderStatus::kExpired,
    OrderStatus::kRefundRequested, OrderStatus::kRefunded,
    OrderStatus::kRefunding};
const std::vector<PaymentStatus> kEveryPaymentStatus = {
    PaymentStatus::kPending, PaymentStatus::kSucceeded,
    PaymentStatus::kRefunded, PaymentStatus::kVoided, PaymentStatus::kVoiding};

TEST(PaymentStepsTest, PayChargesOnlyAPendingPayment) {
  for (PaymentStatus s : kEveryPaymentStatus) {
    const PayStep step = NextPayStep(s);
    EXPECT_EQ(step == PayStep::kCharge, s == PaymentStatus::kPending);
    EXPECT_EQ(step == PayStep::kReturnPayment, s == PaymentStatus::kSucceeded);
  }
  EXPECT_EQ(NextPayStep(PaymentStatus::kVoiding), PayStep::kRefuseClosed);
}

TEST(PaymentStepsTest, AChargeTheOrderDidNotTakeIsGivenBack) {
  for (PaymentStatus s : kEveryPaymentStatus) {
    EXPECT_EQ(AfterCharge(true, s), ChargedStep::kDone);
  }
  EXPECT_EQ(AfterCharge(false, PaymentStatus::kSucceeded),
            ChargedStep::kReturnPayment);  // a duplicate won
  for (PaymentStatus s : {PaymentStatus::kVoiding, PaymentStatus::kVoided,
                          PaymentStatus::kPending}) {
    EXPECT_EQ(AfterCharge(false, s), ChargedStep::kReturnTheCharge);
  }
}

TEST(PaymentStepsTest, RefundReviewForEveryStatusAndDecision) {
  for (OrderStatus s : kEveryOrderStatus) {
    const RefundReviewStep approve = NextRefundReviewStep(s, true);
    const RefundReviewStep reject = NextRefundReviewStep(s, false);
    switch (s) {
      case OrderStatus::kRefundRequested:
        EXPECT_EQ(approve, RefundReviewStep::kClaim);
        EXPECT_EQ(reject, RefundReviewStep::kReject);
        break;
      case OrderStatus::kRefunding:
        EXPECT_EQ(approve, RefundReviewStep::kFinish);  // resumes a retry
        EXPECT_EQ(reject, RefundReviewStep::kRefuseApproved);
        break;
      case OrderStatus::kRefunded:
        EXPECT_EQ(approve, RefundReviewStep::kAlreadyRefunded);  // idempotent
        EXPECT_EQ(reject, RefundReviewStep::kRefuseApproved);
        break;
      default:
        EXPECT_EQ(approve, RefundReviewStep::kRefuseNothingToReview)
            << StatusName(s);
        // The conditional write refuses it unless a refund was requested.
        EXPECT_EQ(reject, RefundReviewStep::kReject) << StatusName(s);
    }
  }
}

TEST(PaymentStepsTest, EveryRefundReviewStepHasAName) {
  for (RefundReviewStep s :
       {RefundReviewStep::kReject, RefundReviewStep::kClaim,
        RefundReviewStep::kFinish, RefundReviewStep::kAlreadyRefunded,
        RefundReviewStep::kRefuseApproved,
        RefundReviewStep::kRefuseNothingToReview}) {
    EXPECT_NE(StepName(s), "unknown");
  }
}

}  // namespace
}  // namespace tokkit::order
