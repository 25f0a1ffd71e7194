#include "lib/order/pricing.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tokkit::order {
namespace {

using commerce::Coupon;
using commerce::CouponKind;
using commerce::SkuForOrder;
using commerce::UserCoupon;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

SkuForOrder Snapshot(int64_t sku, int64_t merchant, int64_t price,
                     int64_t shipping = 0, bool for_sale = true) {
  SkuForOrder s;
  s.sku.id = sku;
  s.sku.spu_id = sku * 10;
  s.sku.merchant_id = merchant;
  s.sku.attributes = "size=M";
  s.sku.price_cents = price;
  s.sku.price_version = 3;
  s.category_id = 7;
  s.spu_name = absl::StrCat("product ", sku);
  s.shipping_cents = shipping;
  s.for_sale = for_sale;
  return s;
}

OrderItem Line(int64_t sku, int64_t quantity) {
  OrderItem i;
  i.sku_id = sku;
  i.quantity = quantity;
  return i;
}

std::pair<UserCoupon, Coupon> AmountOff(int64_t id, int64_t merchant,
                                        int64_t off, int64_t threshold = 0) {
  UserCoupon uc;
  uc.id = id;
  uc.expires_at = kNow + absl::Hours(1);
  Coupon c;
  c.merchant_id = merchant;
  c.kind = CouponKind::kAmountOff;
  c.amount_off_cents = off;
  c.threshold_cents = threshold;
  return {uc, c};
}

TEST(PriceOrder, PricesEachLineFromItsSnapshot) {
  auto q = PriceOrder({Line(1, 2), Line(2, 1)},
                      {Snapshot(1, 5, 1000, 300), Snapshot(2, 5, 250, 800)},
                      CouponMode::kNone, 0, 0, {}, kNow);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->merchant_id, 5);
  ASSERT_EQ(q->items.size(), 2u);
  EXPECT_EQ(q->items[0].spu_id, 10);
  EXPECT_EQ(q->items[0].name, "product 1");
  EXPECT_EQ(q->items[0].attributes, "size=M");
  EXPECT_EQ(q->items[0].unit_price_cents, 1000);
  EXPECT_EQ(q->items[0].price_version, 3);
  EXPECT_EQ(q->items[0].quantity, 2);
  EXPECT_EQ(q->items_total_cents, 2250);
  EXPECT_EQ(q->shipping_cents, 800);  // the largest fee, not the sum
  EXPECT_EQ(q->discount_cents, 0);
  EXPECT_EQ(q->user_coupon_id, 0);
  EXPECT_EQ(q->total_cents, 3050);
}

TEST(PriceOrder, RefusesMissingUnsellableAndMixedMerchantItems) {
  EXPECT_EQ(PriceOrder({Line(1, 1)}, {std::nullopt}, CouponMode::kNone, 0, 0,
                       {}, kNow)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  auto hidden = PriceOrder({Line(1, 1)}, {Snapshot(1, 5, 100, 0, false)},
                           CouponMode::kNone, 0, 0, {}, kNow);
  EXPECT_EQ(hidden.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(hidden.status().message(), "product 1 is not for sale");
  SkuForOrder gone = Snapshot(1, 5, 100);
  gone.deleted = true;
  auto deleted =
      PriceOrder({Line(1, 1)}, {gone}, CouponMode::kNone, 0, 0, {}, kNow);
  EXPECT_EQ(deleted.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(deleted.status().message(),
            "product 1 (sku 1) was deleted by its merchant; remove it from "
            "the order");
  EXPECT_EQ(PriceOrder({Line(1, 1), Line(2, 1)},
                       {Snapshot(1, 5, 100), Snapshot(2, 6, 100)},
                       CouponMode::kNone, 0, 0, {}, kNow)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PriceOrder({Line(1, 1)}, {}, CouponMode::kNone, 0, 0, {}, kNow)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PriceOrder, BestCouponTakesTheLargestUsableDiscount) {
  CouponWallet wallet = {AmountOff(1, 5, 100), AmountOff(2, 5, 300),
                         AmountOff(3, 5, 900, /*threshold=*/5000),
                         AmountOff(4, 6, 1000)};  // another shop's
  auto q = PriceOrder({Line(1, 2)}, {Snapshot(1, 5, 1000, 200)},
                      CouponMode::kBest, 0, 0, wallet, kNow);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->user_coupon_id, 2);
  EXPECT_EQ(q->discount_cents, 300);
  EXPECT_EQ(q->total_cents, 2000 - 300 + 200);
}

TEST(PriceOrder, BestWithNothingUsableIsNoCoupon) {
  CouponWallet wallet = {AmountOff(1, 5, 100)};
  wallet[0].first.used_order_id = 99;  // used
  auto q = PriceOrder({Line(1, 1)}, {Snapshot(1, 5, 1000)}, CouponMode::kBest,
                      0, 0, wallet, kNow);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->user_coupon_id, 0);
  EXPECT_EQ(q->total_cents, 1000);
}

TEST(PriceOrder, SpecificCouponMustBeUsable) {
  CouponWallet wallet = {AmountOff(1, 5, 100), AmountOff(2, 5, 300),
                         AmountOff(3, 5, 900, /*threshold=*/5000)};
  auto named = PriceOrder({Line(1, 1)}, {Snapshot(1, 5, 1000)},
                          CouponMode::kSpecific, 1, 0, wallet, kNow);
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(named->user_coupon_id, 1);  // not the better one
  EXPECT_EQ(named->discount_cents, 100);
  for (int64_t id : {3, 42}) {  // below its threshold; not in the wallet
    EXPECT_EQ(PriceOrder({Line(1, 1)}, {Snapshot(1, 5, 1000)},
                         CouponMode::kSpecific, id, 0, wallet, kNow)
                  .status()
                  .code(),
              absl::StatusCode::kFailedPrecondition)
        << id;
  }
  wallet[0].first.expires_at = kNow;  // expired this instant
  EXPECT_EQ(PriceOrder({Line(1, 1)}, {Snapshot(1, 5, 1000)},
                       CouponMode::kSpecific, 1, 0, wallet, kNow)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(PriceOrder, AmountOffNeverExceedsTheItems) {
  auto q = PriceOrder({Line(1, 1)}, {Snapshot(1, 5, 150, 500)},
                      CouponMode::kBest, 0, 0, {AmountOff(1, 5, 1000)}, kNow);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->discount_cents, 150);
  EXPECT_EQ(q->total_cents, 500);  // shipping is still paid
}

}  // namespace
}  // namespace tokkit::order
