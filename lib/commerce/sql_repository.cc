#include "lib/commerce/sql_repository.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "lib/commerce/coupon_claims.h"
#include "lib/core/status_macros.h"
#include "lib/store/blob/blob_ledger.h"
#include "lib/store/sql/sql_tx.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit::commerce {

const std::vector<Migration>& CommerceMigrations() {
  static const auto* migrations = new std::vector<Migration>{
      {1, "catalogue, coupons, cart",
       R"sql(
CREATE TABLE categories (
  id BIGINT PRIMARY KEY,
  name VARCHAR(100) NOT NULL
);
CREATE UNIQUE INDEX categories_name_uq ON categories (name);
CREATE TABLE spus (
  id BIGINT PRIMARY KEY,
  merchant_id BIGINT NOT NULL,
  category_id BIGINT NOT NULL REFERENCES categories (id),
  name VARCHAR(400) NOT NULL,
  description VARCHAR(8000) NOT NULL DEFAULT '',
  image_keys VARCHAR(4000) NOT NULL DEFAULT '',
  shipping_cents BIGINT NOT NULL DEFAULT 0,
  for_sale SMALLINT NOT NULL DEFAULT 0,
  min_price_cents BIGINT NOT NULL DEFAULT 0,
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX spus_category_idx ON spus (category_id, id);
CREATE INDEX spus_merchant_idx ON spus (merchant_id, id);
CREATE TABLE skus (
  id BIGINT PRIMARY KEY,
  spu_id BIGINT NOT NULL REFERENCES spus (id),
  merchant_id BIGINT NOT NULL,
  attributes VARCHAR(500) NOT NULL DEFAULT '',
  price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
  price_version BIGINT NOT NULL DEFAULT 1,
  stock BIGINT NOT NULL CHECK (stock >= 0),
  sold BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX skus_spu_idx ON skus (spu_id);
CREATE TABLE sku_price_history (
  sku_id BIGINT NOT NULL,
  version BIGINT NOT NULL,
  price_cents BIGINT NOT NULL,
  since_ms BIGINT NOT NULL,
  PRIMARY KEY (sku_id, version)
);
CREATE TABLE coupons (
  id BIGINT PRIMARY KEY,
  merchant_id BIGINT NOT NULL,
  name VARCHAR(200) NOT NULL,
  kind SMALLINT NOT NULL,
  amount_off_cents BIGINT NOT NULL DEFAULT 0,
  percent_off INTEGER NOT NULL DEFAULT 0,
  threshold_cents BIGINT NOT NULL DEFAULT 0,
  scope SMALLINT NOT NULL DEFAULT 0,
  scope_id BIGINT NOT NULL DEFAULT 0,
  total_limit BIGINT NOT NULL,
  issued BIGINT NOT NULL DEFAULT 0,
  per_user_limit INTEGER NOT NULL,
  claim_start_ms BIGINT NOT NULL,
  claim_end_ms BIGINT NOT NULL,
  valid_for_ms BIGINT NOT NULL
);
CREATE TABLE user_coupons (
  id BIGINT PRIMARY KEY,
  coupon_id BIGINT NOT NULL REFERENCES coupons (id),
  user_id BIGINT NOT NULL,
  claimed_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  used_order_id BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX user_coupons_user_idx ON user_coupons (user_id, coupon_id);
CREATE TABLE cart_items (
  user_id BIGINT NOT NULL,
  sku_id BIGINT NOT NULL,
  quantity BIGINT NOT NULL,
  added_at_ms BIGINT NOT NULL,
  PRIMARY KEY (user_id, sku_id)
);
)sql"},
      {2, "one level of parent categories",
       R"sql(
ALTER TABLE categories ADD COLUMN parent_id BIGINT NOT NULL DEFAULT 0;
CREATE INDEX categories_parent_idx ON categories (parent_id);
)sql"},
      {3, "coupon management",
       R"sql(
ALTER TABLE coupons ADD COLUMN active SMALLINT NOT NULL DEFAULT 1;
CREATE INDEX coupons_merchant_idx ON coupons (merchant_id, id);
CREATE INDEX coupons_scope_idx ON coupons (scope, scope_id, id);
CREATE INDEX user_coupons_coupon_idx ON user_coupons (coupon_id, used_order_id);
)sql"},
      {4, "soft-deleted products and SKUs; SKU description and for-sale flag",
       R"sql(
ALTER TABLE spus ADD COLUMN deleted SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE skus ADD COLUMN description VARCHAR(2000) NOT NULL DEFAULT '';
ALTER TABLE skus ADD COLUMN for_sale SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE skus ADD COLUMN deleted SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE skus ADD COLUMN image_key VARCHAR(300) NOT NULL DEFAULT '';
)sql"},
      {5, "product full-text search",
       // SQLite: an FTS5 index that triggers keep in step (a trigger is one
       // line: the migration splits statements at a ';' ending a line).
       R"sql(
CREATE VIRTUAL TABLE product_search USING fts5(name, description, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO product_search (rowid, name, description) SELECT id, name, description FROM spus;
CREATE TRIGGER spus_search_insert AFTER INSERT ON spus BEGIN INSERT INTO product_search (rowid, name, description) VALUES (new.id, new.name, new.description); END;
CREATE TRIGGER spus_search_update AFTER UPDATE OF name, description ON spus BEGIN DELETE FROM product_search WHERE rowid = old.id; INSERT INTO product_search (rowid, name, description) VALUES (new.id, new.name, new.description); END;
CREATE TRIGGER spus_search_delete AFTER DELETE ON spus BEGIN DELETE FROM product_search WHERE rowid = old.id; END;
)sql",
       // PostgreSQL: a generated tsvector with a GIN index.
       R"sql(
ALTER TABLE spus ADD COLUMN search_doc tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', name), 'A') || setweight(to_tsvector('simple', description), 'C')) STORED;
CREATE INDEX spus_search_idx ON spus USING GIN (search_doc);
)sql",
       // MySQL/MariaDB: InnoDB FULLTEXT without a stopword list (words
       // shorter than innodb_ft_min_token_size, 3 by default, are not
       // indexed). Tables are created with a binary collation, under which
       // FULLTEXT matches case-sensitively: the searched text gets a
       // case-insensitive one (by copying the table: after MariaDB 10.11's
       // in-place rebuild a new FULLTEXT index missed the existing rows).
       R"sql(
ALTER TABLE spus MODIFY name VARCHAR(400) NOT NULL COLLATE utf8mb4_unicode_ci, MODIFY description VARCHAR(8000) NOT NULL DEFAULT '' COLLATE utf8mb4_unicode_ci, ALGORITHM=COPY;
SET SESSION innodb_ft_enable_stopword = OFF;
CREATE FULLTEXT INDEX spus_search_idx ON spus (name, description);
)sql"},
  };
  return *migrations;
}

namespace {

constexpr int kSpuColumnCount = 11;
constexpr int kSkuColumnCount = 12;

// `columns`, each prefixed with `alias.` when given, comma-separated.
template <size_t N>
std::string ColumnList(const char* const (&columns)[N],
                       absl::string_view alias) {
  const std::string prefix = alias.empty() ? "" : absl::StrCat(alias, ".");
  std::vector<std::string> out;
  for (const char* c : columns) out.push_back(absl::StrCat(prefix, c));
  return absl::StrJoin(out, ", ");
}

// The columns ReadSpu reads.
std::string SpuColumns(absl::string_view alias = "") {
  static constexpr const char* kColumns[kSpuColumnCount] = {"id",
                                                            "merchant_id",
                                                            "category_id",
                                                            "name",
                                                            "description",
                                                            "image_keys",
                                                            "shipping_cents",
                                                            "for_sale",
                                                            "min_price_cents",
                                                            "created_at_ms",
                                                            "deleted"};
  return ColumnList(kColumns, alias);
}

// The columns ReadSku reads.
std::string SkuColumns(absl::string_view alias = "") {
  static constexpr const char* kColumns[kSkuColumnCount] = {
      "id",          "spu_id",        "merchant_id", "attributes",
      "price_cents", "price_version", "stock",       "sold",
      "description", "for_sale",      "deleted",     "image_key"};
  return ColumnList(kColumns, alias);
}
constexpr char kCouponColumns[] =
    "c.id, c.merchant_id, c.name, c.kind, c.amount_off_cents, c.percent_off, "
    "c.threshold_cents, c.scope, c.scope_id, c.total_limit, c.issued, "
    "c.per_user_limit, c.claim_start_ms, c.claim_end_ms, c.valid_for_ms, "
    "c.active";

Spu ReadSpu(const soci::row& r, size_t o = 0) {
  Spu s;
  s.id = RowInt(r, o + 0);
  s.merchant_id = RowInt(r, o + 1);
  s.category_id = RowInt(r, o + 2);
  s.name = RowString(r, o + 3);
  s.description = RowString(r, o + 4);
  s.image_keys = absl::StrSplit(RowString(r, o + 5), ',', absl::SkipEmpty());
  s.shipping_cents = RowInt(r, o + 6);
  s.for_sale = RowBool(r, o + 7);
  s.min_price_cents = RowInt(r, o + 8);
  s.created_at = FromMillis(RowInt(r, o + 9));
  s.deleted = RowBool(r, o + 10);
  return s;
}

Sku ReadSku(const soci::row& r, size_t o = 0) {
  Sku s;
  s.id = RowInt(r, o + 0);
  s.spu_id = RowInt(r, o + 1);
  s.merchant_id = RowInt(r, o + 2);
  s.attributes = RowString(r, o + 3);
  s.price_cents = RowInt(r, o + 4);
  s.price_version = RowInt(r, o + 5);
  s.stock = RowInt(r, o + 6);
  s.sold = RowInt(r, o + 7);
  s.description = RowString(r, o + 8);
  s.for_sale = RowBool(r, o + 9);
  s.deleted = RowBool(r, o + 10);
  s.image_key = RowString(r, o + 11);
  return s;
}

Coupon ReadCoupon(const soci::row& r, size_t o = 0) {
  Coupon c;
  c.id = RowInt(r, o + 0);
  c.merchant_id = RowInt(r, o + 1);
  c.name = RowString(r, o + 2);
  c.kind = static_cast<CouponKind>(RowInt(r, o + 3));
  c.amount_off_cents = RowInt(r, o + 4);
  c.percent_off = static_cast<int>(RowInt(r, o + 5));
  c.threshold_cents = RowInt(r, o + 6);
  c.scope = static_cast<CouponScope>(RowInt(r, o + 7));
  c.scope_id = RowInt(r, o + 8);
  c.total_limit = RowInt(r, o + 9);
  c.issued = RowInt(r, o + 10);
  c.per_user_limit = static_cast<int>(RowInt(r, o + 11));
  c.claim_start = FromMillis(RowInt(r, o + 12));
  c.claim_end = FromMillis(RowInt(r, o + 13));
  c.valid_for = absl::Milliseconds(RowInt(r, o + 14));
  c.active = RowBool(r, o + 15);
  return c;
}

UserCoupon ReadUserCoupon(const soci::row& r, size_t o = 0) {
  UserCoupon u;
  u.id = RowInt(r, o + 0);
  u.coupon_id = RowInt(r, o + 1);
  u.user_id = RowInt(r, o + 2);
  u.claimed_at = FromMillis(RowInt(r, o + 3));
  u.expires_at = FromMillis(RowInt(r, o + 4));
  u.used_order_id = RowInt(r, o + 5);
  return u;
}

std::optional<Sku> FindSkuOn(soci::session& sql, int64_t id) {
  soci::row r;
  sql << absl::StrCat("SELECT ", SkuColumns(), " FROM skus WHERE id = :i"),
      soci::use(id), soci::into(r);
  if (!sql.got_data()) return std::nullopt;
  return ReadSku(r);
}

void RefreshMinPrice(soci::session& sql, int64_t spu_id) {
  sql << "UPDATE spus SET min_price_cents = (SELECT COALESCE(MIN(price_cents), "
         "0) "
         "FROM skus WHERE spu_id = :s AND deleted = 0) WHERE id = :s2",
      soci::use(spu_id), soci::use(spu_id);
}

// LIKE pattern matching `text` literally, for "LIKE ? ESCAPE '!'". Not a
// backslash: MySQL (and SOCI's statement parser for it) would read '\' in a
// literal as the start of an escape.
std::string LikeLiteral(const std::string& text) {
  return absl::StrCat(
      "%", absl::StrReplaceAll(text, {{"!", "!!"}, {"%", "!%"}, {"_", "!_"}}),
      "%");
}

std::vector<std::pair<UserCoupon, Coupon>> LoadWallet(soci::session& sql,
                                                      int64_t user_id) {
  std::vector<std::pair<UserCoupon, Coupon>> out;
  soci::rowset<soci::row> rows =
      (sql.prepare << absl::StrCat(
           "SELECT u.id, u.coupon_id, u.user_id, u.claimed_at_ms, "
           "u.expires_at_ms, u.used_order_id, ",
           kCouponColumns,
           " FROM user_coupons u JOIN coupons c ON c.id = "
           "u.coupon_id WHERE u.user_id = :u ORDER BY u.id"),
       soci::use(user_id));
  for (const soci::row& r : rows) {
    out.emplace_back(ReadUserCoupon(r), ReadCoupon(r, 6));
  }
  return out;
}

// Every cart's lines of the SKU, or of every SKU of the product.
void DropFromCarts(soci::session& sql, const char* column, int64_t id) {
  // The derived table lets MySQL read skus while deleting from cart_items.
  sql << absl::StrCat(
      "DELETE FROM cart_items WHERE sku_id IN (SELECT id FROM (SELECT "
      "id FROM skus WHERE ",
      column, " = :i) AS doomed)"),
      soci::use(id);
}

void RemoveFromCart(soci::session& sql, int64_t user_id,
                    const std::vector<int64_t>& sku_ids) {
  for (int64_t sku : sku_ids) {
    sql << "DELETE FROM cart_items WHERE user_id = :u AND sku_id = :s",
        soci::use(user_id), soci::use(sku);
  }
}

class SqlCatalogRepository : public CatalogRepository {
 public:
  explicit SqlCatalogRepository(Database* db) : db_(db) {}

  absl::StatusOr<Category> CreateCategory(const Category& c) override {
    bool inserted = false;
    absl::Status st = db_->Transact([&](soci::session& sql) {
      if (c.parent_id != 0) {
        // The parent row, locked: a concurrent move of the parent under
        // another category waits for this insert, then sees the child.
        soci::row parent;
        sql << absl::StrCat("SELECT parent_id FROM categories WHERE id = :p",
                            ForUpdate(sql)),
            soci::use(c.parent_id), soci::into(parent);
        if (!sql.got_data() || RowInt(parent, 0) != 0) return absl::OkStatus();
      }
      sql << "INSERT INTO categories (id, name, parent_id) VALUES (:i, :n, :p)",
          soci::use(c.id), soci::use(c.name), soci::use(c.parent_id);
      inserted = true;
      return absl::OkStatus();
    });
    if (IsUniqueViolation(st))
      return absl::AlreadyExistsError("category name is taken");
    RETURN_IF_ERROR(st);
    if (!inserted) {
      return absl::FailedPreconditionError(
          "the parent category is gone or no longer top level");
    }
    return c;
  }

  absl::StatusOr<bool> HasSubcategories(int64_t id) override {
    bool has = false;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << "SELECT id FROM categories WHERE parent_id = :p LIMIT 1",
          soci::use(id), soci::into(r);
      has = sql.got_data();
      return absl::OkStatus();
    }));
    return has;
  }

  absl::Status UpdateCategory(const Category& c) override {
    long long changed = 0;
    absl::Status st = db_->Transact([&](soci::session& sql) {
      // Given a parent only while it has no subcategories; the derived
      // table lets MySQL read the table it updates.
      changed =
          c.parent_id == 0
              ? ExecAffected(sql,
                             "UPDATE categories SET name = :n, parent_id = 0 "
                             "WHERE id = :i",
                             c.name, c.id)
              : ExecAffected(
                    sql,
                    "UPDATE categories SET name = :n, parent_id = :p WHERE "
                    "id = :i AND NOT EXISTS (SELECT 1 FROM (SELECT parent_id "
                    "FROM categories) AS sub WHERE sub.parent_id = :i2)",
                    c.name, c.parent_id, c.id, c.id);
      return absl::OkStatus();
    });
    if (IsUniqueViolation(st)) {
      return absl::AlreadyExistsError("category name is taken");
    }
    RETURN_IF_ERROR(st);
    if (changed == 1) return absl::OkStatus();
    // MySQL counts a row set to what it held as unchanged.
    ASSIGN_OR_RETURN(Category now, FindCategory(c.id));
    if (now.name == c.name && now.parent_id == c.parent_id) {
      return absl::OkStatus();
    }
    return absl::FailedPreconditionError(
        "categories have one level: a category with subcategories stays top "
        "level");
  }

  absl::Status DeleteCategory(int64_t id) override {
    return db_->Transact([&](soci::session& sql) -> absl::Status {
      soci::row r;
      sql << "SELECT COUNT(*) FROM spus WHERE category_id = :c", soci::use(id),
          soci::into(r);
      const int64_t products = sql.got_data() ? RowInt(r, 0) : 0;
      if (products > 0) {
        return absl::FailedPreconditionError(
            absl::StrCat(products,
                         " product(s) use this category; move or delete them "
                         "first"));
      }
      soci::row child;
      sql << "SELECT id FROM categories WHERE parent_id = :p LIMIT 1",
          soci::use(id), soci::into(child);
      if (sql.got_data()) {
        return absl::FailedPreconditionError(
            "this category has subcategories; delete or move them first");
      }
      if (ExecAffected(sql, "DELETE FROM categories WHERE id = :i", id) == 0) {
        return absl::NotFoundError("category not found");
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<Category>> ListCategories() override {
    std::vector<Category> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          sql.prepare
          << "SELECT id, name, parent_id FROM categories ORDER BY name";
      for (const soci::row& r : rows)
        out.push_back({RowInt(r, 0), RowString(r, 1), RowInt(r, 2)});
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<Category> FindCategory(int64_t id) override {
    std::optional<Category> c;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << "SELECT id, name, parent_id FROM categories WHERE id = :i",
          soci::use(id), soci::into(r);
      if (sql.got_data()) {
        c = Category{RowInt(r, 0), RowString(r, 1), RowInt(r, 2)};
      }
      return absl::OkStatus();
    }));
    if (!c) return absl::NotFoundError("category not found");
    return *c;
  }

  absl::Status CreateSpu(const Spu& s, const std::vector<Sku>& skus,
                         absl::Time now) override {
    return db_->Transact([&](soci::session& sql) {
      const std::string images = absl::StrJoin(s.image_keys, ",");
      const int for_sale = s.for_sale ? 1 : 0;
      const int64_t created = ToMillis(s.created_at);
      sql << "INSERT INTO spus (id, merchant_id, category_id, name, "
             "description, "
             "image_keys, shipping_cents, for_sale, min_price_cents, "
             "created_at_ms) "
             "VALUES (:i, :m, :c, :n, :d, :im, :sh, :f, 0, :t)",
          soci::use(s.id), soci::use(s.merchant_id), soci::use(s.category_id),
          soci::use(s.name), soci::use(s.description), soci::use(images),
          soci::use(s.shipping_cents), soci::use(for_sale), soci::use(created);
      const int64_t since = ToMillis(now);
      for (const Sku& k : skus) {
        const int sku_for_sale = k.for_sale ? 1 : 0;
        sql << "INSERT INTO skus (id, spu_id, merchant_id, attributes, "
               "price_cents, price_version, stock, sold, description, "
               "for_sale) VALUES (:i, :s, :m, :a, :p, 1, :st, 0, :d, :f)",
            soci::use(k.id), soci::use(s.id), soci::use(s.merchant_id),
            soci::use(k.attributes), soci::use(k.price_cents),
            soci::use(k.stock), soci::use(k.description),
            soci::use(sku_for_sale);
        sql << "INSERT INTO sku_price_history (sku_id, version, price_cents, "
               "since_ms) "
               "VALUES (:i, 1, :p, :t)",
            soci::use(k.id), soci::use(k.price_cents), soci::use(since);
      }
      RefreshMinPrice(sql, s.id);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<Spu> FindSpu(int64_t id) override {
    std::optional<Spu> s;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << absl::StrCat("SELECT ", SpuColumns(), " FROM spus WHERE id = :i"),
          soci::use(id), soci::into(r);
      if (sql.got_data()) s = ReadSpu(r);
      return absl::OkStatus();
    }));
    if (!s) return absl::NotFoundError("product not found");
    return *s;
  }

  absl::StatusOr<std::vector<Sku>> SkusOf(int64_t spu_id) override {
    std::vector<Sku> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << absl::StrCat(
               "SELECT ", SkuColumns(),
               " FROM skus WHERE spu_id = :s AND deleted = 0 ORDER BY id"),
           soci::use(spu_id));
      for (const soci::row& r : rows) out.push_back(ReadSku(r));
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<Sku> FindSku(int64_t id) override {
    std::optional<Sku> s;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      s = FindSkuOn(sql, id);
      return absl::OkStatus();
    }));
    if (!s) return absl::NotFoundError("sku not found");
    return *s;
  }

  absl::Status UpdateSpu(const Spu& s) override {
    return db_->Run([&](soci::session& sql) -> absl::Status {
      const int for_sale = s.for_sale ? 1 : 0;
      if (ExecAffected(
              sql,
              "UPDATE spus SET name = :n, description = :d, category_id = :c, "
              "shipping_cents = :sh, for_sale = :f WHERE id = :i AND "
              "deleted = 0",
              s.name, s.description, s.category_id, s.shipping_cents, for_sale,
              s.id) != 1) {
        return absl::NotFoundError("product not found");
      }
      return absl::OkStatus();
    });
  }

  absl::Status SetSpuDeleted(int64_t spu_id, bool deleted) override {
    return db_->Transact([&](soci::session& sql) -> absl::Status {
      const int flag = deleted ? 1 : 0;
      soci::row r;
      sql << "SELECT id FROM spus WHERE id = :i", soci::use(spu_id),
          soci::into(r);
      if (!sql.got_data()) return absl::NotFoundError("product not found");
      sql << "UPDATE spus SET deleted = :d WHERE id = :i", soci::use(flag),
          soci::use(spu_id);
      if (deleted) DropFromCarts(sql, "spu_id", spu_id);
      return absl::OkStatus();
    });
  }

  absl::Status AddSku(const Sku& k, absl::Time now) override {
    return db_->Transact([&](soci::session& sql) -> absl::Status {
      // The product row, locked: a racing delete of the product either
      // waits for this SKU (and then drops it from carts with the rest) or
      // wins and this insert is refused.
      soci::row spu;
      sql << absl::StrCat("SELECT deleted FROM spus WHERE id = :i",
                          ForUpdate(sql)),
          soci::use(k.spu_id), soci::into(spu);
      if (!sql.got_data()) return absl::NotFoundError("product not found");
      if (RowBool(spu, 0)) {
        return absl::FailedPreconditionError(
            "the product is deleted; restore it first");
      }
      const int for_sale = k.for_sale ? 1 : 0;
      sql << "INSERT INTO skus (id, spu_id, merchant_id, attributes, "
             "price_cents, price_version, stock, sold, description, for_sale, "
             "deleted) VALUES (:i, :s, :m, :a, :p, 1, :st, 0, :d, :f, 0)",
          soci::use(k.id), soci::use(k.spu_id), soci::use(k.merchant_id),
          soci::use(k.attributes), soci::use(k.price_cents), soci::use(k.stock),
          soci::use(k.description), soci::use(for_sale);
      const int64_t since = ToMillis(now);
      sql << "INSERT INTO sku_price_history (sku_id, version, price_cents, "
             "since_ms) VALUES (:i, 1, :p, :t)",
          soci::use(k.id), soci::use(k.price_cents), soci::use(since);
      RefreshMinPrice(sql, k.spu_id);
      return absl::OkStatus();
    });
  }

  absl::Status UpdateSku(const Sku& k) override {
    return db_->Transact([&](soci::session& sql) -> absl::Status {
      const int for_sale = k.for_sale ? 1 : 0;
      if (ExecAffected(sql,
                       "UPDATE skus SET attributes = :a, description = :d, "
                       "for_sale = :f WHERE id = :i AND deleted = 0",
                       k.attributes, k.description, for_sale, k.id) == 1) {
        return absl::OkStatus();
      }
      // MySQL counts a row set to what it held as unchanged.
      std::optional<Sku> now = FindSkuOn(sql, k.id);
      if (now && !now->deleted && now->attributes == k.attributes &&
          now->description == k.description && now->for_sale == k.for_sale) {
        return absl::OkStatus();
      }
      return absl::NotFoundError("sku not found");
    });
  }

  absl::Status DeleteSku(int64_t sku_id) override {
    return db_->Transact([&](soci::session& sql) -> absl::Status {
      std::optional<Sku> sku = FindSkuOn(sql, sku_id);
      if (!sku || sku->deleted) return absl::NotFoundError("sku not found");
      // The product row, locked, so two racing deletes of its last two
      // SKUs cannot both see the other one still live.
      soci::row spu;
      sql << absl::StrCat("SELECT id FROM spus WHERE id = :i", ForUpdate(sql)),
          soci::use(sku->spu_id), soci::into(spu);
      long long live = 0;
      sql << "SELECT COUNT(*) FROM skus WHERE spu_id = :s AND deleted = 0 AND "
             "id <> :i",
          soci::use(sku->spu_id), soci::use(sku_id), soci::into(live);
      if (live == 0) {
        return absl::FailedPreconditionError(
            "this is the product's last SKU; delete the product instead");
      }
      if (ExecAffected(sql,
                       "UPDATE skus SET deleted = 1 WHERE id = :i AND "
                       "deleted = 0",
                       sku_id) != 1) {
        return absl::NotFoundError("sku not found");
      }
      DropFromCarts(sql, "id", sku_id);
      RefreshMinPrice(sql, sku->spu_id);
      return absl::OkStatus();
    });
  }

  absl::Status SwapSpuImages(
      int64_t spu_id, const std::vector<std::string>& expected,
      const std::vector<std::string>& next,
      const std::vector<std::pair<std::string, std::string>>& replaced,
      absl::Time now) override {
    return db_->Transact([&](soci::session& sql) -> absl::Status {
      const std::string before = absl::StrJoin(expected, ",");
      const std::string after = absl::StrJoin(next, ",");
      if (ExecAffected(sql,
                       "UPDATE spus SET image_keys = :n WHERE id = :i AND "
                       "image_keys = :o",
                       after, spu_id, before) != 1) {
        return absl::AbortedError(
            "the product's images changed meanwhile; read them and retry");
      }
      std::vector<std::string> added;
      for (const std::string& key : next) {
        if (std::find(expected.begin(), expected.end(), key) ==
            expected.end()) {
          added.push_back(key);
        }
      }
      RETURN_IF_ERROR(AdoptBlobs(sql, added));
      for (const std::string& key : expected) {
        if (std::find(next.begin(), next.end(), key) != next.end()) continue;
        std::string successor;
        for (const auto& [old_key, new_key] : replaced) {
          if (old_key == key) successor = new_key;
        }
        sql << "UPDATE skus SET image_key = :n WHERE spu_id = :s AND "
               "image_key = :o",
            soci::use(successor), soci::use(spu_id), soci::use(key);
        ReleaseBlob(sql, key, now);
      }
      return absl::OkStatus();
    });
  }

  absl::Status SetSkuImage(int64_t sku_id, const std::string& key) override {
    return db_->Transact([&](soci::session& sql) -> absl::Status {
      std::optional<Sku> sku = FindSkuOn(sql, sku_id);
      if (!sku || sku->deleted) return absl::NotFoundError("sku not found");
      // The product row, locked: an image swap waits for this, or this
      // sees the swapped list.
      soci::row spu;
      sql << absl::StrCat("SELECT image_keys FROM spus WHERE id = :i",
                          ForUpdate(sql)),
          soci::use(sku->spu_id), soci::into(spu);
      const std::vector<std::string> keys =
          absl::StrSplit(RowString(spu, 0), ',', absl::SkipEmpty());
      if (!key.empty() &&
          std::find(keys.begin(), keys.end(), key) == keys.end()) {
        return absl::FailedPreconditionError(
            "that image is no longer the product's");
      }
      sql << "UPDATE skus SET image_key = :k WHERE id = :i", soci::use(key),
          soci::use(sku_id);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<Sku> SetPrice(int64_t sku_id, int64_t price_cents,
                               absl::Time now) override {
    std::optional<Sku> sku;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) -> absl::Status {
      if (ExecAffected(sql,
                       "UPDATE skus SET price_cents = :p, price_version = "
                       "price_version + 1 "
                       "WHERE id = :i AND deleted = 0",
                       price_cents, sku_id) != 1) {
        return absl::NotFoundError("sku not found");
      }
      sku = FindSkuOn(sql, sku_id);
      const int64_t since = ToMillis(now);
      sql << "INSERT INTO sku_price_history (sku_id, version, price_cents, "
             "since_ms) "
             "VALUES (:i, :v, :p, :t)",
          soci::use(sku_id), soci::use(sku->price_version),
          soci::use(price_cents), soci::use(since);
      RefreshMinPrice(sql, sku->spu_id);
      return absl::OkStatus();
    }));
    return *sku;
  }

  absl::StatusOr<Sku> AddStock(int64_t sku_id, int64_t delta,
                               int64_t max_stock) override {
    std::optional<Sku> sku;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) -> absl::Status {
      // The bounds are checked on the old value, so the sum itself can never
      // overflow (|delta| and max_stock are far below 2^62).
      if (ExecAffected(sql,
                       "UPDATE skus SET stock = stock + :d WHERE id = :i AND "
                       "stock >= :lo AND stock <= :hi AND deleted = 0",
                       delta, sku_id, -delta, max_stock - delta) != 1) {
        return absl::FailedPreconditionError(absl::StrCat(
            "stock would leave 0 to ", max_stock, " (or the sku is gone)"));
      }
      sku = FindSkuOn(sql, sku_id);
      return absl::OkStatus();
    }));
    return *sku;
  }

  absl::StatusOr<std::vector<PricePoint>> PriceHistory(
      int64_t sku_id) override {
    std::vector<PricePoint> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT version, price_cents, since_ms FROM "
                          "sku_price_history "
                          "WHERE sku_id = :i ORDER BY version",
           soci::use(sku_id));
      for (const soci::row& r : rows) {
        out.push_back({RowInt(r, 0), RowInt(r, 1), FromMillis(RowInt(r, 2))});
      }
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<ProductSearchResult> SearchSpus(const ProductSearch& search,
                                                 int offset,
                                                 int limit) override {
    ProductSearchResult out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      // What full text means on this backend: the FROM, the match
      // condition and the relevance score (each '?' binds `text`).
      const bool words = !search.query.empty();
      std::string text = search.query;  // plainto_tsquery takes plain words
      std::string from = " FROM spus p";
      std::string match, relevance = "0";
      std::vector<FilteredQuery::Value> relevance_values;
      if (words) {
        switch (db_->dialect()) {
          case SqlDialect::kSqlite:
            text = Fts5Literal(text);
            from =
                " FROM product_search JOIN spus p ON p.id = "
                "product_search.rowid";
            match = "product_search MATCH ?";
            // bm25 is lower-is-better; the name weighs 10 descriptions.
            relevance = "-bm25(product_search, 10.0, 1.0)";
            break;
          case SqlDialect::kMysql:
            text = MysqlBooleanLiteral(text);
            match = "MATCH (p.name, p.description) AGAINST (? IN BOOLEAN MODE)";
            relevance = match;
            relevance_values = {text};
            break;
          default:
            match = "p.search_doc @@ plainto_tsquery('simple', ?)";
            relevance = "ts_rank(p.search_doc, plainto_tsquery('simple', ?))";
            relevance_values = {text};
        }
      }
      // FROM and WHERE, shared by the page and the count.
      auto filtered =
          [&](const std::string& select,
              const std::vector<FilteredQuery::Value>& select_values) {
            FilteredQuery q(select + from, select_values);
            if (words) q.Where(match, text);
            q.Where("p.deleted = 0").Where("p.for_sale = 1");
            if (!search.category_ids.empty()) {
              std::vector<FilteredQuery::Value> ids(search.category_ids.begin(),
                                                    search.category_ids.end());
              std::vector<std::string> marks(ids.size(), "?");
              q.WhereInOrder(absl::StrCat("p.category_id IN (",
                                          absl::StrJoin(marks, ", "), ")"),
                             ids);
            }
            if (search.merchant_id != 0) {
              q.Where("p.merchant_id = ?", search.merchant_id);
            }
            if (search.min_price_cents > 0) {
              q.Where("p.min_price_cents >= ?", search.min_price_cents);
            }
            if (search.max_price_cents > 0) {
              q.Where("p.min_price_cents <= ?", search.max_price_cents);
            }
            if (search.in_stock_only) {
              q.Where(
                  "EXISTS (SELECT 1 FROM skus k WHERE k.spu_id = p.id AND "
                  "k.deleted = 0 AND k.for_sale = 1 AND k.stock > 0)");
            }
            return q;
          };
      FilteredQuery page = filtered(
          absl::StrCat("SELECT ", SpuColumns("p"), ", ", relevance,
                       " AS rel, (SELECT COALESCE(SUM(k.sold), 0) FROM skus k "
                       "WHERE k.spu_id = p.id) AS sales"),
          relevance_values);
      // Relevance (in bands), then sales, then newest.
      page.Run(sql, "SELECT s.* FROM (",
               absl::StrCat(") s ORDER BY ", RelevanceBand(),
                            " DESC, s.sales DESC, s.id DESC LIMIT ? OFFSET ?"),
               {limit, offset}, [&](const soci::row& r) {
                 out.hits.push_back({ReadSpu(r), RowDouble(r, kSpuColumnCount),
                                     RowInt(r, kSpuColumnCount + 1)});
               });
      filtered("SELECT COUNT(*)", {})
          .Run(sql, "", "", {},
               [&](const soci::row& r) { out.total = RowInt(r, 0); });
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<std::vector<Spu>> ListSpus(const SpuFilter& f, int64_t before,
                                            int limit) override {
    std::vector<Spu> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      // Only the filters that are set become conditions.
      FilteredQuery q(absl::StrCat("SELECT ", SpuColumns(), " FROM spus"));
      q.Where("id < ?", before > 0 ? before : INT64_MAX);
      if (f.category_id != 0) q.Where("category_id = ?", f.category_id);
      if (f.merchant_id != 0) q.Where("merchant_id = ?", f.merchant_id);
      q.Where(f.deleted ? "deleted = 1" : "deleted = 0");
      if (f.for_sale_only) q.Where("for_sale = 1");
      if (f.min_price_cents > 0) {
        q.Where("min_price_cents >= ?", f.min_price_cents);
      }
      if (f.max_price_cents > 0) {
        q.Where("min_price_cents <= ?", f.max_price_cents);
      }
      if (!f.keyword.empty()) {
        const std::string like = LikeLiteral(f.keyword);
        // Case-insensitive on every backend (SQLite's LIKE already is,
        // PostgreSQL's is not).
        q.Where(
            "LOWER(name) LIKE LOWER(?) ESCAPE '!' OR "
            "LOWER(description) LIKE LOWER(?) ESCAPE '!'",
            like);
      }
      q.Each(sql, "ORDER BY id DESC LIMIT ?", limit,
             [&](const soci::row& r) { out.push_back(ReadSpu(r)); });
      return absl::OkStatus();
    }));
    return out;
  }

 private:
  Database* const db_;
};

