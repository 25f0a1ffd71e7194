#include "services/common/request_validation.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "proto/tokkit/account/v1/account.pb.h"
#include "proto/tokkit/commerce/v1/commerce.pb.h"
#include "proto/tokkit/order/v1/order.pb.h"
#include "proto/tokkit/social/v1/social.pb.h"

namespace tokkit {
namespace {

TEST(ValidateRequestTest, DeclaredEnumValuesPass) {
  social::v1::ListMessagesRequest list;
  list.set_direction(social::v1::DIRECTION_NEWER);
  EXPECT_TRUE(ValidateRequest(list).ok());
  EXPECT_TRUE(ValidateRequest(social::v1::ListMessagesRequest()).ok());
  account::v1::SetRoleRequest role;
  role.set_role(account::v1::ROLE_MERCHANT);
  EXPECT_TRUE(ValidateRequest(role).ok());
}

TEST(ValidateRequestTest, UnknownEnumValuesAreRefusedByName) {
  social::v1::ListMessagesRequest list;
  list.set_direction(static_cast<social::v1::Direction>(7));
  absl::Status st = ValidateRequest(list);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "direction has no value 7"))
      << st;

  commerce::v1::Coupon coupon;
  coupon.set_kind(commerce::v1::COUPON_KIND_AMOUNT_OFF);
  coupon.set_scope(static_cast<commerce::v1::CouponScope>(9));
  st = ValidateRequest(coupon);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "scope")) << st;

  order::v1::CheckoutCartRequest checkout;
  checkout.set_coupon_mode(static_cast<order::v1::CouponMode>(9));
  EXPECT_EQ(ValidateRequest(checkout).code(),
            absl::StatusCode::kInvalidArgument);

  account::v1::SetRoleRequest role;
  role.set_role(static_cast<account::v1::Role>(99));
  EXPECT_EQ(ValidateRequest(role).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ValidateRequestTest, NestedMessagesAreChecked) {
  social::v1::ChatClientFrame frame;
  frame.mutable_send()->set_body("hi");
  EXPECT_TRUE(ValidateRequest(frame).ok());

  order::v1::Order o;  // a message holding an enum inside a nested message
  o.add_items()->set_quantity(1);
  o.set_status(static_cast<order::v1::OrderStatus>(42));
  absl::Status st = ValidateRequest(o);
  EXPECT_TRUE(absl::StrContains(st.message(), "status has no value 42")) << st;
}

}  // namespace
}  // namespace tokkit
