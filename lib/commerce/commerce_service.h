// Catalogue, coupons and cart. Merchants (role merchant or admin) create
// products and coupons; only a product's owner edits it; admins create
// categories.
#ifndef TOKKIT_LIB_COMMERCE_COMMERCE_SERVICE_H_
#define TOKKIT_LIB_COMMERCE_COMMERCE_SERVICE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/account/principal.h"
#include "lib/commerce/category_tree.h"
#include "lib/commerce/image_list.h"
#include "lib/commerce/model.h"
#include "lib/commerce/repository.h"
#include "lib/core/clock.h"
#include "lib/core/cursor.h"
#include "lib/core/id_generator.h"
#include "lib/store/blob/blob_store.h"
#include "lib/store/blob/pending_blobs.h"

namespace tokkit::commerce {

using account::Principal;

struct CommerceDeps {
  CatalogRepository* catalog = nullptr;
  CouponRepository* coupons = nullptr;
  CartRepository* cart = nullptr;
  BlobStore* blobs = nullptr;
  PendingBlobs* pending_blobs = nullptr;  // may be null
  const Clock* clock = nullptr;
  IdGenerator* ids = nullptr;
};

struct NewSku {
  std::string attributes;
  int64_t price_cents = 0;
  int64_t stock = 0;
  std::string description;
  bool for_sale = true;
};

// What UpdateSku changes; price and stock have their own calls (and price
// its history).
struct SkuChanges {
  std::string attributes;
  std::string description;
  bool for_sale = true;
};

struct NewProduct {
  int64_t category_id = 0;
  std::string name;
  std::string description;
  int64_t shipping_cents = 0;
  bool for_sale = true;
  std::vector<NewSku> skus;  // 1..kMaxSkusPerProduct
};

struct Product {
  Spu spu;
  std::vector<Sku> skus;
};

// What SearchProducts looks for: words (literal, in name and description),
// and filters. category_id covers its subcategories.
struct ProductQuery {
  std::string query;  // 0-100 characters; empty: best sellers first
  int64_t category_id = 0;
  int64_t merchant_id = 0;
  int64_t min_price_cents = 0;
  int64_t max_price_cents = 0;  // 0: no upper bound
  bool in_stock_only = false;
};

struct ProductSearchPage {
  std::vector<Spu> items;
  int64_t total = 0;  // every match
  std::string next_page_token;
};

// How deep search pages go in one ranking (as for video search).
inline constexpr int kMaxProductSearchDepth = 1000;

struct Cart {
  std::vector<CartLine> lines;
  int64_t subtotal_cents = 0;  // of available lines at current prices
};

// Bounds on every number a merchant or buyer can set or move, so sums and
// products of them (subtotals, stock changes) never overflow 64 bits and a
// bad value is INVALID_ARGUMENT naming its limit, not a database error.
inline constexpr int64_t kMaxQuantityPerLine = 99;
inline constexpr int kMaxSkusPerProduct = 50;
inline constexpr int64_t kMaxPriceCents = int64_t{100'000'000} * 100;
inline constexpr int64_t kMaxStock = 1'000'000'000;  // per SKU
inline constexpr int64_t kMaxCouponIssue = 1'000'000'000;
inline constexpr int kMaxCouponsPerUser = 1000;
inline constexpr absl::Duration kMaxCouponSpan = absl::Hours(24 * 366 * 5);

class CommerceService {
 public:
  explicit CommerceService(CommerceDeps deps) : deps_(deps) {}

  // Admins only. `parent_id` 0 makes a top-level category; otherwise the
  // parent must be top level (one level of subcategories).
  absl::StatusOr<Category> CreateCategory(const Principal& admin,
                                          const std::string& name,
                                          int64_t parent_id = 0);
  // Renames and/or moves it (parent_id 0: to the top level).
  absl::StatusOr<Category> UpdateCategory(const Principal& admin,
                                          int64_t category_id,
                                          const std::string& name,
                                          int64_t parent_id);
  // FAILED_PRECONDITION while products or subcategories use it.
  absl::Status DeleteCategory(const Principal& admin, int64_t category_id);
  // Every category, by name (each with its parent_id).
  absl::StatusOr<std::vector<Category>> ListCategories();
  absl::StatusOr<std::vector<CategoryNode>> CategoryTree();

