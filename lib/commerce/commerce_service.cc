#include "lib/commerce/commerce_service.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/commerce/pricing.h"
#include "lib/core/log.h"
#include "lib/core/media_type.h"
#include "lib/core/status_macros.h"
#include "lib/core/validation.h"

namespace tokkit::commerce {
namespace {

constexpr int64_t kMaxImageBytes = int64_t{5} << 20;

absl::Status RequireMerchant(const Principal& p) {
  if (p.role != account::Role::kMerchant && p.role != account::Role::kAdmin) {
    return absl::PermissionDeniedError("this needs the merchant role");
  }
  return absl::OkStatus();
}

absl::Status ValidateCents(absl::string_view field, int64_t cents) {
  if (cents < 0 || cents > kMaxPriceCents) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " must be 0 to ", kMaxPriceCents, " cents, not ", cents));
  }
  return absl::OkStatus();
}

absl::Status ValidatePrice(int64_t cents) {
  return ValidateCents("price_cents", cents);
}

absl::Status ValidateStock(int64_t stock) {
  if (stock < 0 || stock > kMaxStock) {
    return absl::InvalidArgumentError(
        absl::StrCat("stock must be 0 to ", kMaxStock, ", not ", stock));
  }
  return absl::OkStatus();
}

absl::Status ValidateSkuText(const std::string& attributes,
                             const std::string& description) {
  RETURN_IF_ERROR(ValidateText("attributes", attributes, 0, 200));
  return ValidateText("description", description, 0, 1000, true);
}

absl::Status ValidateNewSku(const NewSku& n) {
  RETURN_IF_ERROR(ValidateSkuText(n.attributes, n.description));
  RETURN_IF_ERROR(ValidatePrice(n.price_cents));
  return ValidateStock(n.stock);
}

}  // namespace

// The parent as CheckParent wants it: nullopt when there is no such one.
static absl::StatusOr<std::optional<Category>> FindParent(
    CatalogRepository* catalog, int64_t parent_id) {
  if (parent_id <= 0) return std::optional<Category>();
  absl::StatusOr<Category> parent = catalog->FindCategory(parent_id);
  if (absl::IsNotFound(parent.status())) return std::optional<Category>();
  RETURN_IF_ERROR(parent.status());
  return std::optional<Category>(*std::move(parent));
}

absl::StatusOr<Category> CommerceService::CreateCategory(
    const Principal& admin, const std::string& name, int64_t parent_id) {
  if (!admin.is_admin())
    return absl::PermissionDeniedError("only admins create categories");
  RETURN_IF_ERROR(ValidateText("name", name, 1, 50));
  ASSIGN_OR_RETURN(std::optional<Category> parent,
                   FindParent(deps_.catalog, parent_id));
  RETURN_IF_ERROR(CheckParent(0, false, parent_id, parent));
  ASSIGN_OR_RETURN(const int64_t id, deps_.ids->Next());
  return deps_.catalog->CreateCategory({id, name, parent_id});
}

absl::StatusOr<Category> CommerceService::UpdateCategory(
    const Principal& admin, int64_t category_id, const std::string& name,
    int64_t parent_id) {
  if (!admin.is_admin())
    return absl::PermissionDeniedError("only admins change categories");
  RETURN_IF_ERROR(ValidatePositiveId("category_id", category_id));
  RETURN_IF_ERROR(ValidateText("name", name, 1, 50));
  RETURN_IF_ERROR(deps_.catalog->FindCategory(category_id).status());
  ASSIGN_OR_RETURN(std::optional<Category> parent,
                   FindParent(deps_.catalog, parent_id));
  ASSIGN_OR_RETURN(const bool has_children,
                   deps_.catalog->HasSubcategories(category_id));
  RETURN_IF_ERROR(CheckParent(category_id, has_children, parent_id, parent));
  const Category updated{category_id, name, parent_id};
  RETURN_IF_ERROR(deps_.catalog->UpdateCategory(updated));
  return updated;
}

