#include "lib/order/ledger.h"

#include <map>

#include "gtest/gtest.h"

namespace tokkit::order {
namespace {

int64_t Sum(const std::vector<Posting>& postings) {
  int64_t total = 0;
  for (const Posting& p : postings) total += p.amount_cents;
  return total;
}

TEST(LedgerTest, PaymentMovesTheAmountIntoClearingAndOwesTheMerchant) {
  EXPECT_EQ(PostingsFor(MoneyMovement::kPayment, 7, 1250),
            (std::vector<Posting>{{"provider:clearing", 1250},
                                  {"merchant:7", -1250}}));
  EXPECT_EQ(MovementKind(MoneyMovement::kPayment), "payment");
}

TEST(LedgerTest, RefundIsThePaymentReversed) {
  EXPECT_EQ(PostingsFor(MoneyMovement::kRefund, 7, 1250),
            (std::vector<Posting>{{"provider:clearing", -1250},
                                  {"merchant:7", 1250}}));
  EXPECT_EQ(MovementKind(MoneyMovement::kRefund), "refund");
}

TEST(LedgerTest, EveryMovementBalancesAndAPaidThenRefundedOrderNetsToZero) {
  std::map<std::string, int64_t> balances;
  for (int64_t amount : {int64_t{1}, int64_t{999}, int64_t{1} << 40}) {
    for (MoneyMovement m : {MoneyMovement::kPayment, MoneyMovement::kRefund}) {
      const std::vector<Posting> postings = PostingsFor(m, 3, amount);
      EXPECT_EQ(Sum(postings), 0);
      for (const Posting& p : postings) balances[p.account] += p.amount_cents;
    }
  }
  for (const auto& [account, balance] : balances) {
    EXPECT_EQ(balance, 0) << account;
  }
}

TEST(LedgerTest, ThePlatformPaysItsCouponsShare) {
  // The buyer paid 900 after a 100 platform coupon: the merchant is owed
  // 1000, 100 of it from the platform's promotions.
  EXPECT_EQ(PostingsFor(MoneyMovement::kPayment, 7, 900, 100),
            (std::vector<Posting>{{"provider:clearing", 900},
                                  {"platform:promotions", 100},
                                  {"merchant:7", -1000}}));
  EXPECT_EQ(PostingsFor(MoneyMovement::kRefund, 7, 900, 100),
            (std::vector<Posting>{{"provider:clearing", -900},
                                  {"platform:promotions", -100},
                                  {"merchant:7", 1000}}));
  EXPECT_EQ(Sum(PostingsFor(MoneyMovement::kPayment, 7, 1, int64_t{1} << 40)),
            0);
}

TEST(LedgerTest, EachMerchantHasItsOwnAccount) {
  EXPECT_EQ(PostingsFor(MoneyMovement::kPayment, 1, 5)[1].account,
            "merchant:1");
  EXPECT_EQ(PostingsFor(MoneyMovement::kPayment, 22, 5)[1].account,
            "merchant:22");
}

}  // namespace
}  // namespace tokkit::order