  absl::StatusOr<Product> CreateProduct(const Principal& merchant,
                                        const NewProduct& product);
  // NOT_FOUND for a deleted product.
  absl::StatusOr<Product> GetProduct(int64_t spu_id);
  absl::StatusOr<Product> UpdateProduct(const Principal& owner,
                                        const Spu& changes);
  // Soft: gone from listings, search and every cart; orders keep their
  // snapshots; RestoreProduct brings it back (not its cart lines).
  // Idempotent.
  absl::Status DeleteProduct(const Principal& owner, int64_t spu_id);
  absl::StatusOr<Product> RestoreProduct(const Principal& owner,
                                         int64_t spu_id);
  // The merchant's deleted products, newest first.
  absl::StatusOr<Page<Spu>> ListDeletedProducts(const Principal& owner,
                                                const std::string& page_token,
                                                int page_size);
  // A SKU added to a live product (at most kMaxSkusPerProduct live ones).
  absl::StatusOr<Sku> AddSku(const Principal& owner, int64_t spu_id,
                             const NewSku& sku);
  absl::StatusOr<Sku> UpdateSku(const Principal& owner, int64_t sku_id,
                                const SkuChanges& changes);
  // Soft, like products: carts drop it, orders refuse it. The product's
  // last SKU is refused (FAILED_PRECONDITION): delete the product instead.
  absl::Status DeleteSku(const Principal& owner, int64_t sku_id);
  // Product images: JPEG, PNG or WebP (checked by magic bytes), up to
  // 5 MiB, at most kMaxProductImages per product, in order. Each edit is a
  // conditional swap of the whole list, so concurrent edits never lose one
  // another; a removed or replaced image's blob goes to the janitor in the
  // same transaction. Answers the index the image landed at.
  absl::StatusOr<int> AddProductImage(const Principal& owner, int64_t spu_id,
                                      absl::string_view image);
  // SKUs showing the old image show the new one.
  absl::StatusOr<Spu> ReplaceProductImage(const Principal& owner,
                                          int64_t spu_id, int index,
                                          absl::string_view image);
  // SKUs showing it show none.
  absl::StatusOr<Spu> DeleteProductImage(const Principal& owner, int64_t spu_id,
                                         int index);
  // `order` lists every current index once: new[i] = old[order[i]].
  absl::StatusOr<Spu> ReorderProductImages(const Principal& owner,
                                           int64_t spu_id,
                                           const std::vector<int>& order);
  // The SKU shows its product's image at `image_index` (-1: none).
  absl::StatusOr<Sku> SetSkuImage(const Principal& owner, int64_t sku_id,
                                  int image_index);
  absl::StatusOr<std::string> ReadProductImage(int64_t spu_id, int index);
  absl::StatusOr<Sku> SetPrice(const Principal& owner, int64_t sku_id,
                               int64_t price_cents);
  absl::StatusOr<Sku> AddStock(const Principal& owner, int64_t sku_id,
                               int64_t delta);
  absl::StatusOr<std::vector<PricePoint>> PriceHistory(int64_t sku_id);
  // Full text, ranked by relevance then sales, over live products for sale;
  // answers the total count beside the page. Public.
  absl::StatusOr<ProductSearchPage> SearchProducts(
      const ProductQuery& query, const std::string& page_token, int page_size);
  absl::StatusOr<Page<Spu>> ListProducts(const SpuFilter& filter,
                                         const std::string& page_token,
                                         int page_size);