class SqlCouponRepository : public CouponRepository {
 public:
  explicit SqlCouponRepository(Database* db) : db_(db) {}

  absl::Status Create(const Coupon& c) override {
    return db_->Run([&](soci::session& sql) {
      const int kind = static_cast<int>(c.kind);
      const int scope = static_cast<int>(c.scope);
      const int64_t start = ToMillis(c.claim_start),
                    end = ToMillis(c.claim_end);
      const int64_t valid = absl::ToInt64Milliseconds(c.valid_for);
      sql << "INSERT INTO coupons (id, merchant_id, name, kind, "
             "amount_off_cents, "
             "percent_off, threshold_cents, scope, scope_id, total_limit, "
             "issued, "
             "per_user_limit, claim_start_ms, claim_end_ms, valid_for_ms) "
             "VALUES (:i, "
             ":m, :n, :k, :a, :p, :t, :s, :si, :tl, 0, :pu, :cs, :ce, :v)",
          soci::use(c.id), soci::use(c.merchant_id), soci::use(c.name),
          soci::use(kind), soci::use(c.amount_off_cents),
          soci::use(c.percent_off), soci::use(c.threshold_cents),
          soci::use(scope), soci::use(c.scope_id), soci::use(c.total_limit),
          soci::use(c.per_user_limit), soci::use(start), soci::use(end),
          soci::use(valid);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<Coupon> Find(int64_t id) override {
    std::optional<Coupon> c;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << absl::StrCat("SELECT ", kCouponColumns,
                          " FROM coupons c WHERE c.id = :i"),
          soci::use(id), soci::into(r);
      if (sql.got_data()) c = ReadCoupon(r);
      return absl::OkStatus();
    }));
    if (!c) return absl::NotFoundError("coupon not found");
    return *c;
  }

