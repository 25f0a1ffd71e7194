// Money movements with the provider survive races, provider outages and
// crashes between their steps: claim in the database, call the provider with
// our id as its idempotency key, then finalize; whatever is interrupted is
// resumed by a retry or by the sweeper. On every backend.
#include <atomic>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "lib/core/metrics.h"
#include "lib/order/order_service.h"
#include "lib/order/sql_repository.h"
#include "lib/order/testing/shop_test.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit::order {
namespace {

using ::tokkit::order::testing::ShopTest;
using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;

// The simulated provider, with a hook that runs in the middle of a charge:
// what happens elsewhere while money is moving.
class HookedProvider : public SimulatedPaymentProvider {
 public:
  absl::StatusOr<std::string> Charge(const std::string& key,
                                     int64_t amount_cents) override {
    // Runs once: taken out before it runs.
    std::function<void()> hook = std::move(during_charge);
    during_charge = nullptr;
    if (hook) hook();
    return SimulatedPaymentProvider::Charge(key, amount_cents);
  }
  std::function<void()> during_charge;
};

class PaymentRecoveryTest : public ShopTest {
 protected:
  void Customize(PlatformConfig& c) override {
    c.payment_provider = &provider_;
  }

  Order PaidOrder(const Principal& buyer, const commerce::Sku& sku,
                  const std::string& key) {
    Order o = *Buy(buyer, sku.id, 1, key);
    EXPECT_TRUE(orders()
                    .Pay(buyer, orders().CreatePaymentToken(buyer, o.id)->token)
                    .ok());
    return *orders().GetOrder(buyer, o.id);
  }

  std::unique_ptr<OrderRepository> Repository() {
    return tp_->platform().storage().NewRepositories().orders;
  }