absl::Status CommerceService::DeleteCategory(const Principal& admin,
                                             int64_t category_id) {
  if (!admin.is_admin())
    return absl::PermissionDeniedError("only admins delete categories");
  RETURN_IF_ERROR(ValidatePositiveId("category_id", category_id));
  return deps_.catalog->DeleteCategory(category_id);
}

absl::StatusOr<std::vector<Category>> CommerceService::ListCategories() {
  return deps_.catalog->ListCategories();
}

absl::StatusOr<std::vector<CategoryNode>> CommerceService::CategoryTree() {
  ASSIGN_OR_RETURN(std::vector<Category> all, deps_.catalog->ListCategories());
  return BuildCategoryTree(std::move(all));
}

absl::StatusOr<Product> CommerceService::CreateProduct(
    const Principal& merchant, const NewProduct& p) {
  RETURN_IF_ERROR(RequireMerchant(merchant));
  RETURN_IF_ERROR(ValidateText("name", p.name, 1, 100));
  RETURN_IF_ERROR(ValidateText("description", p.description, 0, 4000, true));
  RETURN_IF_ERROR(ValidatePrice(p.shipping_cents));
  if (p.skus.empty() ||
      p.skus.size() > static_cast<size_t>(kMaxSkusPerProduct)) {
    return absl::InvalidArgumentError(
        absl::StrCat("a product needs 1 to ", kMaxSkusPerProduct, " SKUs"));
  }
  RETURN_IF_ERROR(deps_.catalog->FindCategory(p.category_id).status());
  Product out;
  ASSIGN_OR_RETURN(out.spu.id, deps_.ids->Next());
  out.spu.merchant_id = merchant.user_id;
  out.spu.category_id = p.category_id;
  out.spu.name = p.name;
  out.spu.description = p.description;
  out.spu.shipping_cents = p.shipping_cents;
  out.spu.for_sale = p.for_sale;
  out.spu.created_at = deps_.clock->Now();
  for (const NewSku& n : p.skus) {
    RETURN_IF_ERROR(ValidateNewSku(n));
    Sku s;
    ASSIGN_OR_RETURN(s.id, deps_.ids->Next());
    s.spu_id = out.spu.id;
    s.merchant_id = merchant.user_id;
    s.attributes = n.attributes;
    s.price_cents = n.price_cents;
    s.stock = n.stock;
    s.description = n.description;
    s.for_sale = n.for_sale;
    out.skus.push_back(s);
  }
  RETURN_IF_ERROR(
      deps_.catalog->CreateSpu(out.spu, out.skus, out.spu.created_at));
  return GetProduct(out.spu.id);
}

absl::StatusOr<Product> CommerceService::GetProduct(int64_t spu_id) {
  RETURN_IF_ERROR(ValidatePositiveId("spu_id", spu_id));
  Product p;
  ASSIGN_OR_RETURN(p.spu, deps_.catalog->FindSpu(spu_id));
  if (p.spu.deleted) return absl::NotFoundError("product not found");
  ASSIGN_OR_RETURN(p.skus, deps_.catalog->SkusOf(spu_id));
  return p;
}

absl::StatusOr<Spu> CommerceService::OwnedSpu(const Principal& owner,
                                              int64_t spu_id,
                                              bool deleted_too) {
  RETURN_IF_ERROR(ValidatePositiveId("spu_id", spu_id));
  ASSIGN_OR_RETURN(Spu spu, deps_.catalog->FindSpu(spu_id));
  if (spu.merchant_id != owner.user_id) {
    return absl::PermissionDeniedError(
        "only the product's merchant can change it");
  }
  if (spu.deleted && !deleted_too) {
    return absl::FailedPreconditionError(
        "the product is deleted; restore it first");
  }
  return spu;
}

absl::StatusOr<Sku> CommerceService::OwnedSku(const Principal& owner,
                                              int64_t sku_id) {
  RETURN_IF_ERROR(ValidatePositiveId("sku_id", sku_id));
  ASSIGN_OR_RETURN(Sku sku, deps_.catalog->FindSku(sku_id));
  if (sku.merchant_id != owner.user_id) {
    return absl::PermissionDeniedError(
        "only the product's merchant can change it");
  }
  if (sku.deleted) return absl::NotFoundError("sku not found (deleted)");
  RETURN_IF_ERROR(OwnedSpu(owner, sku.spu_id).status());
  return sku;
}