  absl::StatusOr<UserCoupon> Claim(int64_t coupon_id, int64_t user_id,
                                   int64_t user_coupon_id,
                                   absl::Time now) override {
    UserCoupon uc;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) -> absl::Status {
      const int64_t now_ms = ToMillis(now);
      // Taking one from the pool first also row-locks the coupon, which
      // serialises claims and makes the per-user count below exact.
      if (ExecAffected(
              sql,
              "UPDATE coupons SET issued = issued + 1 WHERE id = :i AND issued "
              "< total_limit AND claim_start_ms <= :n AND claim_end_ms > :n2 "
              "AND active = 1",
              coupon_id, now_ms, now_ms) != 1) {
        soci::row r;
        sql << absl::StrCat("SELECT ", kCouponColumns,
                            " FROM coupons c WHERE c.id = :i"),
            soci::use(coupon_id), soci::into(r);
        if (!sql.got_data()) return absl::NotFoundError("coupon not found");
        return PoolRefusal(ReadCoupon(r), now);
      }
      soci::row r;
      sql << absl::StrCat("SELECT ", kCouponColumns,
                          " FROM coupons c WHERE c.id = :i"),
          soci::use(coupon_id), soci::into(r);
      const Coupon c = ReadCoupon(r);
      long long mine = 0;
      sql << "SELECT COUNT(*) FROM user_coupons WHERE coupon_id = :c AND "
             "user_id = :u",
          soci::use(coupon_id), soci::use(user_id), soci::into(mine);
      RETURN_IF_ERROR(CheckPerUserLimit(c, mine));  // rolls back the take
      uc = ClaimedCoupon(c, user_coupon_id, user_id, now);
      const int64_t expires = ToMillis(uc.expires_at);
      sql << "INSERT INTO user_coupons (id, coupon_id, user_id, claimed_at_ms, "
             "expires_at_ms, used_order_id) VALUES (:i, :c, :u, :t, :e, 0)",
          soci::use(uc.id), soci::use(coupon_id), soci::use(user_id),
          soci::use(now_ms), soci::use(expires);
      return absl::OkStatus();
    }));
    return uc;
  }

  absl::StatusOr<std::vector<CouponStats>> ListByMerchant(int64_t merchant_id,
                                                          int64_t before,
                                                          int limit) override {
    std::vector<CouponStats> out;
    const int64_t bound = before > 0 ? before : INT64_MAX;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << absl::StrCat(
               "SELECT ", kCouponColumns,
               ", (SELECT COUNT(*) FROM user_coupons u WHERE u.coupon_id = "
               "c.id AND u.used_order_id <> 0) FROM coupons c WHERE "
               "c.merchant_id = :m AND c.id < :b ORDER BY c.id DESC LIMIT :n"),
           soci::use(merchant_id), soci::use(bound), soci::use(limit));
      for (const soci::row& r : rows) {
        CouponStats s;
        s.coupon = ReadCoupon(r);
        s.claimed = s.coupon.issued;
        s.used = RowInt(r, 16);
        out.push_back(std::move(s));
      }
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<std::vector<Coupon>> ListClaimable(const ClaimableQuery& q,
                                                    absl::Time now,
                                                    int64_t before,
                                                    int limit) override {
    std::vector<Coupon> out;
    const int64_t now_ms = ToMillis(now);
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      FilteredQuery query(
          absl::StrCat("SELECT ", kCouponColumns, " FROM coupons c"));
      // Which coupons: only the part of the query that is set becomes SQL.
      if (q.spu_id != 0) {
        query.WhereInOrder(
            "(c.scope = 2 AND c.scope_id = ?) OR (c.scope = 0 AND "
            "c.merchant_id = ?) OR (c.scope = 1 AND c.scope_id = ? AND "
            "c.merchant_id = ?)",
            {q.spu_id, q.merchant_id, q.category_id, q.merchant_id});
      } else if (q.platform) {
        query.Where("c.merchant_id = 0");
      } else if (q.merchant_id != 0) {
        query.Where("c.merchant_id = ?", q.merchant_id);
      } else {
        query.Where("c.scope = 1 AND c.scope_id = ?", q.category_id);
      }
      query.Where("c.active = 1")
          .Where("c.claim_start_ms <= ?", now_ms)
          .Where("c.claim_end_ms > ?", now_ms)
          .Where("c.issued < c.total_limit")
          .Where("c.id < ?", before > 0 ? before : INT64_MAX);
      query.Each(sql, "ORDER BY c.id DESC LIMIT ?", limit,
                 [&](const soci::row& r) { out.push_back(ReadCoupon(r)); });
      return absl::OkStatus();
    }));
    return out;
  }

  absl::Status Deactivate(int64_t merchant_id, int64_t coupon_id) override {
    return db_->Transact([&](soci::session& sql) -> absl::Status {
      soci::row r;
      sql << "SELECT merchant_id FROM coupons WHERE id = :i",
          soci::use(coupon_id), soci::into(r);
      if (!sql.got_data() || RowInt(r, 0) != merchant_id) {
        return absl::NotFoundError("coupon not found");
      }
      sql << "UPDATE coupons SET active = 0 WHERE id = :i",
          soci::use(coupon_id);
      return absl::OkStatus();
    });
  }

  absl::Status DeleteUnclaimed(int64_t merchant_id,
                               int64_t coupon_id) override {
    return db_->Transact([&](soci::session& sql) -> absl::Status {
      if (ExecAffected(sql,
                       "DELETE FROM coupons WHERE id = :i AND merchant_id = "
                       ":m AND issued = 0",
                       coupon_id, merchant_id) == 1) {
        return absl::OkStatus();
      }
      soci::row r;
      sql << "SELECT merchant_id, issued FROM coupons WHERE id = :i",
          soci::use(coupon_id), soci::into(r);
      if (!sql.got_data() || RowInt(r, 0) != merchant_id) {
        return absl::NotFoundError("coupon not found");
      }
      return absl::FailedPreconditionError(absl::StrCat(
          "this coupon was claimed ", RowInt(r, 1),
          " time(s) and stays for its holders; deactivate it instead"));
    });
  }

  absl::StatusOr<std::vector<std::pair<UserCoupon, Coupon>>> Wallet(
      int64_t user_id) override {
    std::vector<std::pair<UserCoupon, Coupon>> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      out = LoadWallet(sql, user_id);
      return absl::OkStatus();
    }));
    return out;
  }

 private:
  Database* const db_;
};