  HookedProvider provider_;
};

TEST_P(PaymentRecoveryTest, ApproveAndRejectRacingHaveOneWinner) {
  Principal buyer = User("buyer");
  commerce::Sku wok = Product(1000, 100);
  int approved = 0, rejected = 0;
  for (int i = 0; i < 12; ++i) {
    Order o = PaidOrder(buyer, wok, "race" + std::to_string(i));
    ASSERT_TRUE(orders().RequestRefund(buyer, o.id, "changed my mind").ok());
    std::atomic<bool> go{false};
    absl::StatusOr<Order> approve, reject;
    std::thread a([&] {
      while (!go) {
      }
      approve = orders().ReviewRefund(merchant_, o.id, true, true);
    });
    std::thread r([&] {
      while (!go) {
      }
      reject = orders().ReviewRefund(admin_, o.id, false, false);
    });
    go = true;
    a.join();
    r.join();
    // Exactly one decision took effect; the other was told so.
    ASSERT_NE(approve.ok(), reject.ok())
        << approve.status() << " / " << reject.status();
    const Order now = *orders().GetOrder(buyer, o.id);
    if (approve.ok()) {
      ++approved;
      EXPECT_EQ(now.status, OrderStatus::kRefunded);
      EXPECT_EQ(reject.status().code(), absl::StatusCode::kFailedPrecondition);
    } else {
      ++rejected;
      EXPECT_EQ(now.status, OrderStatus::kPaid);
      EXPECT_EQ(approve.status().code(), absl::StatusCode::kFailedPrecondition);
    }
  }
  EXPECT_EQ(approved + rejected, 12);
  // Money went back exactly for the approved ones, and the books agree.
  EXPECT_EQ(provider_.refunds(), approved);
  EXPECT_EQ(provider_.charged_cents(), 1000 * rejected);
  EXPECT_EQ((*orders().Balances(admin_))[kProviderClearing], 1000 * rejected);
  ExpectLedgerBalanced();
}

TEST_P(PaymentRecoveryTest, ProviderOutageLeavesTheRefundInProgress) {
  // Regression: refunds were never counted (the alert on failing refunds
  // could not fire).
  const std::string failed = "tokkit_refunds_total{result=\"failed\"}";
  const std::string refunded = "tokkit_refunds_total{result=\"refunded\"}";
  const double failed_before = metrics::ScrapedValue(failed);
  const double refunded_before = metrics::ScrapedValue(refunded);
  Principal buyer = User("buyer");
  commerce::Sku wok = Product(2500, 10);
  Order o = PaidOrder(buyer, wok, "outage");
  ASSERT_TRUE(orders().RequestRefund(buyer, o.id, "broken").ok());

  provider_.FailNextRefunds(3);
  // The approval stands: the order says the money is on its way.
  absl::StatusOr<Order> reviewed =
      orders().ReviewRefund(merchant_, o.id, true, /*restock=*/true);
  ASSERT_TRUE(reviewed.ok()) << reviewed.status();
  EXPECT_EQ(reviewed->status, OrderStatus::kRefunding);
  EXPECT_EQ(provider_.charged_cents(), 2500);
  EXPECT_EQ((*orders().Balances(admin_))[kProviderClearing], 2500);
  absl::StatusOr<Refund> refund = Repository()->FindRefund(o.id);
  ASSERT_TRUE(refund.ok());
  EXPECT_EQ(refund->status, RefundStatus::kRefunding);
  EXPECT_EQ(refund->attempts, 1);
  EXPECT_TRUE(absl::StrContains(refund->last_error, "unavailable"))
      << refund->last_error;
  // Rejecting now is refused: it was approved.
  EXPECT_EQ(
      orders().ReviewRefund(merchant_, o.id, false, false).status().code(),
      absl::StatusCode::kFailedPrecondition);

  // The sweeper backs off between attempts, then finishes it.
  EXPECT_EQ(*orders().ResumeRefunds(), 0);  // not due yet
  tp_->clock().Advance(absl::Seconds(1));
  EXPECT_FALSE(orders().ResumeRefunds().ok());  // 2nd failure
  tp_->clock().Advance(absl::Seconds(2));
  EXPECT_FALSE(orders().Sweep().ok());  // 3rd failure
  EXPECT_EQ(Repository()->FindRefund(o.id)->attempts, 3);
  tp_->clock().Advance(absl::Seconds(4));
  EXPECT_TRUE(orders().Sweep().ok());
  EXPECT_EQ(orders().GetOrder(buyer, o.id)->status, OrderStatus::kRefunded);
  EXPECT_EQ(provider_.refunds(), 1);
  EXPECT_EQ(provider_.charged_cents(), 0);
  EXPECT_EQ(commerce().GetProduct(o.items[0].spu_id)->skus[0].stock, 10);
  EXPECT_EQ((*orders().Balances(admin_))[kProviderClearing], 0);
  ExpectLedgerBalanced();
  EXPECT_EQ(metrics::ScrapedValue(failed) - failed_before, 3);
  EXPECT_EQ(metrics::ScrapedValue(refunded) - refunded_before, 1);
}

TEST_P(PaymentRecoveryTest, ACrashBetweenStepsIsResumed) {
  Principal buyer = User("buyer");
  commerce::Sku wok = Product(700, 10);
  std::unique_ptr<OrderRepository> repo = Repository();

  // 1. Died right after claiming: nothing reached the provider.
  Order a = PaidOrder(buyer, wok, "crash-a");
  ASSERT_TRUE(orders().RequestRefund(buyer, a.id, "x").ok());
  ASSERT_TRUE(*repo->BeginRefund(a.id, 777001, merchant_.user_id, false,
                                 tp_->clock().Now()));
  // 2. Died after the provider refunded, before finalizing.
  Order b = PaidOrder(buyer, wok, "crash-b");
  ASSERT_TRUE(orders().RequestRefund(buyer, b.id, "y").ok());
  ASSERT_TRUE(*repo->BeginRefund(b.id, 777002, merchant_.user_id, false,
                                 tp_->clock().Now()));
  ASSERT_TRUE(
      provider_
          .Refund(RefundKey(777002), ChargeKey(repo->PaymentOf(b.id)->id), 700)
          .ok());
  EXPECT_EQ(provider_.charged_cents(), 700);  // a's charge still stands

  // A restarted replica's sweeper finishes both, moving money once each.
  ASSERT_TRUE(orders().Sweep().ok());
  EXPECT_EQ(orders().GetOrder(buyer, a.id)->status, OrderStatus::kRefunded);
  EXPECT_EQ(orders().GetOrder(buyer, b.id)->status, OrderStatus::kRefunded);
  EXPECT_EQ(provider_.refunds(), 2);
  EXPECT_EQ(provider_.charged_cents(), 0);
  EXPECT_EQ((*orders().Balances(admin_))[kProviderClearing], 0);
  ExpectLedgerBalanced();
  // A late retry of the approval changes nothing.
  ASSERT_TRUE(orders().ReviewRefund(merchant_, b.id, true, false).ok());
  EXPECT_EQ(provider_.refunds(), 2);
}

TEST_P(PaymentRecoveryTest, AChargeThatLandsOnAClosedOrderIsReturned) {
  Principal buyer = User("buyer");
  commerce::Sku wok = Product(1500, 10);
  Order o = *Buy(buyer, wok.id, 1, "closing");
  PaymentToken t = *orders().CreatePaymentToken(buyer, o.id);
  // The buyer cancels while the charge is in flight, and the provider fails
  // the first attempt to give the money back.
  provider_.during_charge = [&] {
    ASSERT_TRUE(orders().CancelOrder(buyer, o.id).ok());
    provider_.FailNextRefunds(1);
  };
  absl::Status st = orders().Pay(buyer, t.token).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  // Never reported as refunded when it was not.
  EXPECT_TRUE(absl::StrContains(st.message(), "will be refunded automatically"))
      << st;
  EXPECT_EQ(provider_.charged_cents(), 1500);
  Payment p = *Repository()->PaymentOf(o.id);
  EXPECT_EQ(p.status, PaymentStatus::kVoiding);
  EXPECT_EQ(p.attempts, 1);

  tp_->clock().Advance(absl::Seconds(1));
  ASSERT_TRUE(orders().Sweep().ok());
  EXPECT_EQ(Repository()->PaymentOf(o.id)->status, PaymentStatus::kVoided);
  EXPECT_EQ(provider_.charged_cents(), 0);
  EXPECT_EQ((*orders().Balances(admin_))[kProviderClearing], 0);
  ExpectLedgerBalanced();

  // When the return succeeds at once, the client is told it did.
  Order o2 = *Buy(buyer, wok.id, 1, "closing-2");
  PaymentToken t2 = *orders().CreatePaymentToken(buyer, o2.id);
  provider_.during_charge = [&] {
    ASSERT_TRUE(orders().CancelOrder(buyer, o2.id).ok());
  };
  st = orders().Pay(buyer, t2.token).status();
  EXPECT_TRUE(absl::StrContains(st.message(), "the charge was refunded")) << st;
  EXPECT_EQ(provider_.charged_cents(), 0);
}

TEST_P(PaymentRecoveryTest,
       AnOrderThatExpiresAfterAnUnrecordedChargeIsMadeWhole) {
  Principal buyer = User("buyer");
  commerce::Sku wok = Product(900, 10);
  std::unique_ptr<OrderRepository> repo = Repository();

  // Pay claimed the token and charged, then the process died before it
  // could record the charge.
  Order o = *Buy(buyer, wok.id, 1, "ghost");
  PaymentToken t = *orders().CreatePaymentToken(buyer, o.id);
  auto claim = repo->ClaimPaymentToken(Sha256Hex(t.token), buyer.user_id,
                                       424242, tp_->clock().Now());
  ASSERT_TRUE(claim.ok()) << claim.status();
  ASSERT_TRUE(provider_.Charge(ChargeKey(claim->payment.id), 900).ok());
  // Another order's Pay died before charging at all.
  Order never = *Buy(buyer, wok.id, 1, "never");
  PaymentToken t2 = *orders().CreatePaymentToken(buyer, never.id);
  auto claim2 = repo->ClaimPaymentToken(Sha256Hex(t2.token), buyer.user_id,
                                        424243, tp_->clock().Now());
  ASSERT_TRUE(claim2.ok());

  tp_->clock().Advance(absl::Minutes(16));
  ASSERT_TRUE(orders().Sweep().ok());  // expires both, then voids both
  EXPECT_EQ(orders().GetOrder(buyer, o.id)->status, OrderStatus::kExpired);
  EXPECT_EQ(repo->PaymentOf(o.id)->status, PaymentStatus::kVoided);
  EXPECT_EQ(repo->PaymentOf(never.id)->status, PaymentStatus::kVoided);
  EXPECT_EQ(provider_.charged_cents(), 0);
  // The never-charged key is cancelled at the provider: a charge that was
  // still in flight can no longer land.
  EXPECT_EQ(
      provider_.Charge(ChargeKey(claim2->payment.id), 900).status().code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(provider_.charged_cents(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, PaymentRecoveryTest,
                         ::testing::ValuesIn(SqlStorages()), StorageTestName);

}  // namespace
}  // namespace tokkit::order
