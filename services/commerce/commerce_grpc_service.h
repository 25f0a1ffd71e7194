// gRPC adapter of the commerce domain (catalogue, coupons, cart).
#ifndef TOKKIT_SERVICES_COMMERCE_COMMERCE_GRPC_SERVICE_H_
#define TOKKIT_SERVICES_COMMERCE_COMMERCE_GRPC_SERVICE_H_

#include "lib/commerce/commerce_service.h"
#include "proto/tokkit/commerce/v1/commerce.grpc.pb.h"

namespace tokkit {

namespace commercepb = ::tokkit::commerce::v1;

class CommerceGrpcService final : public commercepb::CommerceService::Service {
 public:
  explicit CommerceGrpcService(commerce::CommerceService* commerce)
      : commerce_(commerce) {}

  using Ctx = grpc::ServerContext;
  grpc::Status CreateCategory(Ctx* context,
                              const commercepb::CreateCategoryRequest* request,
                              commercepb::Category* response) override;
  grpc::Status UpdateCategory(Ctx* context,
                              const commercepb::UpdateCategoryRequest* request,
                              commercepb::Category* response) override;
  grpc::Status DeleteCategory(Ctx* context,
                              const commercepb::CategoryRequest* request,
                              commercepb::Empty* response) override;
  grpc::Status ListCategories(
      Ctx* context, const commercepb::ListCategoriesRequest* request,
      commercepb::ListCategoriesResponse* response) override;
  grpc::Status CreateProduct(Ctx* context,
                             const commercepb::CreateProductRequest* request,
                             commercepb::Product* response) override;
  grpc::Status GetProduct(Ctx* context,
                          const commercepb::ProductRequest* request,
                          commercepb::Product* response) override;
  grpc::Status UpdateProduct(Ctx* context,
                             const commercepb::UpdateProductRequest* request,
                             commercepb::Product* response) override;
  grpc::Status AddProductImage(
      Ctx* context, const commercepb::AddProductImageRequest* request,
      commercepb::AddProductImageResponse* response) override;
  grpc::Status GetProductImage(
      Ctx* context, const commercepb::GetProductImageRequest* request,
      commercepb::GetProductImageResponse* response) override;
  grpc::Status SetPrice(Ctx* context,
                        const commercepb::SetPriceRequest* request,
                        commercepb::Sku* response) override;
  grpc::Status AddStock(Ctx* context,
                        const commercepb::AddStockRequest* request,
                        commercepb::Sku* response) override;
  grpc::Status GetPriceHistory(
      Ctx* context, const commercepb::SkuRequest* request,
      commercepb::PriceHistoryResponse* response) override;
  grpc::Status DeleteProduct(Ctx* context,
                             const commercepb::ProductRequest* request,
                             commercepb::Empty* response) override;
  grpc::Status RestoreProduct(Ctx* context,
                              const commercepb::ProductRequest* request,
                              commercepb::Product* response) override;
  grpc::Status ListDeletedProducts(
      Ctx* context, const commercepb::ListDeletedProductsRequest* request,
      commercepb::ListProductsResponse* response) override;
  grpc::Status AddSku(Ctx* context, const commercepb::AddSkuRequest* request,
                      commercepb::Sku* response) override;
  grpc::Status UpdateSku(Ctx* context,
                         const commercepb::UpdateSkuRequest* request,
                         commercepb::Sku* response) override;
  grpc::Status DeleteSku(Ctx* context, const commercepb::SkuRequest* request,
                         commercepb::Empty* response) override;
  grpc::Status ReplaceProductImage(
      Ctx* context, const commercepb::ReplaceProductImageRequest* request,
      commercepb::Product* response) override;
  grpc::Status DeleteProductImage(
      Ctx* context, const commercepb::ProductImageRequest* request,
      commercepb::Product* response) override;
  grpc::Status ReorderProductImages(
      Ctx* context, const commercepb::ReorderProductImagesRequest* request,
      commercepb::Product* response) override;
  grpc::Status SetSkuImage(Ctx* context,
                           const commercepb::SetSkuImageRequest* request,
                           commercepb::Product* response) override;
  grpc::Status SearchProducts(
      Ctx* context, const commercepb::SearchProductsRequest* request,
      commercepb::SearchProductsResponse* response) override;
  grpc::Status ListProducts(
      Ctx* context, const commercepb::ListProductsRequest* request,
      commercepb::ListProductsResponse* response) override;
  grpc::Status CreateCoupon(Ctx* context, const commercepb::Coupon* request,
                            commercepb::Coupon* response) override;
  grpc::Status CreatePlatformCoupon(Ctx* context,
                                    const commercepb::Coupon* request,
                                    commercepb::Coupon* response) override;
  grpc::Status ListPlatformCoupons(
      Ctx* context, const commercepb::ListShopCouponsRequest* request,
      commercepb::ListShopCouponsResponse* response) override;
  grpc::Status ClaimCoupon(Ctx* context,
                           const commercepb::CouponRequest* request,
                           commercepb::UserCoupon* response) override;
  grpc::Status ListMyCoupons(
      Ctx* context, const commercepb::ListMyCouponsRequest* request,
      commercepb::ListMyCouponsResponse* response) override;
  grpc::Status ListShopCoupons(
      Ctx* context, const commercepb::ListShopCouponsRequest* request,
      commercepb::ListShopCouponsResponse* response) override;
  grpc::Status ListClaimableCoupons(
      Ctx* context, const commercepb::ListClaimableCouponsRequest* request,
      commercepb::ListClaimableCouponsResponse* response) override;
  grpc::Status DeactivateCoupon(Ctx* context,
                                const commercepb::CouponRequest* request,
                                commercepb::Coupon* response) override;
  grpc::Status DeleteCoupon(Ctx* context,
                            const commercepb::CouponRequest* request,
                            commercepb::Empty* response) override;
  grpc::Status PutInCart(Ctx* context,
                         const commercepb::PutInCartRequest* request,
                         commercepb::Cart* response) override;
  grpc::Status RemoveFromCart(Ctx* context,
                              const commercepb::SkuRequest* request,
                              commercepb::Cart* response) override;
  grpc::Status ClearCart(Ctx* context, const commercepb::Empty* request,
                         commercepb::Cart* response) override;
  grpc::Status GetCart(Ctx* context, const commercepb::Empty* request,
                       commercepb::Cart* response) override;

 private:
  commerce::CommerceService* const commerce_;
};

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_COMMERCE_COMMERCE_GRPC_SERVICE_H_