absl::Status CommerceService::DeleteProduct(const Principal& owner,
                                            int64_t spu_id) {
  RETURN_IF_ERROR(OwnedSpu(owner, spu_id, /*deleted_too=*/true).status());
  return deps_.catalog->SetSpuDeleted(spu_id, true);
}

absl::StatusOr<Product> CommerceService::RestoreProduct(const Principal& owner,
                                                        int64_t spu_id) {
  RETURN_IF_ERROR(OwnedSpu(owner, spu_id, /*deleted_too=*/true).status());
  RETURN_IF_ERROR(deps_.catalog->SetSpuDeleted(spu_id, false));
  return GetProduct(spu_id);
}

absl::StatusOr<Page<Spu>> CommerceService::ListDeletedProducts(
    const Principal& owner, const std::string& page_token, int page_size) {
  RETURN_IF_ERROR(RequireMerchant(owner));
  SpuFilter filter;
  filter.merchant_id = owner.user_id;
  filter.for_sale_only = false;
  filter.deleted = true;
  return ListProducts(filter, page_token, page_size);
}

absl::StatusOr<Sku> CommerceService::AddSku(const Principal& owner,
                                            int64_t spu_id, const NewSku& n) {
  RETURN_IF_ERROR(ValidateNewSku(n));
  ASSIGN_OR_RETURN(Spu spu, OwnedSpu(owner, spu_id));
  ASSIGN_OR_RETURN(std::vector<Sku> skus, deps_.catalog->SkusOf(spu_id));
  if (skus.size() >= static_cast<size_t>(kMaxSkusPerProduct)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("a product has at most ", kMaxSkusPerProduct, " SKUs"));
  }
  Sku s;
  ASSIGN_OR_RETURN(s.id, deps_.ids->Next());
  s.spu_id = spu.id;
  s.merchant_id = spu.merchant_id;
  s.attributes = n.attributes;
  s.description = n.description;
  s.price_cents = n.price_cents;
  s.stock = n.stock;
  s.for_sale = n.for_sale;
  RETURN_IF_ERROR(deps_.catalog->AddSku(s, deps_.clock->Now()));
  return deps_.catalog->FindSku(s.id);
}

absl::StatusOr<Sku> CommerceService::UpdateSku(const Principal& owner,
                                               int64_t sku_id,
                                               const SkuChanges& changes) {
  RETURN_IF_ERROR(ValidateSkuText(changes.attributes, changes.description));
  ASSIGN_OR_RETURN(Sku sku, OwnedSku(owner, sku_id));
  sku.attributes = changes.attributes;
  sku.description = changes.description;
  sku.for_sale = changes.for_sale;
  RETURN_IF_ERROR(deps_.catalog->UpdateSku(sku));
  return deps_.catalog->FindSku(sku_id);
}

absl::Status CommerceService::DeleteSku(const Principal& owner,
                                        int64_t sku_id) {
  RETURN_IF_ERROR(OwnedSku(owner, sku_id).status());
  return deps_.catalog->DeleteSku(sku_id);
}

absl::StatusOr<Product> CommerceService::UpdateProduct(const Principal& owner,
                                                       const Spu& changes) {
  ASSIGN_OR_RETURN(Spu spu, OwnedSpu(owner, changes.id));
  RETURN_IF_ERROR(ValidateText("name", changes.name, 1, 100));
  RETURN_IF_ERROR(
      ValidateText("description", changes.description, 0, 4000, true));
  RETURN_IF_ERROR(ValidatePrice(changes.shipping_cents));
  RETURN_IF_ERROR(deps_.catalog->FindCategory(changes.category_id).status());
  spu.name = changes.name;
  spu.description = changes.description;
  spu.category_id = changes.category_id;
  spu.shipping_cents = changes.shipping_cents;
  spu.for_sale = changes.for_sale;
  RETURN_IF_ERROR(deps_.catalog->UpdateSpu(spu));
  return GetProduct(spu.id);
}

