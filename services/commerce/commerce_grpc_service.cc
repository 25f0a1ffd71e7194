#include "services/commerce/commerce_grpc_service.h"

#include <algorithm>

#include "lib/core/status_macros.h"
#include "services/common/handler.h"
#include "services/common/media_urls.h"

namespace tokkit {
namespace {

using account::Principal;

void ToProto(const commerce::Category& c, commercepb::Category* out) {
  out->set_id(c.id);
  out->set_name(c.name);
  out->set_parent_id(c.parent_id);
}

void ToProto(const commerce::Sku& s, commercepb::Sku* out) {
  out->set_id(s.id);
  out->set_spu_id(s.spu_id);
  out->set_attributes(s.attributes);
  out->set_price_cents(s.price_cents);
  out->set_price_version(s.price_version);
  out->set_stock(s.stock);
  out->set_sold(s.sold);
  out->set_description(s.description);
  out->set_for_sale(s.for_sale);
  out->set_deleted(s.deleted);
}

commerce::NewSku FromProto(const commercepb::NewSku& s) {
  commerce::NewSku n;
  n.attributes = s.attributes();
  n.price_cents = s.price_cents();
  n.stock = s.stock();
  n.description = s.description();
  n.for_sale = !s.has_for_sale() || s.for_sale();
  return n;
}

void ToProto(const commerce::Spu& s, commercepb::Product* out) {
  out->set_id(s.id);
  out->set_merchant_id(s.merchant_id);
  out->set_category_id(s.category_id);
  out->set_name(s.name);
  out->set_description(s.description);
  out->set_image_count(static_cast<int>(s.image_keys.size()));
  for (int i = 0; i < static_cast<int>(s.image_keys.size()); ++i) {
    out->add_image_urls(CurrentMediaUrls().ProductImage(s.id, i));
  }
  out->set_shipping_cents(s.shipping_cents);
  out->set_for_sale(s.for_sale);
  out->set_min_price_cents(s.min_price_cents);
  out->set_deleted(s.deleted);
}

void ToProto(const commerce::Product& p, commercepb::Product* out) {
  ToProto(p.spu, out);
  for (const commerce::Sku& s : p.skus) {
    commercepb::Sku* sku = out->add_skus();
    ToProto(s, sku);
    const auto& keys = p.spu.image_keys;
    const auto shown = std::find(keys.begin(), keys.end(), s.image_key);
    if (!s.image_key.empty() && shown != keys.end()) {
      sku->set_image_url(CurrentMediaUrls().ProductImage(
          p.spu.id, static_cast<int>(shown - keys.begin())));
    }
  }
}

void ToProto(const commerce::Coupon& c, commercepb::Coupon* out) {
  out->set_id(c.id);
  out->set_merchant_id(c.merchant_id);
  out->set_name(c.name);
  out->set_kind(static_cast<commercepb::CouponKind>(c.kind));
  out->set_amount_off_cents(c.amount_off_cents);
  out->set_percent_off(c.percent_off);
  out->set_threshold_cents(c.threshold_cents);
  out->set_scope(static_cast<commercepb::CouponScope>(c.scope));
  out->set_scope_id(c.scope_id);
  out->set_total_limit(c.total_limit);
  out->set_issued(c.issued);
  out->set_per_user_limit(c.per_user_limit);
  out->set_claim_start_ms(absl::ToUnixMillis(c.claim_start));
  out->set_claim_end_ms(absl::ToUnixMillis(c.claim_end));
  out->set_valid_for_ms(absl::ToInt64Milliseconds(c.valid_for));
  out->set_active(c.active);
}

void ToProto(const Page<commerce::CouponStats>& page,
             commercepb::ListShopCouponsResponse* out) {
  for (const commerce::CouponStats& s : page.items) {
    commercepb::ShopCoupon* coupon = out->add_coupons();
    ToProto(s.coupon, coupon->mutable_coupon());
    coupon->set_claimed(s.claimed);
    coupon->set_used(s.used);
  }
  out->set_next_page_token(page.next_page_token);
}

// A new coupon's terms as a client sent them.
commerce::Coupon FromProto(const commercepb::Coupon& req) {
  commerce::Coupon c;
  c.name = req.name();
  c.kind = static_cast<commerce::CouponKind>(req.kind());
  c.amount_off_cents = req.amount_off_cents();
  c.percent_off = req.percent_off();
  c.threshold_cents = req.threshold_cents();
  c.scope = static_cast<commerce::CouponScope>(req.scope());
  c.scope_id = req.scope_id();
  c.total_limit = req.total_limit();
  c.per_user_limit = req.per_user_limit();
  c.claim_start = absl::FromUnixMillis(req.claim_start_ms());
  c.claim_end = absl::FromUnixMillis(req.claim_end_ms());
  c.valid_for = absl::Milliseconds(req.valid_for_ms());
  return c;
}

void ToProto(const commerce::UserCoupon& u, const commerce::Coupon& c,
             commercepb::UserCoupon* out) {
  out->set_id(u.id);
  ToProto(c, out->mutable_coupon());
  out->set_claimed_at_ms(absl::ToUnixMillis(u.claimed_at));
  out->set_expires_at_ms(absl::ToUnixMillis(u.expires_at));
  out->set_used_order_id(u.used_order_id);
}

void ToProto(const commerce::Cart& cart, commercepb::Cart* out) {
  for (const commerce::CartLine& l : cart.lines) {
    commercepb::CartLine* line = out->add_lines();
    ToProto(l.sku, line->mutable_sku());
    line->set_product_name(l.spu_name);
    line->set_quantity(l.quantity);
    line->set_available(l.available);
  }
  out->set_subtotal_cents(cart.subtotal_cents);
}

}  // namespace

grpc::Status CommerceGrpcService::CreateCategory(
    Ctx* context, const commercepb::CreateCategoryRequest* req,
    commercepb::Category* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(
        commerce::Category c,
        commerce_->CreateCategory(p, req->name(), req->parent_id()));
    ToProto(c, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::UpdateCategory(
    Ctx* context, const commercepb::UpdateCategoryRequest* req,
    commercepb::Category* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(commerce::Category c,
                     commerce_->UpdateCategory(p, req->category_id(),
                                               req->name(), req->parent_id()));
    ToProto(c, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::DeleteCategory(
    Ctx* context, const commercepb::CategoryRequest* req, commercepb::Empty*) {
  return WithCaller(context, *req, [&](const Principal& p) {
    return commerce_->DeleteCategory(p, req->category_id());
  });
}

grpc::Status CommerceGrpcService::ListCategories(
    Ctx* context, const commercepb::ListCategoriesRequest* req,
    commercepb::ListCategoriesResponse* resp) {
  return Public(context, *req, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<commerce::Category> list,
                     commerce_->ListCategories());
    for (const commerce::Category& c : list) {
      ToProto(c, resp->add_categories());
    }
    // The tree from the same read, so the two views always agree.
    for (const commerce::CategoryNode& node :
         commerce::BuildCategoryTree(std::move(list))) {
      commercepb::CategoryNode* out = resp->add_tree();
      ToProto(node.category, out->mutable_category());
      for (const commerce::Category& c : node.children) {
        ToProto(c, out->add_children());
      }
    }
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::CreateProduct(
    Ctx* context, const commercepb::CreateProductRequest* req,
    commercepb::Product* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    commerce::NewProduct n;
    n.category_id = req->category_id();
    n.name = req->name();
    n.description = req->description();
    n.shipping_cents = req->shipping_cents();
    n.for_sale = req->for_sale();
    for (const commercepb::NewSku& s : req->skus()) {
      n.skus.push_back(FromProto(s));
    }
    ASSIGN_OR_RETURN(commerce::Product made, commerce_->CreateProduct(p, n));
    ToProto(made, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::GetProduct(
    Ctx* context, const commercepb::ProductRequest* req,
    commercepb::Product* resp) {
  return Public(context, *req, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(commerce::Product p,
                     commerce_->GetProduct(req->product_id()));
    ToProto(p, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::UpdateProduct(
    Ctx* context, const commercepb::UpdateProductRequest* req,
    commercepb::Product* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    commerce::Spu s;
    s.id = req->product_id();
    s.category_id = req->category_id();
    s.name = req->name();
    s.description = req->description();
    s.shipping_cents = req->shipping_cents();
    s.for_sale = req->for_sale();
    ASSIGN_OR_RETURN(commerce::Product updated, commerce_->UpdateProduct(p, s));
    ToProto(updated, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::DeleteProduct(
    Ctx* context, const commercepb::ProductRequest* req, commercepb::Empty*) {
  return WithCaller(context, *req, [&](const Principal& p) {
    return commerce_->DeleteProduct(p, req->product_id());
  });
}

grpc::Status CommerceGrpcService::RestoreProduct(
    Ctx* context, const commercepb::ProductRequest* req,
    commercepb::Product* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(commerce::Product restored,
                     commerce_->RestoreProduct(p, req->product_id()));
    ToProto(restored, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::ListDeletedProducts(
    Ctx* context, const commercepb::ListDeletedProductsRequest* req,
    commercepb::ListProductsResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(
        Page<commerce::Spu> page,
        commerce_->ListDeletedProducts(p, req->page_token(), req->page_size()));
    for (const commerce::Spu& s : page.items) ToProto(s, resp->add_products());
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::AddSku(Ctx* context,
                                         const commercepb::AddSkuRequest* req,
                                         commercepb::Sku* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(
        commerce::Sku sku,
        commerce_->AddSku(p, req->product_id(), FromProto(req->sku())));
    ToProto(sku, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::UpdateSku(
    Ctx* context, const commercepb::UpdateSkuRequest* req,
    commercepb::Sku* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    commerce::SkuChanges changes;
    changes.attributes = req->attributes();
    changes.description = req->description();
    changes.for_sale = req->for_sale();
    ASSIGN_OR_RETURN(commerce::Sku sku,
                     commerce_->UpdateSku(p, req->sku_id(), changes));
    ToProto(sku, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::DeleteSku(Ctx* context,
                                            const commercepb::SkuRequest* req,
                                            commercepb::Empty*) {
  return WithCaller(context, *req, [&](const Principal& p) {
    return commerce_->DeleteSku(p, req->sku_id());
  });
}

grpc::Status CommerceGrpcService::AddProductImage(
    Ctx* context, const commercepb::AddProductImageRequest* req,
    commercepb::AddProductImageResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(const int index, commerce_->AddProductImage(
                                          p, req->product_id(), req->image()));
    resp->set_image_index(index);
    return absl::OkStatus();
  });
}

// The product as it is after an edit, SKUs included.
static absl::Status AnswerProduct(commerce::CommerceService& commerce,
                                  int64_t spu_id, commercepb::Product* resp) {
  ASSIGN_OR_RETURN(commerce::Product product, commerce.GetProduct(spu_id));
  ToProto(product, resp);
  return absl::OkStatus();
}

grpc::Status CommerceGrpcService::ReplaceProductImage(
    Ctx* context, const commercepb::ReplaceProductImageRequest* req,
    commercepb::Product* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    RETURN_IF_ERROR(commerce_
                        ->ReplaceProductImage(p, req->product_id(),
                                              req->index(), req->image())
                        .status());
    return AnswerProduct(*commerce_, req->product_id(), resp);
  });
}

grpc::Status CommerceGrpcService::DeleteProductImage(
    Ctx* context, const commercepb::ProductImageRequest* req,
    commercepb::Product* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    RETURN_IF_ERROR(
        commerce_->DeleteProductImage(p, req->product_id(), req->index())
            .status());
    return AnswerProduct(*commerce_, req->product_id(), resp);
  });
}

grpc::Status CommerceGrpcService::ReorderProductImages(
    Ctx* context, const commercepb::ReorderProductImagesRequest* req,
    commercepb::Product* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    const std::vector<int> order(req->order().begin(), req->order().end());
    RETURN_IF_ERROR(
        commerce_->ReorderProductImages(p, req->product_id(), order).status());
    return AnswerProduct(*commerce_, req->product_id(), resp);
  });
}

grpc::Status CommerceGrpcService::SetSkuImage(
    Ctx* context, const commercepb::SetSkuImageRequest* req,
    commercepb::Product* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(commerce::Sku sku,
                     commerce_->SetSkuImage(
                         p, req->sku_id(),
                         req->has_image_index() ? req->image_index() : -1));
    return AnswerProduct(*commerce_, sku.spu_id, resp);
  });
}

grpc::Status CommerceGrpcService::GetProductImage(
    Ctx* context, const commercepb::GetProductImageRequest* req,
    commercepb::GetProductImageResponse* resp) {
  return Public(context, *req, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string image, commerce_->ReadProductImage(
                                            req->product_id(), req->index()));
    resp->set_image(std::move(image));
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::SetPrice(
    Ctx* context, const commercepb::SetPriceRequest* req,
    commercepb::Sku* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(commerce::Sku s,
                     commerce_->SetPrice(p, req->sku_id(), req->price_cents()));
    ToProto(s, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::AddStock(
    Ctx* context, const commercepb::AddStockRequest* req,
    commercepb::Sku* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(commerce::Sku s,
                     commerce_->AddStock(p, req->sku_id(), req->delta()));
    ToProto(s, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::GetPriceHistory(
    Ctx* context, const commercepb::SkuRequest* req,
    commercepb::PriceHistoryResponse* resp) {
  return Public(context, *req, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<commerce::PricePoint> points,
                     commerce_->PriceHistory(req->sku_id()));
    for (const commerce::PricePoint& pp : points) {
      commercepb::PricePoint* out = resp->add_points();
      out->set_version(pp.version);
      out->set_price_cents(pp.price_cents);
      out->set_since_ms(absl::ToUnixMillis(pp.since));
    }
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::SearchProducts(
    Ctx* context, const commercepb::SearchProductsRequest* req,
    commercepb::SearchProductsResponse* resp) {
  return Public(context, *req, [&]() -> absl::Status {
    commerce::ProductQuery q;
    q.query = req->query();
    q.category_id = req->category_id();
    q.merchant_id = req->merchant_id();
    q.min_price_cents = req->min_price_cents();
    q.max_price_cents = req->max_price_cents();
    q.in_stock_only = req->in_stock();
    ASSIGN_OR_RETURN(
        commerce::ProductSearchPage page,
        commerce_->SearchProducts(q, req->page_token(), req->page_size()));
    for (const commerce::Spu& s : page.items) ToProto(s, resp->add_products());
    resp->set_total(page.total);
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::ListProducts(
    Ctx* context, const commercepb::ListProductsRequest* req,
    commercepb::ListProductsResponse* resp) {
  return Public(context, *req, [&]() -> absl::Status {
    commerce::SpuFilter f;
    f.category_id = req->category_id();
    f.keyword = req->keyword();
    f.min_price_cents = req->min_price_cents();
    f.max_price_cents = req->max_price_cents();
    f.merchant_id = req->merchant_id();
    ASSIGN_OR_RETURN(
        Page<commerce::Spu> page,
        commerce_->ListProducts(f, req->page_token(), req->page_size()));
    for (const commerce::Spu& s : page.items) ToProto(s, resp->add_products());
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::CreateCoupon(Ctx* context,
                                               const commercepb::Coupon* req,
                                               commercepb::Coupon* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(commerce::Coupon made,
                     commerce_->CreateCoupon(p, FromProto(*req)));
    ToProto(made, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::CreatePlatformCoupon(
    Ctx* context, const commercepb::Coupon* req, commercepb::Coupon* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(commerce::Coupon made,
                     commerce_->CreatePlatformCoupon(p, FromProto(*req)));
    ToProto(made, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::ListPlatformCoupons(
    Ctx* context, const commercepb::ListShopCouponsRequest* req,
    commercepb::ListShopCouponsResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(
        Page<commerce::CouponStats> page,
        commerce_->ListPlatformCoupons(p, req->page_token(), req->page_size()));
    ToProto(page, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::ClaimCoupon(
    Ctx* context, const commercepb::CouponRequest* req,
    commercepb::UserCoupon* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(commerce::UserCoupon u,
                     commerce_->ClaimCoupon(p, req->coupon_id()));
    resp->set_id(u.id);
    resp->mutable_coupon()->set_id(u.coupon_id);
    resp->set_claimed_at_ms(absl::ToUnixMillis(u.claimed_at));
    resp->set_expires_at_ms(absl::ToUnixMillis(u.expires_at));
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::ListMyCoupons(
    Ctx* context, const commercepb::ListMyCouponsRequest* req,
    commercepb::ListMyCouponsResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(auto wallet, commerce_->MyCoupons(p));
    for (const auto& [u, c] : wallet) ToProto(u, c, resp->add_coupons());
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::ListShopCoupons(
    Ctx* context, const commercepb::ListShopCouponsRequest* req,
    commercepb::ListShopCouponsResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(
        Page<commerce::CouponStats> page,
        commerce_->ListShopCoupons(p, req->page_token(), req->page_size()));
    ToProto(page, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::ListClaimableCoupons(
    Ctx* context, const commercepb::ListClaimableCouponsRequest* req,
    commercepb::ListClaimableCouponsResponse* resp) {
  return Public(context, *req, [&]() -> absl::Status {
    commerce::ClaimableQuery q;
    q.merchant_id = req->merchant_id();
    q.spu_id = req->product_id();
    q.category_id = req->category_id();
    q.platform = req->platform();
    ASSIGN_OR_RETURN(Page<commerce::Coupon> page,
                     commerce_->ListClaimableCoupons(q, req->page_token(),
                                                     req->page_size()));
    for (const commerce::Coupon& c : page.items) {
      ToProto(c, resp->add_coupons());
    }
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::DeactivateCoupon(
    Ctx* context, const commercepb::CouponRequest* req,
    commercepb::Coupon* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(commerce::Coupon c,
                     commerce_->DeactivateCoupon(p, req->coupon_id()));
    ToProto(c, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::DeleteCoupon(
    Ctx* context, const commercepb::CouponRequest* req, commercepb::Empty*) {
  return WithCaller(context, *req, [&](const Principal& p) {
    return commerce_->DeleteCoupon(p, req->coupon_id());
  });
}

grpc::Status CommerceGrpcService::PutInCart(
    Ctx* context, const commercepb::PutInCartRequest* req,
    commercepb::Cart* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    RETURN_IF_ERROR(commerce_->PutInCart(p, req->sku_id(), req->quantity()));
    ASSIGN_OR_RETURN(commerce::Cart cart, commerce_->GetCart(p));
    ToProto(cart, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::RemoveFromCart(
    Ctx* context, const commercepb::SkuRequest* req, commercepb::Cart* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    RETURN_IF_ERROR(commerce_->RemoveFromCart(p, req->sku_id()));
    ASSIGN_OR_RETURN(commerce::Cart cart, commerce_->GetCart(p));
    ToProto(cart, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::ClearCart(Ctx* context,
                                            const commercepb::Empty* req,
                                            commercepb::Cart* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    RETURN_IF_ERROR(commerce_->ClearCart(p));
    ASSIGN_OR_RETURN(commerce::Cart cart, commerce_->GetCart(p));
    ToProto(cart, resp);
    return absl::OkStatus();
  });
}

grpc::Status CommerceGrpcService::GetCart(Ctx* context,
                                          const commercepb::Empty* req,
                                          commercepb::Cart* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(commerce::Cart cart, commerce_->GetCart(p));
    ToProto(cart, resp);
    return absl::OkStatus();
  });
}

}  // namespace tokkit