class SqlCartRepository : public CartRepository {
 public:
  explicit SqlCartRepository(Database* db) : db_(db) {}

  absl::Status Put(int64_t user_id, int64_t sku_id, int64_t quantity,
                   absl::Time now) override {
    return db_->Run([&](soci::session& sql) {
      const int64_t ms = ToMillis(now);
      sql << Upsert(sql,
                    "cart_items (user_id, sku_id, quantity, added_at_ms) "
                    "VALUES (:u, :s, :q, :t)",
                    "user_id, sku_id", "quantity = :q2"),
          soci::use(user_id), soci::use(sku_id), soci::use(quantity),
          soci::use(ms), soci::use(quantity);
      return absl::OkStatus();
    });
  }

  absl::Status Remove(int64_t user_id, int64_t sku_id) override {
    return db_->Run([&](soci::session& sql) {
      RemoveFromCart(sql, user_id, {sku_id});
      return absl::OkStatus();
    });
  }

  absl::Status Clear(int64_t user_id) override {
    return db_->Run([&](soci::session& sql) {
      sql << "DELETE FROM cart_items WHERE user_id = :u", soci::use(user_id);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<CartLine>> List(int64_t user_id) override {
    std::vector<CartLine> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << absl::StrCat(
               "SELECT ci.sku_id, ci.quantity, ", SkuColumns("k"),
               ", p.name, p.for_sale FROM cart_items ci JOIN skus k "
               "ON k.id = ci.sku_id JOIN spus p ON p.id = k.spu_id "
               "WHERE ci.user_id = :u AND k.deleted = 0 AND p.deleted "
               "= 0 ORDER BY ci.added_at_ms, ci.sku_id"),
           soci::use(user_id));
      for (const soci::row& r : rows) {
        CartLine l;
        l.sku_id = RowInt(r, 0);
        l.quantity = RowInt(r, 1);
        l.sku = ReadSku(r, 2);
        l.spu_name = RowString(r, 2 + kSkuColumnCount);
        l.available = RowBool(r, 3 + kSkuColumnCount) && l.sku.for_sale &&
                      l.sku.stock >= l.quantity;
        out.push_back(std::move(l));
      }
      return absl::OkStatus();
    }));
    return out;
  }

 private:
  Database* const db_;
};

}  // namespace