absl::StatusOr<std::string> CommerceService::StoreImage(
    int64_t spu_id, absl::string_view image) {
  if (image.empty() || static_cast<int64_t>(image.size()) > kMaxImageBytes) {
    return absl::InvalidArgumentError("image must be 1 byte to 5 MiB");
  }
  const MediaType type = SniffMediaType(image.substr(0, 16));
  if (type != MediaType::kJpeg && type != MediaType::kPng &&
      type != MediaType::kWebp) {
    return absl::InvalidArgumentError("image must be JPEG, PNG or WebP");
  }
  ASSIGN_OR_RETURN(const int64_t blob_id, deps_.ids->Next());
  std::string key =
      absl::StrCat("products/", spu_id, "/", blob_id, ".", FileExtension(type));
  if (deps_.pending_blobs != nullptr) {
    RETURN_IF_ERROR(deps_.pending_blobs->Expect(key));  // crash-safe cleanup
  }
  RETURN_IF_ERROR(deps_.blobs->Put(key, image));
  return key;
}

absl::StatusOr<Spu> CommerceService::EditImages(const Principal& owner,
                                                int64_t spu_id,
                                                const ImageEdit& edit,
                                                const std::string& new_key) {
  absl::Status st;
  // A conditional swap: a concurrent edit makes it re-read and apply the
  // edit to the list that edit left. Each loss means another edit won, so
  // 8 attempts outlast 7 concurrent editors of one product.
  for (int attempt = 0; attempt < 8; ++attempt) {
    absl::StatusOr<Spu> spu = OwnedSpu(owner, spu_id);
    if (!spu.ok()) {
      st = spu.status();
      break;
    }
    absl::StatusOr<ImageList> next = edit(spu->image_keys);
    if (!next.ok()) {
      st = next.status();
      break;
    }
    std::vector<std::pair<std::string, std::string>> replaced;
    if (!new_key.empty()) {
      for (size_t i = 0; i < next->size(); ++i) {
        if ((*next)[i] == new_key && i < spu->image_keys.size()) {
          replaced.emplace_back(spu->image_keys[i], new_key);
        }
      }
    }
    if (*next == spu->image_keys) return *spu;  // nothing to swap
    st = deps_.catalog->SwapSpuImages(spu_id, spu->image_keys, *next, replaced,
                                      deps_.clock->Now());
    if (st.ok()) {
      spu->image_keys = *std::move(next);
      return *spu;
    }
    if (!absl::IsAborted(st)) break;
  }
  if (!new_key.empty()) {
    if (absl::Status gone = deps_.blobs->Delete(new_key); !gone.ok()) {
      // The janitor deletes it later.
      log::Warning("blob_delete_failed", {{"key", new_key}, {"error", gone}});
    }
  }
  return st;
}

absl::StatusOr<int> CommerceService::AddProductImage(const Principal& owner,
                                                     int64_t spu_id,
                                                     absl::string_view image) {
  ASSIGN_OR_RETURN(Spu spu, OwnedSpu(owner, spu_id));
  // Refused before the upload when already full (and again in the swap).
  RETURN_IF_ERROR(WithImageAdded(spu.image_keys, "").status());
  ASSIGN_OR_RETURN(const std::string key, StoreImage(spu_id, image));
  ASSIGN_OR_RETURN(Spu edited, EditImages(
                                   owner, spu_id,
                                   [&](const ImageList& images) {
                                     return WithImageAdded(images, key);
                                   },
                                   key));
  return static_cast<int>(
      std::find(edited.image_keys.begin(), edited.image_keys.end(), key) -
      edited.image_keys.begin());
}

absl::StatusOr<Spu> CommerceService::ReplaceProductImage(
    const Principal& owner, int64_t spu_id, int index,
    absl::string_view image) {
  ASSIGN_OR_RETURN(Spu spu, OwnedSpu(owner, spu_id));
  RETURN_IF_ERROR(WithImageReplaced(spu.image_keys, index, "").status());
  ASSIGN_OR_RETURN(const std::string key, StoreImage(spu_id, image));
  return EditImages(
      owner, spu_id,
      [&](const ImageList& images) {
        return WithImageReplaced(images, index, key);
      },
      key);
}

