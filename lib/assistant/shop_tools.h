// The shopping tools over tokkit's own services: search and show products,
// the cart, orders, refunds, coupons, and (proposed only) checkout and pay.
#ifndef TOKKIT_LIB_ASSISTANT_SHOP_TOOLS_H_
#define TOKKIT_LIB_ASSISTANT_SHOP_TOOLS_H_

#include "absl/status/status.h"
#include "lib/account/account_service.h"
#include "lib/assistant/tools.h"
#include "lib/commerce/commerce_service.h"
#include "lib/order/order_service.h"

namespace tokkit::assistant {

struct ShopServices {
  account::AccountService* accounts = nullptr;
  commerce::CommerceService* commerce = nullptr;
  order::OrderService* orders = nullptr;
};

// Registers: search_products, show_product, show_cart, add_to_cart,
// remove_from_cart, list_my_orders, view_order, track_refund,
// list_my_coupons, claim_coupon, and the confirmed ones checkout_cart and
// pay.
absl::Status AddShopTools(const ShopServices& shop, ToolRegistry& registry);

}  // namespace tokkit::assistant

#endif  // TOKKIT_LIB_ASSISTANT_SHOP_TOOLS_H_