std::unique_ptr<CatalogRepository> NewSqlCatalogRepository(Database* db) {
  return std::make_unique<SqlCatalogRepository>(db);
}
std::unique_ptr<CouponRepository> NewSqlCouponRepository(Database* db) {
  return std::make_unique<SqlCouponRepository>(db);
}
std::unique_ptr<CartRepository> NewSqlCartRepository(Database* db) {
  return std::make_unique<SqlCartRepository>(db);
}

namespace {

class SqlStockPort : public StockPort {
 public:
  absl::StatusOr<std::optional<SkuForOrder>> Load(Tx& tx,
                                                  int64_t sku_id) override {
    soci::session& sql = SessionOf(tx);
    soci::row r;
    sql << absl::StrCat("SELECT ", SkuColumns("k"),
                        ", p.category_id, p.name, p.shipping_cents, "
                        "p.for_sale, p.deleted FROM skus k JOIN spus p ON "
                        "p.id = k.spu_id WHERE k.id = :i"),
        soci::use(sku_id), soci::into(r);
    if (!sql.got_data()) return std::optional<SkuForOrder>();
    SkuForOrder s;
    s.sku = ReadSku(r);
    constexpr int o = kSkuColumnCount;
    s.category_id = RowInt(r, o);
    s.spu_name = RowString(r, o + 1);
    s.shipping_cents = RowInt(r, o + 2);
    s.for_sale = RowBool(r, o + 3) && s.sku.for_sale;
    s.deleted = RowBool(r, o + 4) || s.sku.deleted;
    return std::optional<SkuForOrder>(std::move(s));
  }