absl::StatusOr<Spu> CommerceService::DeleteProductImage(const Principal& owner,
                                                        int64_t spu_id,
                                                        int index) {
  return EditImages(owner, spu_id, [&](const ImageList& images) {
    return WithImageRemoved(images, index);
  });
}

absl::StatusOr<Spu> CommerceService::ReorderProductImages(
    const Principal& owner, int64_t spu_id, const std::vector<int>& order) {
  return EditImages(owner, spu_id, [&](const ImageList& images) {
    return Reordered(images, order);
  });
}

absl::StatusOr<Sku> CommerceService::SetSkuImage(const Principal& owner,
                                                 int64_t sku_id,
                                                 int image_index) {
  ASSIGN_OR_RETURN(Sku sku, OwnedSku(owner, sku_id));
  std::string key;
  if (image_index >= 0) {
    ASSIGN_OR_RETURN(Spu spu, deps_.catalog->FindSpu(sku.spu_id));
    ASSIGN_OR_RETURN(key, ImageAt(spu.image_keys, image_index));
  }
  RETURN_IF_ERROR(deps_.catalog->SetSkuImage(sku_id, key));
  return deps_.catalog->FindSku(sku_id);
}

absl::StatusOr<std::string> CommerceService::ReadProductImage(int64_t spu_id,
                                                              int index) {
  ASSIGN_OR_RETURN(Spu spu, deps_.catalog->FindSpu(spu_id));
  if (spu.deleted || index < 0 ||
      index >= static_cast<int>(spu.image_keys.size())) {
    return absl::NotFoundError("no such image");
  }
  return deps_.blobs->Read(spu.image_keys[index]);
}

absl::StatusOr<Sku> CommerceService::SetPrice(const Principal& owner,
                                              int64_t sku_id,
                                              int64_t price_cents) {
  RETURN_IF_ERROR(ValidatePrice(price_cents));
  RETURN_IF_ERROR(OwnedSku(owner, sku_id).status());
  return deps_.catalog->SetPrice(sku_id, price_cents, deps_.clock->Now());
}

absl::StatusOr<Sku> CommerceService::AddStock(const Principal& owner,
                                              int64_t sku_id, int64_t delta) {
  if (delta == 0 || delta < -kMaxStock || delta > kMaxStock) {
    return absl::InvalidArgumentError(absl::StrCat(
        "delta must be non-zero and within +/-", kMaxStock, ", not ", delta));
  }
  RETURN_IF_ERROR(OwnedSku(owner, sku_id).status());
  return deps_.catalog->AddStock(sku_id, delta, kMaxStock);
}

absl::StatusOr<std::vector<PricePoint>> CommerceService::PriceHistory(
    int64_t sku_id) {
  RETURN_IF_ERROR(ValidatePositiveId("sku_id", sku_id));
  RETURN_IF_ERROR(deps_.catalog->FindSku(sku_id).status());
  return deps_.catalog->PriceHistory(sku_id);
}

