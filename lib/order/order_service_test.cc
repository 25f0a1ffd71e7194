// Catalogue, coupons, cart, orders, payments, refunds and the ledger through
// the Platform, on every SQL backend.
#include "lib/order/order_service.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "lib/order/testing/shop_test.h"
#include "lib/platform/testing/test_platform.h"
#include "lib/store/sql/testing/test_database.h"

namespace tokkit::order {
namespace {

using commerce::CouponKind;
using commerce::CouponScope;
using ::tokkit::order::testing::ShopTest;
using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;
using ::tokkit::testing::TestPlatform;

TEST_P(ShopTest, CatalogueOwnershipPriceHistoryAndSearch) {
  Principal buyer = User("buyer");
  EXPECT_EQ(commerce().CreateCategory(admin_, "Kitchen").status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(commerce().CreateCategory(merchant_, "Toys").status().code(),
            absl::StatusCode::kPermissionDenied);
  commerce::NewProduct p;
  p.category_id = category_;
  p.name = "100% cotton apron_XL";
  p.skus = {{"red", 1999, 5}, {"blue", 2499, 0}};
  EXPECT_EQ(commerce().CreateProduct(buyer, p).status().code(),
            absl::StatusCode::kPermissionDenied);
  commerce::Product apron = *commerce().CreateProduct(merchant_, p);
  EXPECT_EQ(apron.spu.min_price_cents, 1999);
  Product(5000, 1, "Cast iron pan");

  // Owner-only edits; every price change is a new version with history.
  EXPECT_EQ(commerce().SetPrice(buyer, apron.skus[0].id, 1).status().code(),
            absl::StatusCode::kPermissionDenied);
  commerce::Sku repriced =
      *commerce().SetPrice(merchant_, apron.skus[0].id, 1799);
  EXPECT_EQ(repriced.price_version, 2);
  std::vector<commerce::PricePoint> history =
      *commerce().PriceHistory(apron.skus[0].id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].price_cents, 1999);
  EXPECT_EQ(history[1].price_cents, 1799);

  commerce::SpuFilter f;
  f.keyword = "100%";  // literal, not a wildcard
  EXPECT_EQ(commerce().ListProducts(f, "", 10)->items.size(), 1u);
  f.keyword = "0_X";  // '_' literal too: no match in "apron_XL"
  EXPECT_EQ(commerce().ListProducts(f, "", 10)->items.size(), 0u);
  f.keyword = "";
  f.min_price_cents = 2000;
  EXPECT_EQ(commerce().ListProducts(f, "", 10)->items.size(), 1u);  // the pan
  f.min_price_cents = 0;
  f.max_price_cents = 1800;
  EXPECT_EQ(commerce().ListProducts(f, "", 10)->items[0].id, apron.spu.id);
  f.max_price_cents = 0;
  Page<commerce::Spu> first = *commerce().ListProducts(f, "", 1);
  ASSERT_FALSE(first.next_page_token.empty());
  EXPECT_NE(commerce().ListProducts(f, first.next_page_token, 1)->items[0].id,
            first.items[0].id);
  f.min_price_cents = 10;
  f.max_price_cents = 5;
  EXPECT_EQ(commerce().ListProducts(f, "", 10).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ShopTest, CouponClaimsAreNeverOverIssued) {
  const int64_t limited =
      Coupon(CouponKind::kAmountOff, 100, 0, /*total=*/10, /*per_user=*/1);
  std::vector<Principal> users;
  for (int i = 0; i < 16; ++i)
    users.push_back(User("user" + std::to_string(i)));
  std::atomic<int> ok{0}, exhausted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      absl::Status st = commerce().ClaimCoupon(users[i], limited).status();
      if (st.ok()) ok++;
      if (st.code() == absl::StatusCode::kResourceExhausted) exhausted++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(exhausted.load(), 6);

  // One user hammering a per-user-limit-2 coupon gets exactly two.
  const int64_t twice = Coupon(CouponKind::kPercentOff, 10, 0, 100, 2);
  threads.clear();
  ok = 0;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (commerce().ClaimCoupon(users[0], twice).ok()) ok++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 2);

  commerce::Coupon later;
  later.name = "later";
  later.kind = CouponKind::kAmountOff;
  later.amount_off_cents = 1;
  later.total_limit = 1;
  later.per_user_limit = 1;
  later.claim_start = tp_->clock().Now() + absl::Hours(1);
  later.claim_end = tp_->clock().Now() + absl::Hours(2);
  const int64_t not_yet = commerce().CreateCoupon(merchant_, later)->id;
  EXPECT_EQ(commerce().ClaimCoupon(users[1], not_yet).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_P(ShopTest, CartCheckoutRemovesExactlyWhatWasBought) {
  Principal buyer = User("buyer");
  commerce::Sku pan = Product(5000, 3, "Pan");
  commerce::Sku lid = Product(800, 10, "Lid");
  EXPECT_EQ(commerce().PutInCart(buyer, pan.id, 4).code(),
            absl::StatusCode::kFailedPrecondition);  // only 3 in stock
  EXPECT_EQ(commerce().PutInCart(buyer, pan.id, 0).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(commerce().PutInCart(buyer, pan.id, 2).ok());
  ASSERT_TRUE(commerce().PutInCart(buyer, lid.id, 1).ok());
  commerce::Cart cart = *commerce().GetCart(buyer);
  ASSERT_EQ(cart.lines.size(), 2u);
  EXPECT_EQ(cart.subtotal_cents, 2 * 5000 + 800);
  ASSERT_TRUE(commerce().SetPrice(merchant_, lid.id, 900).ok());
  EXPECT_EQ(commerce().GetCart(buyer)->subtotal_cents,
            2 * 5000 + 900);  // current prices

  CreateOrderRequest r;
  r.address_id = AddressOf(buyer);
  r.idempotency_key = "cart-1";
  Order o = *orders().CheckoutCart(buyer, {pan.id}, r);
  EXPECT_EQ(o.items.size(), 1u);
  EXPECT_EQ(o.total_cents, 10000);
  cart = *commerce().GetCart(buyer);
  ASSERT_EQ(cart.lines.size(), 1u);
  EXPECT_EQ(cart.lines[0].sku_id, lid.id);
  EXPECT_EQ(orders().CheckoutCart(buyer, {pan.id}, r)->id, o.id);  // idempotent
  r.idempotency_key = "cart-2";
  EXPECT_EQ(orders().CheckoutCart(buyer, {pan.id}, r).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(ShopTest, OrdersSnapshotPricesAndAreIdempotent) {
  Principal buyer = User("buyer"), other = User("other");
  commerce::Sku wok = Product(3000, 10, "Wok", /*shipping=*/500);
  Order o = *Buy(buyer, wok.id, 2, "key-1");
  EXPECT_EQ(o.status, OrderStatus::kPendingPayment);
  EXPECT_EQ(o.items[0].unit_price_cents, 3000);
  EXPECT_EQ(o.items[0].price_version, 1);
  EXPECT_EQ(o.total_cents, 6500);
  EXPECT_EQ(o.address.city, "Hangzhou");
  ASSERT_TRUE(commerce().SetPrice(merchant_, wok.id, 9999).ok());
  EXPECT_EQ(orders().GetOrder(buyer, o.id)->items[0].unit_price_cents, 3000);
  // A retry with the same key is the same order; stock moved once.
  Order again = *Buy(buyer, wok.id, 2, "key-1");
  EXPECT_EQ(again.id, o.id);
  EXPECT_EQ(commerce().GetProduct(o.items[0].spu_id)->skus[0].stock, 8);
  // Another user's order does not exist for them.
  EXPECT_EQ(orders().GetOrder(other, o.id).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(orders().CancelOrder(other, o.id).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Buy(buyer, wok.id, 100, "key-2").status().code(),
            absl::StatusCode::kInvalidArgument);  // over the per-line limit
  EXPECT_EQ(Buy(buyer, wok.id, 9, "key-3").status().code(),
            absl::StatusCode::kFailedPrecondition);  // only 8 left
  EXPECT_EQ(Buy(buyer, wok.id, 1, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ShopTest, BestCouponIsAppliedOnceAndReturnedOnCancel) {
  Principal buyer = User("buyer");
  commerce::Sku wok = Product(10000, 10);
  const int64_t flat = Coupon(CouponKind::kAmountOff, 1500, 5000);
  const int64_t pct = Coupon(CouponKind::kPercentOff, 20, 0);
  ASSERT_TRUE(commerce().ClaimCoupon(buyer, flat).ok());
  commerce::UserCoupon mine = *commerce().ClaimCoupon(buyer, pct);
  Order o = *Buy(buyer, wok.id, 1, "c1", CouponMode::kBest);
  EXPECT_EQ(o.discount_cents, 2000);  // 20% of 10000 beats 1500 off
  EXPECT_EQ(o.user_coupon_id, mine.id);
  EXPECT_EQ(o.total_cents, 8000);
  // Used once: the same coupon cannot be named again while that order lives.
  EXPECT_EQ(Buy(buyer, wok.id, 1, "c2", CouponMode::kSpecific, mine.id)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(orders().CancelOrder(buyer, o.id).ok());
  EXPECT_EQ(orders().CancelOrder(buyer, o.id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  Order o2 = *Buy(buyer, wok.id, 1, "c3", CouponMode::kSpecific, mine.id);
  EXPECT_EQ(o2.discount_cents, 2000);
  EXPECT_EQ(commerce().GetProduct(o.items[0].spu_id)->skus[0].stock, 9);
}

TEST_P(ShopTest, StrictStateMachine) {
  Principal buyer = User("buyer");
  commerce::Sku wok = Product(1000, 10);
  Order o = *Buy(buyer, wok.id, 1, "s1");
  EXPECT_EQ(orders().Ship(merchant_, o.id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(orders().ConfirmReceipt(buyer, o.id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      orders().RequestRefund(buyer, o.id, "changed my mind").status().code(),
      absl::StatusCode::kFailedPrecondition);
  PaymentToken t = *orders().CreatePaymentToken(buyer, o.id);
  ASSERT_TRUE(orders().Pay(buyer, t.token).ok());
  EXPECT_EQ(orders().CancelOrder(buyer, o.id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(orders().Ship(buyer, o.id).status().code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(orders().Ship(merchant_, o.id).ok());
  EXPECT_EQ(orders().Ship(merchant_, o.id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(orders().RequestRefund(buyer, o.id, "late").status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(orders().ConfirmReceipt(buyer, o.id).ok());
  EXPECT_EQ(orders().GetOrder(buyer, o.id)->status, OrderStatus::kCompleted);
  EXPECT_FALSE(CanTransition(OrderStatus::kCompleted, OrderStatus::kRefunded));
  EXPECT_FALSE(CanTransition(OrderStatus::kExpired, OrderStatus::kPaid));
  EXPECT_TRUE(CanTransition(OrderStatus::kRefundRequested, OrderStatus::kPaid));
}

TEST_P(ShopTest, UnpaidOrdersExpireOnceReleasingStockEvenAcrossRestart) {
  Principal buyer = User("buyer");
  commerce::Sku wok = Product(1000, 5);
  Order o = *Buy(buyer, wok.id, 3, "t1");
  PaymentToken token = *orders().CreatePaymentToken(buyer, o.id);
  tp_->clock().Advance(absl::Minutes(14));
  EXPECT_EQ(*orders().ExpireOverdue(), 0);
  tp_->clock().Advance(absl::Minutes(2));
  {
    // A restarted process: a new Platform on the same database finds the
    // overdue order; no timer lived only in memory.
    auto restarted = Platform::Open(tp_->config());
    ASSERT_TRUE(restarted.ok()) << restarted.status();
    EXPECT_EQ(*(*restarted)->orders().ExpireOverdue(), 1);
    EXPECT_EQ(*(*restarted)->orders().ExpireOverdue(), 0);
  }
  EXPECT_EQ(*orders().ExpireOverdue(), 0);
  EXPECT_EQ(orders().GetOrder(buyer, o.id)->status, OrderStatus::kExpired);
  commerce::Sku after = commerce().GetProduct(o.items[0].spu_id)->skus[0];
  EXPECT_EQ(after.stock, 5);  // released exactly once
  EXPECT_EQ(after.sold, 0);
  EXPECT_EQ(orders().Pay(buyer, token.token).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(tp_->platform().simulated_payments()->charges(), 0);
}

TEST_P(ShopTest, CheckoutChargesOnceWhateverHappens) {
  Principal buyer = User("buyer"), thief = User("thief");
  commerce::Sku wok = Product(2500, 5);
  Order o = *Buy(buyer, wok.id, 2, "p1");
  PaymentToken t = *orders().CreatePaymentToken(buyer, o.id);
  auto* provider = tp_->platform().simulated_payments();

  provider->FailNextCharges(1);
  EXPECT_EQ(orders().Pay(buyer, t.token).status().code(),
            absl::StatusCode::kUnavailable);
  // The token is spent; a fresh one retries the same payment under the same
  // provider key.
  PaymentToken t2 = *orders().CreatePaymentToken(buyer, o.id);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (orders().Pay(buyer, t2.token).ok()) ok++;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 8);  // duplicates see the same successful payment
  EXPECT_EQ(provider->charges(), 1);
  EXPECT_EQ(provider->charged_cents(), 5000);
  Payment again = *orders().Pay(buyer, t2.token);
  EXPECT_EQ(again.status, PaymentStatus::kSucceeded);
  EXPECT_EQ(orders().GetOrder(buyer, o.id)->status, OrderStatus::kPaid);
  EXPECT_EQ(orders().CreatePaymentToken(buyer, o.id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(orders().Pay(thief, t2.token).status().code(),
            absl::StatusCode::kNotFound);
  // Someone else presenting a fresh token does not burn it.
  Order o3 = *Buy(buyer, wok.id, 1, "p3");
  PaymentToken fresh = *orders().CreatePaymentToken(buyer, o3.id);
  EXPECT_EQ(orders().Pay(thief, fresh.token).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(orders().Pay(buyer, fresh.token).ok());
  EXPECT_EQ(orders().Pay(buyer, "not-a-token").status().code(),
            absl::StatusCode::kNotFound);

  Order o2 = *Buy(buyer, wok.id, 1, "p2");
  PaymentToken stale = *orders().CreatePaymentToken(buyer, o2.id);
  tp_->clock().Advance(absl::Minutes(11));  // token TTL is 10 minutes
  EXPECT_EQ(orders().Pay(buyer, stale.token).status().code(),
            absl::StatusCode::kFailedPrecondition);

  absl::flat_hash_map<std::string, int64_t> balances =
      *orders().Balances(admin_);
  EXPECT_EQ(balances[kProviderClearing], 7500);  // o (5000) + o3 (2500)
  EXPECT_EQ(balances[MerchantAccount(merchant_.user_id)], -7500);
  ExpectLedgerBalanced();
}

TEST_P(ShopTest, RefundsAreReviewedAndReverseTheLedger) {
  Principal buyer = User("buyer"), stranger = User("stranger");
  commerce::Sku wok = Product(4000, 5);
  Order o = *Buy(buyer, wok.id, 1, "r1");
  ASSERT_TRUE(orders()
                  .Pay(buyer, orders().CreatePaymentToken(buyer, o.id)->token)
                  .ok());
  ASSERT_TRUE(orders().RequestRefund(buyer, o.id, "wrong size").ok());
  EXPECT_EQ(orders().ReviewRefund(stranger, o.id, true, true).status().code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(
      orders().ReviewRefund(merchant_, o.id, false, false).ok());  // rejected
  EXPECT_EQ(orders().GetOrder(buyer, o.id)->status, OrderStatus::kPaid);
  ASSERT_TRUE(orders().RequestRefund(buyer, o.id, "really wrong size").ok());
  ASSERT_TRUE(orders().ReviewRefund(admin_, o.id, true, /*restock=*/true).ok());
  EXPECT_EQ(orders().GetOrder(buyer, o.id)->status, OrderStatus::kRefunded);
  // Approving again is idempotent (a retry after a lost answer); rejecting
  // after approval is refused; nothing moves twice.
  absl::StatusOr<Order> again =
      orders().ReviewRefund(merchant_, o.id, true, true);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->status, OrderStatus::kRefunded);
  EXPECT_EQ(
      orders().ReviewRefund(merchant_, o.id, false, false).status().code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(tp_->platform().simulated_payments()->refunds(), 1);
  EXPECT_EQ(commerce().GetProduct(o.items[0].spu_id)->skus[0].stock,
            5);  // restocked once
  EXPECT_EQ(tp_->platform().simulated_payments()->charged_cents(), 0);
  absl::flat_hash_map<std::string, int64_t> balances =
      *orders().Balances(admin_);
  EXPECT_EQ(balances[MerchantAccount(merchant_.user_id)], 0);
  EXPECT_EQ(balances[kProviderClearing], 0);
  ExpectLedgerBalanced();
  EXPECT_EQ(orders().Ledger(buyer).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_P(ShopTest, ConcurrentOrdersNeverOversell) {
  constexpr int kStock = 1000, kThreads = 16, kPerThread = 200;
  commerce::Sku hot = Product(100, kStock, "Flash sale");
  std::vector<Principal> buyers;
  for (int i = 0; i < kThreads; ++i) {
    buyers.push_back(User("buyer" + std::to_string(i)));
    AddressOf(buyers.back());
  }
  std::atomic<int> sold{0}, sold_out{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::Status st =
            Buy(buyers[t], hot.id, 1, absl::StrCat("k", i)).status();
        if (st.ok()) {
          sold++;
        } else if (st.code() == absl::StatusCode::kFailedPrecondition) {
          sold_out++;
        } else {
          errors++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(sold.load(), kStock);
  EXPECT_EQ(sold_out.load(), kThreads * kPerThread - kStock);
  commerce::Sku after =
      commerce()
          .GetProduct(
              orders().ListMyOrders(buyers[0], "", 1)->items[0].items[0].spu_id)
          ->skus[0];
  EXPECT_EQ(after.stock, 0);
  EXPECT_EQ(after.sold, kStock);
  EXPECT_EQ(after.stock + after.sold, kStock);
}

TEST_P(ShopTest, AddressChangesBeforeShippingOnlyAndByTheBuyer) {
  Principal buyer = User("buyer"), other = User("other");
  commerce::Sku wok = Product(1000, 5);
  Order o = *Buy(buyer, wok.id, 1, "a1");
  account::Address office;
  office.recipient = "Mei at work";
  office.phone = "+86 139 0000 0000";
  office.line1 = "1 Tech Park";
  office.city = "Shenzhen";
  office.country_code = "CN";
  const int64_t office_id = accounts().AddAddress(buyer, office)->id;
  EXPECT_EQ(orders().ChangeAddress(other, o.id, office_id).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      orders().ChangeAddress(buyer, o.id, AddressOf(other)).status().code(),
      absl::StatusCode::kNotFound);  // someone else's address
  EXPECT_EQ(orders().ChangeAddress(buyer, o.id, office_id)->address.city,
            "Shenzhen");
  ASSERT_TRUE(orders()
                  .Pay(buyer, orders().CreatePaymentToken(buyer, o.id)->token)
                  .ok());
  ASSERT_TRUE(orders().Ship(merchant_, o.id).ok());
  EXPECT_EQ(
      orders().ChangeAddress(buyer, o.id, AddressOf(buyer)).status().code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST_P(ShopTest, OrderEventsGoThroughTheOutbox) {
  absl::Mutex mu;
  std::vector<std::string> topics;
  std::vector<std::unique_ptr<Subscription>> subs;
  for (const char* t : {kTopicOrderCreated, kTopicOrderPaid, kTopicOrderExpired,
                        kTopicOrderRefunded}) {
    subs.push_back(
        tp_->platform().events().Subscribe("test", t, [&](const Event& e) {
          absl::MutexLock lock(&mu);
          topics.push_back(e.topic);
          return absl::OkStatus();
        }));
  }
  Principal buyer = User("buyer");
  commerce::Sku wok = Product(1000, 5);
  Order paid = *Buy(buyer, wok.id, 1, "e1");
  ASSERT_TRUE(
      orders()
          .Pay(buyer, orders().CreatePaymentToken(buyer, paid.id)->token)
          .ok());
  ASSERT_TRUE(orders().RequestRefund(buyer, paid.id, "no longer needed").ok());
  ASSERT_TRUE(orders().ReviewRefund(merchant_, paid.id, true, true).ok());
  ASSERT_TRUE(Buy(buyer, wok.id, 1, "e2").ok());
  tp_->clock().Advance(absl::Minutes(16));
  ASSERT_EQ(*orders().ExpireOverdue(), 1);
  for (int i = 0; i < 300; ++i) {
    {
      absl::MutexLock lock(&mu);
      if (topics.size() >= 5) break;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  absl::MutexLock lock(&mu);
  std::sort(topics.begin(), topics.end());
  EXPECT_EQ(topics,
            (std::vector<std::string>{kTopicOrderCreated, kTopicOrderCreated,
                                      kTopicOrderExpired, kTopicOrderPaid,
                                      kTopicOrderRefunded}));
}

INSTANTIATE_TEST_SUITE_P(Backends, ShopTest, ::testing::ValuesIn(SqlStorages()),
                         StorageTestName);

}  // namespace
}  // namespace tokkit::order
