// Storage ports of the commerce domain.
#ifndef TOKKIT_LIB_COMMERCE_REPOSITORY_H_
#define TOKKIT_LIB_COMMERCE_REPOSITORY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/commerce/model.h"

namespace tokkit::commerce {

struct SpuFilter {
  int64_t category_id = 0;  // 0: any
  std::string keyword;      // matched literally in name and description
  int64_t min_price_cents = 0;
  int64_t max_price_cents = 0;  // 0: no upper bound
  int64_t merchant_id = 0;      // 0: any
  bool for_sale_only = true;
  // Only deleted products (with merchant_id: a merchant's bin) instead of
  // only live ones.
  bool deleted = false;
};

// Full-text product search: live, for-sale products only.
struct ProductSearch {
  std::string query;                  // words, literal; empty: any product
  std::vector<int64_t> category_ids;  // empty: any
  int64_t merchant_id = 0;            // 0: any
  int64_t min_price_cents = 0;
  int64_t max_price_cents = 0;  // 0: no upper bound
  bool in_stock_only = false;   // a live, for-sale SKU with stock
};

struct ProductHit {
  Spu spu;
  double relevance = 0;  // higher is better; 0 without a query
  int64_t sales = 0;     // units sold over all its SKUs
};

struct ProductSearchResult {
  std::vector<ProductHit> hits;
  int64_t total = 0;  // every match, not just this page
};

class CatalogRepository {
 public:
  virtual ~CatalogRepository() = default;
  // ALREADY_EXISTS for a duplicate name. With a parent, inserted only while
  // the parent is still top level (FAILED_PRECONDITION otherwise).
  virtual absl::StatusOr<Category> CreateCategory(const Category& c) = 0;
  virtual absl::StatusOr<std::vector<Category>> ListCategories() = 0;
  virtual absl::StatusOr<Category> FindCategory(int64_t id) = 0;
  virtual absl::StatusOr<bool> HasSubcategories(int64_t id) = 0;
  // Renames / moves it: NOT_FOUND, ALREADY_EXISTS for a taken name,
  // FAILED_PRECONDITION if it got subcategories meanwhile while being given
  // a parent.
  virtual absl::Status UpdateCategory(const Category& c) = 0;
  // NOT_FOUND; FAILED_PRECONDITION while products or subcategories use it.
  virtual absl::Status DeleteCategory(int64_t id) = 0;
  // The SPU and its SKUs together, with version-1 price history rows.
  virtual absl::Status CreateSpu(const Spu& spu, const std::vector<Sku>& skus,
                                 absl::Time now) = 0;
  // Deleted ones too (`deleted` says so).
  virtual absl::StatusOr<Spu> FindSpu(int64_t id) = 0;
  // Its live SKUs, by id.
  virtual absl::StatusOr<std::vector<Sku>> SkusOf(int64_t spu_id) = 0;
  // Deleted ones too.
  virtual absl::StatusOr<Sku> FindSku(int64_t id) = 0;
  virtual absl::Status UpdateSpu(const Spu& spu) = 0;
  // Soft delete or restore. Deleting also drops the product's lines from
  // every cart, in the same transaction. Idempotent.
  virtual absl::Status SetSpuDeleted(int64_t spu_id, bool deleted) = 0;
  // A SKU added to an existing product, with its version-1 price history row
  // and the product's new min price. FAILED_PRECONDITION if the product was
  // deleted meanwhile.
  virtual absl::Status AddSku(const Sku& sku, absl::Time now) = 0;
  // Attributes, description and for-sale flag only. NOT_FOUND if deleted.
  virtual absl::Status UpdateSku(const Sku& sku) = 0;
  // Soft; drops its cart lines and refreshes the product's min price.
  // FAILED_PRECONDITION if it is the product's last live SKU (delete the
  // product instead); NOT_FOUND if already deleted.
  virtual absl::Status DeleteSku(int64_t sku_id) = 0;
  // Swaps the product's ordered image keys from `expected` to `next`, only
  // if they still are `expected` (ABORTED otherwise: re-read and retry).
  // Keys new in `next` are adopted from the pending-blob ledger; keys gone
  // are released to the blob janitor, and SKUs showing one show its
  // replacement from `replaced` (old key, new key), or no image.
  virtual absl::Status SwapSpuImages(
      int64_t spu_id, const std::vector<std::string>& expected,
      const std::vector<std::string>& next,
      const std::vector<std::pair<std::string, std::string>>& replaced,
      absl::Time now) = 0;
  // The SKU shows `key`, one of its product's images ("" : none).
  // FAILED_PRECONDITION if the product no longer has that image; NOT_FOUND
  // for a deleted SKU.
  virtual absl::Status SetSkuImage(int64_t sku_id, const std::string& key) = 0;
  // New version + history row + the SPU's min price, atomically.
  virtual absl::StatusOr<Sku> SetPrice(int64_t sku_id, int64_t price_cents,
                                       absl::Time now) = 0;
  // Conditional: FAILED_PRECONDITION when stock would leave [0, max_stock].
  virtual absl::StatusOr<Sku> AddStock(int64_t sku_id, int64_t delta,
                                       int64_t max_stock) = 0;
  virtual absl::StatusOr<std::vector<PricePoint>> PriceHistory(
      int64_t sku_id) = 0;
  // Best relevance first (in bands of a tenth of the best hit's), then
  // sales, then newest; `offset` pages the ranking.
  virtual absl::StatusOr<ProductSearchResult> SearchSpus(
      const ProductSearch& search, int offset, int limit) = 0;
  // Newest first, id < before.
  virtual absl::StatusOr<std::vector<Spu>> ListSpus(const SpuFilter& filter,
                                                    int64_t before,
                                                    int limit) = 0;
};

class CouponRepository {
 public:
  virtual ~CouponRepository() = default;
  virtual absl::Status Create(const Coupon& c) = 0;
  virtual absl::StatusOr<Coupon> Find(int64_t id) = 0;
  // Atomic: never issues beyond total_limit or per_user_limit under any
  // concurrency. FAILED_PRECONDITION / RESOURCE_EXHAUSTED say why not.
  virtual absl::StatusOr<UserCoupon> Claim(int64_t coupon_id, int64_t user_id,
                                           int64_t user_coupon_id,
                                           absl::Time now) = 0;
  virtual absl::StatusOr<std::vector<std::pair<UserCoupon, Coupon>>> Wallet(
      int64_t user_id) = 0;
  // The merchant's coupons, newest first, id < before.
  virtual absl::StatusOr<std::vector<CouponStats>> ListByMerchant(
      int64_t merchant_id, int64_t before, int limit) = 0;
  // Active, in their claim window at `now`, not all issued; newest first.
  virtual absl::StatusOr<std::vector<Coupon>> ListClaimable(
      const ClaimableQuery& query, absl::Time now, int64_t before,
      int limit) = 0;
  // Stops new claims. NOT_FOUND unless it is the merchant's.
  virtual absl::Status Deactivate(int64_t merchant_id, int64_t coupon_id) = 0;
  // Only while nobody claimed it (a conditional delete, so a racing claim
  // wins or loses whole): FAILED_PRECONDITION otherwise, NOT_FOUND unless
  // it is the merchant's.
  virtual absl::Status DeleteUnclaimed(int64_t merchant_id,
                                       int64_t coupon_id) = 0;
};

class CartRepository {
 public:
  virtual ~CartRepository() = default;
  virtual absl::Status Put(int64_t user_id, int64_t sku_id, int64_t quantity,
                           absl::Time now) = 0;
  virtual absl::Status Remove(int64_t user_id, int64_t sku_id) = 0;
  virtual absl::Status Clear(int64_t user_id) = 0;
  virtual absl::StatusOr<std::vector<CartLine>> List(int64_t user_id) = 0;
};

}  // namespace tokkit::commerce

#endif  // TOKKIT_LIB_COMMERCE_REPOSITORY_H_