absl::StatusOr<ProductSearchPage> CommerceService::SearchProducts(
    const ProductQuery& query, const std::string& page_token, int page_size) {
  ProductSearch search;
  search.query = std::string(absl::StripAsciiWhitespace(query.query));
  RETURN_IF_ERROR(ValidateText("query", search.query, 0, 100));
  if (query.min_price_cents < 0 || query.max_price_cents < 0 ||
      (query.max_price_cents > 0 &&
       query.max_price_cents < query.min_price_cents)) {
    return absl::InvalidArgumentError("price range is invalid");
  }
  if (query.merchant_id < 0 || query.category_id < 0) {
    return absl::InvalidArgumentError(
        "merchant_id and category_id are ids (or 0 for any)");
  }
  ASSIGN_OR_RETURN(int limit, PageSize(page_size));
  ASSIGN_OR_RETURN(int64_t offset, DecodeIdCursor(page_token));
  if (offset < 0 || offset >= kMaxProductSearchDepth) {
    return absl::InvalidArgumentError("page token is out of range");
  }
  if (query.category_id != 0) {
    RETURN_IF_ERROR(deps_.catalog->FindCategory(query.category_id).status());
    ASSIGN_OR_RETURN(std::vector<Category> all,
                     deps_.catalog->ListCategories());
    search.category_ids = CategoryAndChildren(all, query.category_id);
  }
  search.merchant_id = query.merchant_id;
  search.min_price_cents = query.min_price_cents;
  search.max_price_cents = query.max_price_cents;
  search.in_stock_only = query.in_stock_only;
  ASSIGN_OR_RETURN(
      ProductSearchResult found,
      deps_.catalog->SearchSpus(search, static_cast<int>(offset), limit));
  ProductSearchPage page;
  page.total = found.total;
  for (ProductHit& hit : found.hits) page.items.push_back(std::move(hit.spu));
  if (static_cast<int>(page.items.size()) == limit &&
      offset + limit < std::min<int64_t>(found.total, kMaxProductSearchDepth)) {
    page.next_page_token = EncodeIdCursor(offset + limit);
  }
  return page;
}

absl::StatusOr<Page<Spu>> CommerceService::ListProducts(
    const SpuFilter& filter, const std::string& page_token, int page_size) {
  ASSIGN_OR_RETURN(int limit, PageSize(page_size));
  ASSIGN_OR_RETURN(int64_t before, DecodeIdCursor(page_token));
  RETURN_IF_ERROR(ValidateText("keyword", filter.keyword, 0, 100));
  if (filter.min_price_cents < 0 || filter.max_price_cents < 0 ||
      (filter.max_price_cents > 0 &&
       filter.max_price_cents < filter.min_price_cents)) {
    return absl::InvalidArgumentError("price range is invalid");
  }
  Page<Spu> page;
  ASSIGN_OR_RETURN(page.items, deps_.catalog->ListSpus(filter, before, limit));
  page.next_page_token =
      NextIdCursor(page.items, limit, [](const auto& x) { return x.id; });
  return page;
}

absl::Status CommerceService::ValidateCouponTerms(Coupon& c) {
  RETURN_IF_ERROR(ValidateText("name", c.name, 1, 100));
  if (c.kind == CouponKind::kAmountOff) {
    if (c.amount_off_cents <= 0 || c.amount_off_cents > kMaxPriceCents) {
      return absl::InvalidArgumentError(
          absl::StrCat("amount_off_cents must be 1 to ", kMaxPriceCents));
    }
    c.percent_off = 0;
  } else if (c.kind == CouponKind::kPercentOff) {
    if (c.percent_off < 1 || c.percent_off > 99) {
      return absl::InvalidArgumentError("percent_off must be 1 to 99");
    }
    c.amount_off_cents = 0;
  } else {
    return absl::InvalidArgumentError("unknown coupon kind");
  }
  RETURN_IF_ERROR(ValidateCents("threshold_cents", c.threshold_cents));
  if (c.total_limit < 1 || c.total_limit > kMaxCouponIssue) {
    return absl::InvalidArgumentError(
        absl::StrCat("total_limit must be 1 to ", kMaxCouponIssue));
  }
  if (c.per_user_limit < 1 || c.per_user_limit > kMaxCouponsPerUser) {
    return absl::InvalidArgumentError(
        absl::StrCat("per_user_limit must be 1 to ", kMaxCouponsPerUser));
  }
  if (c.claim_end <= c.claim_start || c.valid_for <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "claim window and validity must be positive");
  }
  if (c.claim_start < absl::UnixEpoch() ||
      c.claim_end - c.claim_start > kMaxCouponSpan ||
      c.valid_for > kMaxCouponSpan) {
    return absl::InvalidArgumentError(
        "claim window and validity may each span at most 5 years");
  }
  return absl::OkStatus();
}