  absl::StatusOr<bool> Reserve(Tx& tx, int64_t sku_id,
                               int64_t quantity) override {
    return ExecAffected(SessionOf(tx),
                        "UPDATE skus SET stock = stock - :q, sold = sold + "
                        ":q2 WHERE id = :i AND stock >= :q3",
                        quantity, quantity, sku_id, quantity) == 1;
  }

  absl::Status Release(Tx& tx, int64_t sku_id, int64_t quantity) override {
    SessionOf(tx) << "UPDATE skus SET stock = stock + :q, sold = sold - :q2 "
                     "WHERE id = :i",
        soci::use(quantity), soci::use(quantity), soci::use(sku_id);
    return absl::OkStatus();
  }
};

class SqlCouponWalletPort : public CouponWalletPort {
 public:
  absl::StatusOr<std::vector<std::pair<UserCoupon, Coupon>>> Load(
      Tx& tx, int64_t user_id) override {
    return LoadWallet(SessionOf(tx), user_id);
  }

  absl::StatusOr<bool> Use(Tx& tx, int64_t user_coupon_id, int64_t user_id,
                           int64_t order_id, absl::Time now) override {
    const int64_t now_ms = ToMillis(now);
    return ExecAffected(
               SessionOf(tx),
               "UPDATE user_coupons SET used_order_id = :o WHERE id = :i AND "
               "user_id = :u AND used_order_id = 0 AND expires_at_ms > :n",
               order_id, user_coupon_id, user_id, now_ms) == 1;
  }

  absl::Status Return(Tx& tx, int64_t user_coupon_id,
                      int64_t order_id) override {
    SessionOf(tx) << "UPDATE user_coupons SET used_order_id = 0 WHERE id = :i "
                     "AND used_order_id = :o",
        soci::use(user_coupon_id), soci::use(order_id);
    return absl::OkStatus();
  }
};

class SqlCartLinesPort : public CartLinesPort {
 public:
  absl::Status Remove(Tx& tx, int64_t user_id,
                      const std::vector<int64_t>& sku_ids) override {
    RemoveFromCart(SessionOf(tx), user_id, sku_ids);
    return absl::OkStatus();
  }
};

}  // namespace

std::unique_ptr<StockPort> NewSqlStockPort() {
  return std::make_unique<SqlStockPort>();
}
std::unique_ptr<CouponWalletPort> NewSqlCouponWalletPort() {
  return std::make_unique<SqlCouponWalletPort>();
}
std::unique_ptr<CartLinesPort> NewSqlCartLinesPort() {
  return std::make_unique<SqlCartLinesPort>();
}

}  // namespace tokkit::commerce