  absl::StatusOr<Coupon> CreateCoupon(const Principal& merchant, Coupon coupon);
  // Admins only: a coupon of the platform, valid in every shop, on the whole
  // order after the shop coupon (lib/commerce/pricing.h); scope must be the
  // whole order (COUPON_SCOPE_SHOP). The platform pays its discount.
  absl::StatusOr<Coupon> CreatePlatformCoupon(const Principal& admin,
                                              Coupon coupon);
  // Admins only: the platform's coupons with their counts.
  absl::StatusOr<Page<CouponStats>> ListPlatformCoupons(
      const Principal& admin, const std::string& page_token, int page_size);
  absl::StatusOr<UserCoupon> ClaimCoupon(const Principal& user,
                                         int64_t coupon_id);
  absl::StatusOr<std::vector<std::pair<UserCoupon, Coupon>>> MyCoupons(
      const Principal& user);
  // The merchant's own coupons, newest first, with claimed and used counts.
  absl::StatusOr<Page<CouponStats>> ListShopCoupons(
      const Principal& merchant, const std::string& page_token, int page_size);
  // Coupons one could claim now (active, in their window, not all issued)
  // of exactly one of: a shop, a product, a category, the platform. Public.
  absl::StatusOr<Page<Coupon>> ListClaimableCoupons(
      const ClaimableQuery& query, const std::string& page_token,
      int page_size);
  // No new claims; coupons already claimed stay usable until they expire.
  // Idempotent. NOT_FOUND for another merchant's coupon. Admins act on
  // platform coupons.
  absl::StatusOr<Coupon> DeactivateCoupon(const Principal& merchant,
                                          int64_t coupon_id);
  // Only a coupon nobody claimed (FAILED_PRECONDITION otherwise).
  absl::Status DeleteCoupon(const Principal& merchant, int64_t coupon_id);

  // Quantity 1..99, within current stock, of a SKU that is for sale.
  absl::Status PutInCart(const Principal& user, int64_t sku_id,
                         int64_t quantity);
  absl::Status RemoveFromCart(const Principal& user, int64_t sku_id);
  absl::Status ClearCart(const Principal& user);
  absl::StatusOr<Cart> GetCart(const Principal& user);

 private:
  // The caller's product; a deleted one is FAILED_PRECONDITION unless
  // `deleted_too`.
  // A page of the coupons of `owner_id` (a merchant, or the platform's).
  absl::StatusOr<Page<CouponStats>> CouponStatsPage(
      int64_t owner_id, const std::string& page_token, int page_size);
  // Checks a new coupon's terms (kind, amounts, limits, window).
  static absl::Status ValidateCouponTerms(Coupon& coupon);
  // Whose coupon `coupon_id` the caller manages: their own id, or 0 (the
  // platform's) for an admin acting on a platform coupon.
  absl::StatusOr<int64_t> CouponOwner(const Principal& caller,
                                      int64_t coupon_id);
  absl::StatusOr<Spu> OwnedSpu(const Principal& owner, int64_t spu_id,
                               bool deleted_too = false);
  using ImageEdit =
      std::function<absl::StatusOr<ImageList>(const ImageList& images)>;
  // Validates an uploaded image and stores it under a new pending key.
  absl::StatusOr<std::string> StoreImage(int64_t spu_id,
                                         absl::string_view image);
  // Applies `edit` to the owner's product's image list and swaps it in,
  // retrying on a concurrent edit. `new_key` (uploaded for this edit) is
  // deleted again if the edit fails.
  absl::StatusOr<Spu> EditImages(const Principal& owner, int64_t spu_id,
                                 const ImageEdit& edit,
                                 const std::string& new_key = "");
  // The caller's live SKU of a live product.
  absl::StatusOr<Sku> OwnedSku(const Principal& owner, int64_t sku_id);

  CommerceDeps deps_;
};

}  // namespace tokkit::commerce

#endif  // TOKKIT_LIB_COMMERCE_COMMERCE_SERVICE_H_