absl::StatusOr<Coupon> CommerceService::CreateCoupon(const Principal& merchant,
                                                     Coupon c) {
  RETURN_IF_ERROR(RequireMerchant(merchant));
  RETURN_IF_ERROR(ValidateCouponTerms(c));
  if (c.scope == CouponScope::kCategory) {
    RETURN_IF_ERROR(deps_.catalog->FindCategory(c.scope_id).status());
  } else if (c.scope == CouponScope::kSpu) {
    RETURN_IF_ERROR(OwnedSpu(merchant, c.scope_id).status());
  } else {
    c.scope_id = 0;
  }
  ASSIGN_OR_RETURN(c.id, deps_.ids->Next());
  c.merchant_id = merchant.user_id;
  c.issued = 0;
  RETURN_IF_ERROR(deps_.coupons->Create(c));
  return c;
}

absl::StatusOr<Coupon> CommerceService::CreatePlatformCoupon(
    const Principal& admin, Coupon c) {
  if (!admin.is_admin()) {
    return absl::PermissionDeniedError("only admins issue platform coupons");
  }
  RETURN_IF_ERROR(ValidateCouponTerms(c));
  if (c.scope != CouponScope::kShop) {
    return absl::InvalidArgumentError(
        "a platform coupon applies to the whole order (COUPON_SCOPE_SHOP)");
  }
  c.scope_id = 0;
  ASSIGN_OR_RETURN(c.id, deps_.ids->Next());
  c.merchant_id = kPlatformCouponMerchant;
  c.issued = 0;
  RETURN_IF_ERROR(deps_.coupons->Create(c));
  return c;
}

absl::StatusOr<Page<CouponStats>> CommerceService::ListPlatformCoupons(
    const Principal& admin, const std::string& page_token, int page_size) {
  if (!admin.is_admin()) {
    return absl::PermissionDeniedError("only admins list platform coupons");
  }
  return CouponStatsPage(kPlatformCouponMerchant, page_token, page_size);
}

absl::StatusOr<Page<CouponStats>> CommerceService::CouponStatsPage(
    int64_t owner_id, const std::string& page_token, int page_size) {
  ASSIGN_OR_RETURN(int limit, PageSize(page_size));
  ASSIGN_OR_RETURN(int64_t before, DecodeIdCursor(page_token));
  Page<CouponStats> page;
  ASSIGN_OR_RETURN(page.items,
                   deps_.coupons->ListByMerchant(owner_id, before, limit));
  page.next_page_token = NextIdCursor(
      page.items, limit, [](const CouponStats& s) { return s.coupon.id; });
  return page;
}

absl::StatusOr<int64_t> CommerceService::CouponOwner(const Principal& caller,
                                                     int64_t coupon_id) {
  RETURN_IF_ERROR(ValidatePositiveId("coupon_id", coupon_id));
  if (caller.is_admin()) {
    absl::StatusOr<Coupon> c = deps_.coupons->Find(coupon_id);
    if (c.ok() && IsPlatformCoupon(*c)) return kPlatformCouponMerchant;
  }
  RETURN_IF_ERROR(RequireMerchant(caller));
  return caller.user_id;
}

absl::StatusOr<UserCoupon> CommerceService::ClaimCoupon(const Principal& user,
                                                        int64_t coupon_id) {
  RETURN_IF_ERROR(ValidatePositiveId("coupon_id", coupon_id));
  ASSIGN_OR_RETURN(const int64_t claim_id, deps_.ids->Next());
  return deps_.coupons->Claim(coupon_id, user.user_id, claim_id,
                              deps_.clock->Now());
}

absl::StatusOr<std::vector<std::pair<UserCoupon, Coupon>>>
CommerceService::MyCoupons(const Principal& user) {
  return deps_.coupons->Wallet(user.user_id);
}

absl::StatusOr<Page<CouponStats>> CommerceService::ListShopCoupons(
    const Principal& merchant, const std::string& page_token, int page_size) {
  RETURN_IF_ERROR(RequireMerchant(merchant));
  return CouponStatsPage(merchant.user_id, page_token, page_size);
}

absl::StatusOr<Page<Coupon>> CommerceService::ListClaimableCoupons(
    const ClaimableQuery& query, const std::string& page_token, int page_size) {
  const int set = (query.merchant_id != 0) + (query.spu_id != 0) +
                  (query.category_id != 0) + (query.platform ? 1 : 0);
  if (set != 1 || query.merchant_id < 0 || query.spu_id < 0 ||
      query.category_id < 0) {
    return absl::InvalidArgumentError(
        "give exactly one of merchant_id, product_id, category_id or "
        "platform");
  }
  ASSIGN_OR_RETURN(int limit, PageSize(page_size));
  ASSIGN_OR_RETURN(int64_t before, DecodeIdCursor(page_token));
  ClaimableQuery resolved = query;
  if (query.spu_id != 0) {
    // A product's coupons: its own, its shop's and its category's (of its
    // shop).
    ASSIGN_OR_RETURN(Spu spu, deps_.catalog->FindSpu(query.spu_id));
    if (spu.deleted) return absl::NotFoundError("product not found");
    resolved.merchant_id = spu.merchant_id;
    resolved.category_id = spu.category_id;
  }
  Page<Coupon> page;
  ASSIGN_OR_RETURN(page.items,
                   deps_.coupons->ListClaimable(resolved, deps_.clock->Now(),
                                                before, limit));
  page.next_page_token =
      NextIdCursor(page.items, limit, [](const Coupon& c) { return c.id; });
  return page;
}

absl::StatusOr<Coupon> CommerceService::DeactivateCoupon(
    const Principal& merchant, int64_t coupon_id) {
  ASSIGN_OR_RETURN(const int64_t owner, CouponOwner(merchant, coupon_id));
  RETURN_IF_ERROR(deps_.coupons->Deactivate(owner, coupon_id));
  return deps_.coupons->Find(coupon_id);
}

absl::Status CommerceService::DeleteCoupon(const Principal& merchant,
                                           int64_t coupon_id) {
  ASSIGN_OR_RETURN(const int64_t owner, CouponOwner(merchant, coupon_id));
  return deps_.coupons->DeleteUnclaimed(owner, coupon_id);
}

absl::Status CommerceService::PutInCart(const Principal& user, int64_t sku_id,
                                        int64_t quantity) {
  RETURN_IF_ERROR(ValidatePositiveId("sku_id", sku_id));
  if (quantity < 1 || quantity > kMaxQuantityPerLine) {
    return absl::InvalidArgumentError(
        absl::StrCat("quantity must be 1 to ", kMaxQuantityPerLine));
  }
  ASSIGN_OR_RETURN(Sku sku, deps_.catalog->FindSku(sku_id));
  ASSIGN_OR_RETURN(Spu spu, deps_.catalog->FindSpu(sku.spu_id));
  if (sku.deleted || spu.deleted) {
    return absl::FailedPreconditionError(
        "this item was deleted by its merchant");
  }
  if (!spu.for_sale || !sku.for_sale)
    return absl::FailedPreconditionError("product is not for sale");
  if (quantity > sku.stock) {
    return absl::FailedPreconditionError(
        absl::StrCat("only ", sku.stock, " left in stock"));
  }
  return deps_.cart->Put(user.user_id, sku_id, quantity, deps_.clock->Now());
}

absl::Status CommerceService::RemoveFromCart(const Principal& user,
                                             int64_t sku_id) {
  RETURN_IF_ERROR(ValidatePositiveId("sku_id", sku_id));
  return deps_.cart->Remove(user.user_id, sku_id);
}

absl::Status CommerceService::ClearCart(const Principal& user) {
  return deps_.cart->Clear(user.user_id);
}

absl::StatusOr<Cart> CommerceService::GetCart(const Principal& user) {
  Cart cart;
  ASSIGN_OR_RETURN(cart.lines, deps_.cart->List(user.user_id));
  for (const CartLine& l : cart.lines) {
    if (l.available) cart.subtotal_cents += l.sku.price_cents * l.quantity;
  }
  return cart;
}

}  // namespace tokkit::commerce
