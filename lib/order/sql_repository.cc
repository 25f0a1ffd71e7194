#include "lib/order/sql_repository.h"

#include <soci/soci.h>

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/commerce/pricing.h"
#include "lib/core/cursor.h"
#include "lib/core/status_macros.h"
#include "lib/order/ledger.h"
#include "lib/order/pricing.h"
#include "lib/store/events/outbox.h"
#include "lib/store/sql/sql_tx.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit::order {

const std::vector<Migration>& OrderMigrations() {
  static const auto* migrations = new std::vector<Migration>{
      {1, "orders, payments, refunds, ledger",
       R"sql(
CREATE TABLE orders (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  status SMALLINT NOT NULL,
  idempotency_key VARCHAR(64) NOT NULL,
  items_total_cents BIGINT NOT NULL,
  discount_cents BIGINT NOT NULL,
  shipping_cents BIGINT NOT NULL,
  total_cents BIGINT NOT NULL,
  user_coupon_id BIGINT NOT NULL DEFAULT 0,
  address VARCHAR(4000) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX orders_idempotency_uq ON orders (user_id, idempotency_key);
CREATE INDEX orders_user_idx ON orders (user_id, id);
CREATE INDEX orders_merchant_idx ON orders (merchant_id, id);
CREATE INDEX orders_expiry_idx ON orders (status, expires_at_ms);
CREATE TABLE order_items (
  order_id BIGINT NOT NULL,
  sku_id BIGINT NOT NULL,
  spu_id BIGINT NOT NULL,
  name VARCHAR(400) NOT NULL,
  attributes VARCHAR(500) NOT NULL,
  unit_price_cents BIGINT NOT NULL,
  price_version BIGINT NOT NULL,
  quantity BIGINT NOT NULL,
  PRIMARY KEY (order_id, sku_id)
);
CREATE TABLE payment_tokens (
  token_hash VARCHAR(64) PRIMARY KEY,
  order_id BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  used_at_ms BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE payments (
  id BIGINT PRIMARY KEY,
  order_id BIGINT NOT NULL,
  amount_cents BIGINT NOT NULL,
  status SMALLINT NOT NULL,
  provider_ref VARCHAR(200) NOT NULL DEFAULT '',
  created_at_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX payments_order_uq ON payments (order_id);
CREATE TABLE refunds (
  order_id BIGINT PRIMARY KEY,
  reason VARCHAR(2000) NOT NULL,
  status SMALLINT NOT NULL,
  restock SMALLINT NOT NULL DEFAULT 0,
  reviewer_id BIGINT NOT NULL DEFAULT 0,
  requested_at_ms BIGINT NOT NULL,
  reviewed_at_ms BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE ledger_entries (
  order_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  account VARCHAR(100) NOT NULL,
  amount_cents BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (order_id, kind, account)
);
CREATE TABLE ledger_balances (
  account VARCHAR(100) PRIMARY KEY,
  balance_cents BIGINT NOT NULL
);
)sql"},
      {2, "refunds and voids resumable at the provider",
       R"sql(
ALTER TABLE refunds ADD COLUMN refund_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN next_attempt_at_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN last_error VARCHAR(500) NOT NULL DEFAULT '';
CREATE INDEX refunds_due_idx ON refunds (status, next_attempt_at_ms);
ALTER TABLE payments ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN next_attempt_at_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN last_error VARCHAR(500) NOT NULL DEFAULT '';
CREATE INDEX payments_due_idx ON payments (status, next_attempt_at_ms);
)sql"},
      {3, "orders hidden by their buyer; the ledger by account",
       R"sql(
ALTER TABLE orders ADD COLUMN buyer_hidden SMALLINT NOT NULL DEFAULT 0;
CREATE INDEX ledger_entries_account_idx ON ledger_entries (account, order_id);
)sql"},
      {4, "multi-merchant checkouts paid with one charge; platform coupons",
       R"sql(
CREATE TABLE checkouts (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  idempotency_key VARCHAR(64) NOT NULL,
  total_cents BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX checkouts_idempotency_uq ON checkouts (user_id, idempotency_key);
ALTER TABLE orders ADD COLUMN checkout_id BIGINT NOT NULL DEFAULT 0;
CREATE INDEX orders_checkout_idx ON orders (checkout_id);
ALTER TABLE payment_tokens ADD COLUMN checkout_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN charge_key VARCHAR(100) NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN platform_user_coupon_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN platform_discount_cents BIGINT NOT NULL DEFAULT 0;
)sql"},
  };
  return *migrations;
}

namespace {

constexpr char kOrderColumns[] =
    "id, user_id, merchant_id, status, idempotency_key, items_total_cents, "
    "discount_cents, shipping_cents, total_cents, user_coupon_id, address, "
    "created_at_ms, expires_at_ms, updated_at_ms, checkout_id, "
    "platform_user_coupon_id, platform_discount_cents";

std::string EncodeAddress(const ShippingAddress& a) {
  return Cursor()
      .Add(a.recipient)
      .Add(a.phone)
      .Add(a.line1)
      .Add(a.line2)
      .Add(a.city)
      .Add(a.region)
      .Add(a.postal_code)
      .Add(a.country_code)
      .Encode();
}

ShippingAddress DecodeAddress(const std::string& text) {
  ShippingAddress a;
  absl::StatusOr<Cursor> c = Cursor::Decode(text);
  if (!c.ok() || c->size() != 8) return a;
  std::string* fields[] = {&a.recipient,   &a.phone,       &a.line1,
                           &a.line2,       &a.city,        &a.region,
                           &a.postal_code, &a.country_code};
  for (size_t i = 0; i < 8; ++i) *fields[i] = c->StringAt(i).value_or("");
  return a;
}

// The statuses IsClosed accepts, as SQL integers.
std::string ClosedStatusList() {
  std::vector<int> closed;
  for (int s = 1; s <= static_cast<int>(OrderStatus::kRefunding); ++s) {
    if (IsClosed(static_cast<OrderStatus>(s))) closed.push_back(s);
  }
  return absl::StrJoin(closed, ", ");
}

Order ReadOrder(const soci::row& r) {
  Order o;
  o.id = RowInt(r, 0);
  o.user_id = RowInt(r, 1);
  o.merchant_id = RowInt(r, 2);
  o.status = static_cast<OrderStatus>(RowInt(r, 3));
  o.idempotency_key = RowString(r, 4);
  o.items_total_cents = RowInt(r, 5);
  o.discount_cents = RowInt(r, 6);
  o.shipping_cents = RowInt(r, 7);
  o.total_cents = RowInt(r, 8);
  o.user_coupon_id = RowInt(r, 9);
  o.address = DecodeAddress(RowString(r, 10));
  o.created_at = FromMillis(RowInt(r, 11));
  o.expires_at = FromMillis(RowInt(r, 12));
  o.updated_at = FromMillis(RowInt(r, 13));
  o.checkout_id = RowInt(r, 14);
  o.platform_user_coupon_id = RowInt(r, 15);
  o.platform_discount_cents = RowInt(r, 16);
  return o;
}

void LoadItems(soci::session& sql, Order* o) {
  soci::rowset<soci::row> rows =
      (sql.prepare
           << "SELECT sku_id, spu_id, name, attributes, unit_price_cents, "
              "price_version, quantity FROM order_items WHERE order_id = :o "
              "ORDER BY sku_id",
       soci::use(o->id));
  for (const soci::row& r : rows) {
    o->items.push_back({RowInt(r, 0), RowInt(r, 1), RowString(r, 2),
                        RowString(r, 3), RowInt(r, 4), RowInt(r, 5),
                        RowInt(r, 6)});
  }
}

std::optional<Order> FindOn(soci::session& sql, const std::string& where,
                            int64_t a, const std::string* b = nullptr) {
  soci::row r;
  if (b == nullptr) {
    sql << absl::StrCat("SELECT ", kOrderColumns, " FROM orders WHERE ", where),
        soci::use(a), soci::into(r);
  } else {
    sql << absl::StrCat("SELECT ", kOrderColumns, " FROM orders WHERE ", where),
        soci::use(a), soci::use(*b), soci::into(r);
  }
  if (!sql.got_data()) return std::nullopt;
  Order o = ReadOrder(r);
  LoadItems(sql, &o);
  return o;
}

Payment ReadPayment(const soci::row& r) {
  Payment p;
  p.id = RowInt(r, 0);
  p.order_id = RowInt(r, 1);
  p.amount_cents = RowInt(r, 2);
  p.status = static_cast<PaymentStatus>(RowInt(r, 3));
  p.provider_ref = RowString(r, 4);
  p.created_at = FromMillis(RowInt(r, 5));
  p.attempts = static_cast<int>(RowInt(r, 6));
  p.last_error = RowString(r, 7);
  p.charge_key = RowString(r, 8);
  // Payments from before checkouts were charged under their own id.
  if (p.charge_key.empty()) p.charge_key = ChargeKey(p.id);
  return p;
}

// Error text kept for operators is bounded to its column.
std::string Truncated(const std::string& text) {
  return text.size() <= 500 ? text : text.substr(0, 500);
}

std::optional<Payment> PaymentOn(soci::session& sql, const char* where,
                                 int64_t key) {
  soci::row r;
  sql << absl::StrCat(
      "SELECT id, order_id, amount_cents, status, provider_ref, "
      "created_at_ms, attempts, last_error, charge_key FROM payments WHERE ",
      where),
      soci::use(key), soci::into(r);
  if (!sql.got_data()) return std::nullopt;
  return ReadPayment(r);
}

// Stores the postings lib/order/ledger.h decides for a money movement, and
// keeps each account's balance beside them.
void Post(soci::session& sql, const Order& order, MoneyMovement movement,
          int64_t amount_cents, absl::Time now) {
  const int64_t ms = ToMillis(now);
  const std::string kind(MovementKind(movement));
  for (const Posting& posting :
       PostingsFor(movement, order.merchant_id, amount_cents,
                   order.platform_discount_cents)) {
    sql << "INSERT INTO ledger_entries (order_id, kind, account, "
           "amount_cents, created_at_ms) VALUES (:o, :k, :a, :m, :t)",
        soci::use(order.id), soci::use(kind), soci::use(posting.account),
        soci::use(posting.amount_cents), soci::use(ms);
    sql << Upsert(
        sql, "ledger_balances (account, balance_cents) VALUES (:a, :m)",
        "account", "balance_cents = ledger_balances.balance_cents + :m2"),
        soci::use(posting.account), soci::use(posting.amount_cents),
        soci::use(posting.amount_cents);
  }
}

// Uses a single-use payment token: false if it was used or expired.
bool UseToken(soci::session& sql, const std::string& token_hash,
              int64_t now_ms) {
  return ExecAffected(sql,
                      "UPDATE payment_tokens SET used_at_ms = :n WHERE "
                      "token_hash = :h AND used_at_ms = 0 AND "
                      "expires_at_ms > :n2",
                      now_ms, token_hash, now_ms) == 1;
}

// Read again after a lost UseToken: the winner may have committed after
// the first read, and a duplicate gets the payment that one made.
bool TokenWasUsed(soci::session& sql, const std::string& token_hash) {
  soci::row r;
  sql << "SELECT used_at_ms FROM payment_tokens WHERE token_hash = :h",
      soci::use(token_hash), soci::into(r);
  return sql.got_data() && RowInt(r, 0) != 0;
}

void InsertPayment(soci::session& sql, const Payment& p) {
  const int status = static_cast<int>(p.status);
  const int64_t created = ToMillis(p.created_at);
  sql << "INSERT INTO payments (id, order_id, amount_cents, status, "
         "provider_ref, created_at_ms, charge_key) VALUES (:i, :o, :a, :s, "
         "'', :t, :k)",
      soci::use(p.id), soci::use(p.order_id), soci::use(p.amount_cents),
      soci::use(status), soci::use(created), soci::use(p.charge_key);
}

bool SetStatus(soci::session& sql, int64_t order_id, OrderStatus from,
               OrderStatus to, absl::Time now) {
  const int f = static_cast<int>(from), t = static_cast<int>(to);
  const int64_t ms = ToMillis(now);
  return ExecAffected(
             sql,
             "UPDATE orders SET status = :t, updated_at_ms = :n WHERE id = :i "
             "AND status = :f",
             t, ms, order_id, f) == 1;
}

class SqlOrderRepository : public OrderRepository {
 public:
  SqlOrderRepository(Database* db, const CommercePorts& commerce)
      : db_(db), tx_(NewSqlTxRunner(db)), commerce_(commerce) {}

  absl::StatusOr<std::pair<Order, bool>> Create(OrderDraft d) override {
    Order& o = d.order;
    std::optional<Order> existing;
    // One unit of work: this adapter's tables and commerce's ports (stock,
    // coupon wallet, cart lines) commit together or not at all.
    absl::Status st = tx_->Run([&](Tx& tx) -> absl::Status {
      existing = FindOn(SessionOf(tx), "user_id = :u AND idempotency_key = :k",
                        o.user_id, &o.idempotency_key);
      if (existing)
        return absl::OkStatus();  // a retry: same order, no new effects
      return CreateOn(tx, d);
    });
    if (IsUniqueViolation(st)) {
      // A concurrent request with the same key won the insert.
      absl::StatusOr<Order> winner =
          FindByIdempotencyKey(o.user_id, o.idempotency_key);
      if (winner.ok()) return std::make_pair(*winner, false);
    }
    RETURN_IF_ERROR(st);
    if (existing) return std::make_pair(*existing, false);
    return std::make_pair(o, true);
  }

  absl::StatusOr<std::pair<Checkout, bool>> CreateCheckout(
      CheckoutDraft d) override {
    Checkout& c = d.checkout;
    std::optional<Checkout> existing;
    absl::Status st = tx_->Run([&](Tx& tx) -> absl::Status {
      soci::session& sql = SessionOf(tx);
      existing = CheckoutOn(sql, "user_id = :u AND idempotency_key = :k",
                            c.user_id, &c.idempotency_key);
      if (existing) return absl::OkStatus();  // a retry
      c.total_cents = 0;
      c.orders.clear();
      // Any order that cannot be made (a shop sold out, a deleted SKU)
      // rolls back every other one.
      for (OrderDraft& order : d.orders) {
        RETURN_IF_ERROR(CreateOn(tx, order));
        c.total_cents += order.order.total_cents;
        c.orders.push_back(order.order);
      }
      const int64_t created = ToMillis(c.created_at);
      sql << "INSERT INTO checkouts (id, user_id, idempotency_key, "
             "total_cents, created_at_ms) VALUES (:i, :u, :k, :t, :c)",
          soci::use(c.id), soci::use(c.user_id), soci::use(c.idempotency_key),
          soci::use(c.total_cents), soci::use(created);
      return absl::OkStatus();
    });
    if (IsUniqueViolation(st)) {
      absl::StatusOr<Checkout> winner =
          FindCheckoutByKey(c.user_id, c.idempotency_key);
      if (winner.ok()) return std::make_pair(*winner, false);
    }
    RETURN_IF_ERROR(st);
    if (existing) return std::make_pair(*existing, false);
    return std::make_pair(c, true);
  }

  absl::StatusOr<Checkout> FindCheckout(int64_t checkout_id) override {
    std::optional<Checkout> c;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      c = CheckoutOn(sql, "id = :i", checkout_id);
      return absl::OkStatus();
    }));
    if (!c) return absl::NotFoundError("checkout not found");
    return *c;
  }

  absl::StatusOr<Checkout> FindCheckoutByKey(int64_t user_id,
                                             const std::string& key) override {
    std::optional<Checkout> c;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      c = CheckoutOn(sql, "user_id = :u AND idempotency_key = :k", user_id,
                     &key);
      return absl::OkStatus();
    }));
    if (!c) return absl::NotFoundError("no checkout under that key");
    return *c;
  }

  absl::StatusOr<Order> Find(int64_t id) override {
    std::optional<Order> o;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      o = FindOn(sql, "id = :i", id);
      return absl::OkStatus();
    }));
    if (!o) return absl::NotFoundError("order not found");
    return *o;
  }

  absl::StatusOr<std::vector<Order>> ListByUser(int64_t user_id, int64_t before,
                                                int limit) override {
    return List("user_id", user_id, before, limit, " AND buyer_hidden = 0");
  }

  absl::StatusOr<bool> HideFromBuyer(int64_t user_id,
                                     int64_t order_id) override {
    bool hidden = false;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) {
      // The status rule (IsClosed) decided by the caller is re-checked here
      // in the condition, so an order reopened meanwhile is not hidden.
      hidden =
          ExecAffected(sql,
                       absl::StrCat("UPDATE orders SET buyer_hidden = 1 WHERE "
                                    "id = :i AND user_id = :u AND "
                                    "buyer_hidden = 0 AND status IN (",
                                    ClosedStatusList(), ")"),
                       order_id, user_id) == 1;
      return absl::OkStatus();
    }));
    return hidden;
  }

  absl::StatusOr<std::vector<Order>> ListByMerchant(int64_t merchant_id,
                                                    int64_t before,
                                                    int limit) override {
    return List("merchant_id", merchant_id, before, limit);
  }

  absl::StatusOr<bool> CloseUnpaid(int64_t order_id, OrderStatus to,
                                   absl::Time now,
                                   const Event& event) override {
    bool closed = false;
    RETURN_IF_ERROR(tx_->Run([&](Tx& tx) -> absl::Status {
      soci::session& sql = SessionOf(tx);
      closed = SetStatus(sql, order_id, OrderStatus::kPendingPayment, to, now);
      if (!closed) return absl::OkStatus();
      // Only the winner of the status change releases: exactly once.
      std::optional<Order> o = FindOn(sql, "id = :i", order_id);
      for (const OrderItem& item : o->items) {
        RETURN_IF_ERROR(
            commerce_.stock->Release(tx, item.sku_id, item.quantity));
      }
      for (int64_t coupon : {o->user_coupon_id, o->platform_user_coupon_id}) {
        if (coupon != 0) {
          RETURN_IF_ERROR(commerce_.coupons->Return(tx, coupon, o->id));
        }
      }
      // A charge may be in flight (or made by a Pay that died before it
      // could record it): whatever was charged is owed back.
      const int voiding = static_cast<int>(PaymentStatus::kVoiding);
      const int pending = static_cast<int>(PaymentStatus::kPending);
      const int64_t now_ms = ToMillis(now);
      sql << "UPDATE payments SET status = :v, next_attempt_at_ms = :n "
             "WHERE order_id = :o AND status = :p",
          soci::use(voiding), soci::use(now_ms), soci::use(order_id),
          soci::use(pending);
      if (to == OrderStatus::kExpired) AppendToOutbox(sql, event);
      return absl::OkStatus();
    }));
    return closed;
  }

  absl::StatusOr<bool> Transition(int64_t order_id, OrderStatus from,
                                  OrderStatus to, absl::Time now) override {
    bool changed = false;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      changed = SetStatus(sql, order_id, from, to, now);
      return absl::OkStatus();
    }));
    return changed;
  }

  absl::Status UpdateAddress(int64_t order_id, const ShippingAddress& address,
                             absl::Time now) override {
    return db_->Run([&](soci::session& sql) -> absl::Status {
      const std::string a = EncodeAddress(address);
      const int64_t ms = ToMillis(now);
      const int pending = static_cast<int>(OrderStatus::kPendingPayment);
      const int paid = static_cast<int>(OrderStatus::kPaid);
      if (ExecAffected(sql,
                       "UPDATE orders SET address = :a, updated_at_ms = :n "
                       "WHERE id = :i "
                       "AND status IN (:p1, :p2)",
                       a, ms, order_id, pending, paid) != 1) {
        return absl::FailedPreconditionError(
            "the address can change only before shipping");
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<int64_t>> DueForExpiry(absl::Time now,
                                                    int limit) override {
    std::vector<int64_t> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      const int pending = static_cast<int>(OrderStatus::kPendingPayment);
      const int64_t ms = ToMillis(now);
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT id FROM orders WHERE status = :s AND "
                          "expires_at_ms <= :n "
                          "ORDER BY expires_at_ms LIMIT :l",
           soci::use(pending), soci::use(ms), soci::use(limit));
      for (const soci::row& r : rows) out.push_back(RowInt(r, 0));
      return absl::OkStatus();
    }));
    return out;
  }

  absl::Status AddPaymentToken(int64_t order_id, const std::string& token_hash,
                               absl::Time expires_at) override {
    return db_->Run([&](soci::session& sql) {
      const int64_t e = ToMillis(expires_at);
      sql << "INSERT INTO payment_tokens (token_hash, order_id, expires_at_ms, "
             "used_at_ms) "
             "VALUES (:h, :o, :e, 0)",
          soci::use(token_hash), soci::use(order_id), soci::use(e);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<TokenClaim> ClaimPaymentToken(const std::string& token_hash,
                                               int64_t user_id,
                                               int64_t new_payment_id,
                                               absl::Time now) override {
    TokenClaim claim;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) -> absl::Status {
      soci::row r;
      sql << "SELECT order_id, expires_at_ms, used_at_ms FROM payment_tokens "
             "WHERE "
             "token_hash = :h",
          soci::use(token_hash), soci::into(r);
      if (!sql.got_data()) return absl::NotFoundError("unknown payment token");
      const int64_t order_id = RowInt(r, 0);
      std::optional<Order> owner = FindOn(sql, "id = :i", order_id);
      if (!owner || owner->user_id != user_id) {
        return absl::NotFoundError("unknown payment token");  // and not burned
      }
      if (owner->checkout_id != 0) {
        return absl::FailedPreconditionError(
            "this order is paid with its checkout");
      }
      const int64_t now_ms = ToMillis(now);
      std::optional<Payment> existing =
          PaymentOn(sql, "order_id = :o", order_id);
      const bool claimed = UseToken(sql, token_hash, now_ms);
      if (!claimed) {
        // Used before: a duplicate checkout gets the payment it made. Read
        // again: the winner may have committed after our first read.
        existing = PaymentOn(sql, "order_id = :o", order_id);
        if (TokenWasUsed(sql, token_hash) && existing) {
          claim.payment = *existing;
          claim.duplicate = true;
          return absl::OkStatus();
        }
        return absl::FailedPreconditionError(
            "payment token expired or already used");
      }
      std::optional<Order> o = FindOn(sql, "id = :i", order_id);
      if (o->status != OrderStatus::kPendingPayment) {
        return absl::FailedPreconditionError(absl::StrCat(
            "order is ", StatusName(o->status), ", not awaiting payment"));
      }
      if (existing) {
        // An earlier attempt whose charge failed: retry it under the same
        // provider key, so it can never be charged twice.
        claim.payment = *existing;
        return absl::OkStatus();
      }
      claim.payment = {new_payment_id,          order_id, o->total_cents,
                       PaymentStatus::kPending, "",       now};
      claim.payment.charge_key = ChargeKey(new_payment_id);
      InsertPayment(sql, claim.payment);
      return absl::OkStatus();
    }));
    return claim;
  }

  absl::Status AddCheckoutPaymentToken(int64_t checkout_id,
                                       const std::string& token_hash,
                                       absl::Time expires_at) override {
    return db_->Run([&](soci::session& sql) {
      const int64_t e = ToMillis(expires_at);
      sql << "INSERT INTO payment_tokens (token_hash, order_id, checkout_id, "
             "expires_at_ms, used_at_ms) VALUES (:h, 0, :c, :e, 0)",
          soci::use(token_hash), soci::use(checkout_id), soci::use(e);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<CheckoutClaim> ClaimCheckoutToken(
      const std::string& token_hash, int64_t user_id,
      const std::vector<int64_t>& new_payment_ids, absl::Time now) override {
    CheckoutClaim claim;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) -> absl::Status {
      soci::row r;
      sql << "SELECT checkout_id FROM payment_tokens WHERE token_hash = :h",
          soci::use(token_hash), soci::into(r);
      const int64_t checkout_id = sql.got_data() ? RowInt(r, 0) : 0;
      std::optional<Checkout> c = checkout_id == 0
                                      ? std::nullopt
                                      : CheckoutOn(sql, "id = :i", checkout_id);
      if (!c || c->user_id != user_id) {
        return absl::NotFoundError("unknown payment token");  // not burned
      }
      const std::string key = CheckoutChargeKey(checkout_id);
      auto existing_payments = [&] {
        std::vector<Payment> out;
        for (const Order& o : c->orders) {
          if (std::optional<Payment> p =
                  PaymentOn(sql, "order_id = :o", o.id)) {
            out.push_back(*std::move(p));
          }
        }
        return out;
      };
      const int64_t now_ms = ToMillis(now);
      const bool claimed = UseToken(sql, token_hash, now_ms);
      if (!claimed) {
        claim.payments = existing_payments();
        if (TokenWasUsed(sql, token_hash) && !claim.payments.empty()) {
          claim.duplicate = true;
          return absl::OkStatus();
        }
        return absl::FailedPreconditionError(
            "payment token expired or already used");
      }
      // The charge covers every order, so every order must still await it
      // (an order of a checkout is never paid or cancelled alone).
      for (const Order& o : c->orders) {
        if (o.status != OrderStatus::kPendingPayment) {
          return absl::FailedPreconditionError(
              absl::StrCat("order ", o.id, " is ", StatusName(o.status),
                           ", not awaiting payment"));
        }
      }
      claim.payments = existing_payments();
      if (!claim.payments.empty()) {
        // An earlier attempt whose charge failed: retry it under the same
        // provider key and amount, so it can never be charged twice.
        return absl::OkStatus();
      }
      if (new_payment_ids.size() < c->orders.size()) {
        return absl::InvalidArgumentError("one payment id per order");
      }
      for (size_t i = 0; i < c->orders.size(); ++i) {
        Payment p{new_payment_ids[i],
                  c->orders[i].id,
                  c->orders[i].total_cents,
                  PaymentStatus::kPending,
                  "",
                  now};
        p.charge_key = key;
        InsertPayment(sql, p);
        claim.payments.push_back(std::move(p));
      }
      return absl::OkStatus();
    }));
    return claim;
  }

  absl::StatusOr<bool> CompletePayment(int64_t payment_id,
                                       const std::string& provider_ref,
                                       absl::Time now,
                                       const Event& event) override {
    bool paid = false;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) -> absl::Status {
      std::optional<Payment> p = PaymentOn(sql, "id = :i", payment_id);
      if (!p) return absl::NotFoundError("payment not found");
      // Claim the payment row first: of two concurrent completions of one
      // payment (duplicate checkouts), exactly one proceeds.
      const int succeeded = static_cast<int>(PaymentStatus::kSucceeded);
      const int pending = static_cast<int>(PaymentStatus::kPending);
      if (ExecAffected(sql,
                       "UPDATE payments SET status = :s, provider_ref = :r "
                       "WHERE id = :i "
                       "AND status = :p",
                       succeeded, provider_ref, payment_id, pending) != 1) {
        std::optional<Payment> now_p = PaymentOn(sql, "id = :i", payment_id);
        paid = now_p && now_p->status == PaymentStatus::kSucceeded;
        return absl::OkStatus();
      }
      paid = SetStatus(sql, p->order_id, OrderStatus::kPendingPayment,
                       OrderStatus::kPaid, now);
      if (!paid) {
        // Charged, but the order closed meanwhile: the charge is owed back.
        const int voiding = static_cast<int>(PaymentStatus::kVoiding);
        const int64_t now_ms = ToMillis(now);
        sql << "UPDATE payments SET status = :s, next_attempt_at_ms = :n "
               "WHERE id = :i",
            soci::use(voiding), soci::use(now_ms), soci::use(payment_id);
        return absl::OkStatus();
      }
      std::optional<Order> o = FindOn(sql, "id = :i", p->order_id);
      Post(sql, *o, MoneyMovement::kPayment, p->amount_cents, now);
      AppendToOutbox(sql, event);
      return absl::OkStatus();
    }));
    return paid;
  }

  absl::StatusOr<Payment> PaymentOf(int64_t order_id) override {
    std::optional<Payment> p;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      p = PaymentOn(sql, "order_id = :o", order_id);
      return absl::OkStatus();
    }));
    if (!p) return absl::NotFoundError("no payment for this order");
    return *p;
  }

  absl::Status RequestRefund(int64_t order_id, const std::string& reason,
                             absl::Time now) override {
    return db_->Transact([&](soci::session& sql) -> absl::Status {
      if (!SetStatus(sql, order_id, OrderStatus::kPaid,
                     OrderStatus::kRefundRequested, now)) {
        return absl::FailedPreconditionError(
            "only a paid, unshipped order can be refunded");
      }
      const int status = static_cast<int>(RefundStatus::kRequested);
      const int64_t ms = ToMillis(now);
      // A rejected request may be followed by a new one.
      sql << "DELETE FROM refunds WHERE order_id = :o", soci::use(order_id);
      sql << "INSERT INTO refunds (order_id, reason, status, requested_at_ms) "
             "VALUES "
             "(:o, :r, :s, :t)",
          soci::use(order_id), soci::use(reason), soci::use(status),
          soci::use(ms);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<Refund> FindRefund(int64_t order_id) override {
    std::optional<Refund> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << "SELECT order_id, refund_id, reason, status, restock, "
             "reviewer_id, requested_at_ms, attempts, last_error "
             "FROM refunds WHERE order_id = :o",
          soci::use(order_id), soci::into(r);
      if (sql.got_data()) {
        Refund f;
        f.order_id = RowInt(r, 0);
        f.refund_id = RowInt(r, 1);
        f.reason = RowString(r, 2);
        f.status = static_cast<RefundStatus>(RowInt(r, 3));
        f.restock = RowBool(r, 4);
        f.reviewer_id = RowInt(r, 5);
        f.requested_at = FromMillis(RowInt(r, 6));
        f.attempts = static_cast<int>(RowInt(r, 7));
        f.last_error = RowString(r, 8);
        out = std::move(f);
      }
      return absl::OkStatus();
    }));
    if (!out) return absl::NotFoundError("no refund request for this order");
    return *out;
  }

  absl::StatusOr<bool> BeginRefund(int64_t order_id, int64_t refund_id,
                                   int64_t reviewer_id, bool restock,
                                   absl::Time now) override {
    bool begun = false;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) -> absl::Status {
      begun = SetStatus(sql, order_id, OrderStatus::kRefundRequested,
                        OrderStatus::kRefunding, now);
      if (!begun) return absl::OkStatus();
      const int refunding = static_cast<int>(RefundStatus::kRefunding);
      const int r = restock ? 1 : 0;
      const int64_t ms = ToMillis(now);
      sql << "UPDATE refunds SET status = :s, refund_id = :f, restock = :r, "
             "reviewer_id = :v, reviewed_at_ms = :t, next_attempt_at_ms = :n "
             "WHERE order_id = :o",
          soci::use(refunding), soci::use(refund_id), soci::use(r),
          soci::use(reviewer_id), soci::use(ms), soci::use(ms),
          soci::use(order_id);
      return absl::OkStatus();
    }));
    return begun;
  }

  absl::StatusOr<bool> CompleteRefund(int64_t order_id, absl::Time now,
                                      const Event& event) override {
    bool done = false;
    RETURN_IF_ERROR(tx_->Run([&](Tx& tx) -> absl::Status {
      soci::session& sql = SessionOf(tx);
      done = SetStatus(sql, order_id, OrderStatus::kRefunding,
                       OrderStatus::kRefunded, now);
      if (!done) return absl::OkStatus();  // finished by someone else
      std::optional<Order> o = FindOn(sql, "id = :i", order_id);
      std::optional<Payment> p = PaymentOn(sql, "order_id = :o", order_id);
      soci::row refund;
      sql << "SELECT restock FROM refunds WHERE order_id = :o",
          soci::use(order_id), soci::into(refund);
      const bool restock = RowBool(refund, 0);
      const int approved = static_cast<int>(RefundStatus::kApproved);
      sql << "UPDATE refunds SET status = :s, last_error = '' "
             "WHERE order_id = :o",
          soci::use(approved), soci::use(order_id);
      const int refunded = static_cast<int>(PaymentStatus::kRefunded);
      sql << "UPDATE payments SET status = :s WHERE id = :i",
          soci::use(refunded), soci::use(p->id);
      Post(sql, *o, MoneyMovement::kRefund, p->amount_cents, now);
      if (restock) {
        for (const OrderItem& item : o->items) {
          RETURN_IF_ERROR(
              commerce_.stock->Release(tx, item.sku_id, item.quantity));
        }
      }
      AppendToOutbox(sql, event);
      return absl::OkStatus();
    }));
    return done;
  }

  absl::Status RecordRefundFailure(int64_t order_id, const std::string& error,
                                   absl::Time next_attempt) override {
    return db_->Run([&](soci::session& sql) {
      const int64_t next = ToMillis(next_attempt);
      const std::string e = Truncated(error);
      const int refunding = static_cast<int>(RefundStatus::kRefunding);
      sql << "UPDATE refunds SET attempts = attempts + 1, last_error = :e, "
             "next_attempt_at_ms = :n WHERE order_id = :o AND status = :s",
          soci::use(e), soci::use(next), soci::use(order_id),
          soci::use(refunding);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<int64_t>> RefundsDue(absl::Time now,
                                                  int limit) override {
    std::vector<int64_t> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      const int refunding = static_cast<int>(RefundStatus::kRefunding);
      const int64_t ms = ToMillis(now);
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT order_id FROM refunds WHERE status = :s AND "
                          "next_attempt_at_ms <= :n "
                          "ORDER BY next_attempt_at_ms LIMIT :l",
           soci::use(refunding), soci::use(ms), soci::use(limit));
      for (const soci::row& r : rows) out.push_back(RowInt(r, 0));
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<std::vector<Payment>> VoidsDue(absl::Time now,
                                                int limit) override {
    std::vector<Payment> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      const int voiding = static_cast<int>(PaymentStatus::kVoiding);
      const int64_t ms = ToMillis(now);
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT id, order_id, amount_cents, status, "
                          "provider_ref, created_at_ms, attempts, last_error, "
                          "charge_key FROM payments WHERE status = :s AND "
                          "next_attempt_at_ms <= :n "
                          "ORDER BY next_attempt_at_ms LIMIT :l",
           soci::use(voiding), soci::use(ms), soci::use(limit));
      for (const soci::row& r : rows) out.push_back(ReadPayment(r));
      return absl::OkStatus();
    }));
    return out;
  }

  absl::Status CompleteVoid(int64_t payment_id) override {
    return db_->Run([&](soci::session& sql) {
      const int voided = static_cast<int>(PaymentStatus::kVoided);
      const int voiding = static_cast<int>(PaymentStatus::kVoiding);
      sql << "UPDATE payments SET status = :v, last_error = '' "
             "WHERE id = :i AND status = :s",
          soci::use(voided), soci::use(payment_id), soci::use(voiding);
      return absl::OkStatus();
    });
  }

  absl::Status RecordVoidFailure(int64_t payment_id, const std::string& error,
                                 absl::Time next_attempt) override {
    return db_->Run([&](soci::session& sql) {
      const int64_t next = ToMillis(next_attempt);
      const std::string e = Truncated(error);
      const int voiding = static_cast<int>(PaymentStatus::kVoiding);
      sql << "UPDATE payments SET attempts = attempts + 1, last_error = :e, "
             "next_attempt_at_ms = :n WHERE id = :i AND status = :s",
          soci::use(e), soci::use(next), soci::use(payment_id),
          soci::use(voiding);
      return absl::OkStatus();
    });
  }

  absl::Status RejectRefund(int64_t order_id, int64_t reviewer_id,
                            absl::Time now) override {
    return db_->Transact([&](soci::session& sql) -> absl::Status {
      if (!SetStatus(sql, order_id, OrderStatus::kRefundRequested,
                     OrderStatus::kPaid, now)) {
        return absl::FailedPreconditionError("no refund is awaiting review");
      }
      const int rejected = static_cast<int>(RefundStatus::kRejected);
      const int64_t ms = ToMillis(now);
      sql << "UPDATE refunds SET status = :s, reviewer_id = :v, reviewed_at_ms "
             "= :t "
             "WHERE order_id = :o",
          soci::use(rejected), soci::use(reviewer_id), soci::use(ms),
          soci::use(order_id);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<LedgerEntry>> LedgerEntries() override {
    std::vector<LedgerEntry> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          sql.prepare
          << "SELECT account, order_id, amount_cents, kind, created_at_ms FROM "
             "ledger_entries ORDER BY order_id, kind, account";
      for (const soci::row& r : rows) {
        out.push_back({0, RowString(r, 0), RowInt(r, 1), RowInt(r, 2),
                       RowString(r, 3), FromMillis(RowInt(r, 4))});
      }
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<std::vector<LedgerEntry>> LedgerEntriesAfter(
      const std::string& account, const LedgerKey& after, int limit) override {
    std::vector<LedgerEntry> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      FilteredQuery q(
          "SELECT account, order_id, amount_cents, kind, created_at_ms FROM "
          "ledger_entries");
      if (!account.empty()) q.Where("account = ?", account);
      // Row-value comparison (PostgreSQL, MySQL/MariaDB and SQLite all have
      // it) keeps the keyset one condition the index can range over.
      if (after.order_id != 0) {
        q.WhereInOrder("(order_id, kind, account) < (?, ?, ?)",
                       {after.order_id, after.kind, after.account});
      }
      q.Each(sql, "ORDER BY order_id DESC, kind DESC, account DESC LIMIT ?",
             limit, [&](const soci::row& r) {
               out.push_back({0, RowString(r, 0), RowInt(r, 1), RowInt(r, 2),
                              RowString(r, 3), FromMillis(RowInt(r, 4))});
             });
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<int64_t> Balance(const std::string& account) override {
    int64_t balance = 0;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::indicator ind = soci::i_null;
      sql << "SELECT balance_cents FROM ledger_balances WHERE account = :a",
          soci::use(account), soci::into(balance, ind);
      if (!sql.got_data() || ind != soci::i_ok) balance = 0;
      return absl::OkStatus();
    }));
    return balance;
  }

  absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> Balances()
      override {
    absl::flat_hash_map<std::string, int64_t> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          sql.prepare << "SELECT account, balance_cents FROM ledger_balances";
      for (const soci::row& r : rows) out[RowString(r, 0)] = RowInt(r, 1);
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<Order> FindByIdempotencyKey(int64_t user_id,
                                             const std::string& key) override {
    std::optional<Order> o;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      o = FindOn(sql, "user_id = :u AND idempotency_key = :k", user_id, &key);
      return absl::OkStatus();
    }));
    if (!o) return absl::NotFoundError("order not found");
    return *o;
  }

 private:
  // Prices, reserves, uses the coupon and inserts one order (the body of
  // Create and of each order of a checkout), inside `tx`.
  absl::Status CreateOn(Tx& tx, OrderDraft& d) {
    soci::session& sql = SessionOf(tx);
    Order& o = d.order;
    // Read, price (lib/order/pricing.h holds every rule), then the
    // conditional writes.
    std::vector<std::optional<commerce::SkuForOrder>> skus;
    skus.reserve(o.items.size());
    for (const OrderItem& item : o.items) {
      ASSIGN_OR_RETURN(std::optional<commerce::SkuForOrder> sku,
                       commerce_.stock->Load(tx, item.sku_id));
      skus.push_back(std::move(sku));
    }
    CouponWallet wallet;
    if (d.coupon_mode != CouponMode::kNone) {
      ASSIGN_OR_RETURN(wallet, commerce_.coupons->Load(tx, o.user_id));
    }
    ASSIGN_OR_RETURN(
        OrderQuote quote,
        PriceOrder(o.items, skus, d.coupon_mode, d.user_coupon_id,
                   d.platform_user_coupon_id, wallet, o.created_at));
    // The never-oversell step: a conditional decrement per line.
    for (const OrderItem& item : quote.items) {
      ASSIGN_OR_RETURN(bool reserved, commerce_.stock->Reserve(tx, item.sku_id,
                                                               item.quantity));
      if (!reserved) {
        return absl::FailedPreconditionError(
            absl::StrCat("not enough stock for ", item.name));
      }
    }
    for (int64_t coupon :
         {quote.user_coupon_id, quote.platform_user_coupon_id}) {
      if (coupon == 0) continue;
      ASSIGN_OR_RETURN(bool used, commerce_.coupons->Use(tx, coupon, o.user_id,
                                                         o.id, o.created_at));
      if (!used) {
        return absl::AbortedError("coupon was used concurrently");  // retried
      }
    }
    o.merchant_id = quote.merchant_id;
    o.items = std::move(quote.items);
    o.items_total_cents = quote.items_total_cents;
    o.shipping_cents = quote.shipping_cents;
    o.discount_cents = quote.discount_cents;
    o.user_coupon_id = quote.user_coupon_id;
    o.platform_user_coupon_id = quote.platform_user_coupon_id;
    o.platform_discount_cents = quote.platform_discount_cents;
    o.total_cents = quote.total_cents;
    o.status = OrderStatus::kPendingPayment;
    o.updated_at = o.created_at;
    const int status = static_cast<int>(o.status);
    const std::string address = EncodeAddress(o.address);
    const int64_t created = ToMillis(o.created_at),
                  expires = ToMillis(o.expires_at);
    sql << "INSERT INTO orders (id, user_id, merchant_id, status, "
           "idempotency_key, items_total_cents, discount_cents, "
           "shipping_cents, total_cents, user_coupon_id, address, "
           "created_at_ms, expires_at_ms, updated_at_ms, checkout_id, "
           "platform_user_coupon_id, platform_discount_cents) VALUES (:i, "
           ":u, :m, :s, :k, :it, :d, :sh, :t, :c, :a, :ca, :e, :ua, :co, :pc, "
           ":pd)",
        soci::use(o.id), soci::use(o.user_id), soci::use(o.merchant_id),
        soci::use(status), soci::use(o.idempotency_key),
        soci::use(o.items_total_cents), soci::use(o.discount_cents),
        soci::use(o.shipping_cents), soci::use(o.total_cents),
        soci::use(o.user_coupon_id), soci::use(address), soci::use(created),
        soci::use(expires), soci::use(created), soci::use(o.checkout_id),
        soci::use(o.platform_user_coupon_id),
        soci::use(o.platform_discount_cents);
    std::vector<int64_t> bought;
    for (const OrderItem& item : o.items) {
      sql << "INSERT INTO order_items (order_id, sku_id, spu_id, name, "
             "attributes, unit_price_cents, price_version, quantity) VALUES "
             "(:o, :s, :p, :n, :a, :u, :v, :q)",
          soci::use(o.id), soci::use(item.sku_id), soci::use(item.spu_id),
          soci::use(item.name), soci::use(item.attributes),
          soci::use(item.unit_price_cents), soci::use(item.price_version),
          soci::use(item.quantity);
      bought.push_back(item.sku_id);
    }
    if (d.remove_from_cart) {
      RETURN_IF_ERROR(commerce_.cart->Remove(tx, o.user_id, bought));
    }
    d.created_event.payload = absl::StrCat(o.total_cents);
    AppendToOutbox(sql, d.created_event);
    return absl::OkStatus();
  }

  // The checkout matching `where` (binding `a`, then `b` if given) with its
  // orders, by merchant.
  static std::optional<Checkout> CheckoutOn(soci::session& sql,
                                            const std::string& where, int64_t a,
                                            const std::string* b = nullptr) {
    soci::row r;
    const std::string q = absl::StrCat(
        "SELECT id, user_id, idempotency_key, total_cents, created_at_ms "
        "FROM checkouts WHERE ",
        where);
    if (b == nullptr) {
      sql << q, soci::use(a), soci::into(r);
    } else {
      sql << q, soci::use(a), soci::use(*b), soci::into(r);
    }
    if (!sql.got_data()) return std::nullopt;
    Checkout c;
    c.id = RowInt(r, 0);
    c.user_id = RowInt(r, 1);
    c.idempotency_key = RowString(r, 2);
    c.total_cents = RowInt(r, 3);
    c.created_at = FromMillis(RowInt(r, 4));
    std::vector<int64_t> ids;
    {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT id FROM orders WHERE checkout_id = :c "
                          "ORDER BY merchant_id",
           soci::use(c.id));
      for (const soci::row& row : rows) ids.push_back(RowInt(row, 0));
    }
    for (int64_t id : ids) {
      if (std::optional<Order> o = FindOn(sql, "id = :i", id)) {
        c.orders.push_back(*std::move(o));
      }
    }
    return c;
  }

  absl::StatusOr<std::vector<Order>> List(const char* column, int64_t who,
                                          int64_t before, int limit,
                                          const char* filter = "") {
    std::vector<Order> out;
    const int64_t bound = before > 0 ? before : INT64_MAX;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      {
        soci::rowset<soci::row> rows =
            (sql.prepare << absl::StrCat(
                 "SELECT ", kOrderColumns, " FROM orders WHERE ", column,
                 " = :w AND id < :b", filter, " ORDER BY id DESC LIMIT :n"),
             soci::use(who), soci::use(bound), soci::use(limit));
        for (const soci::row& r : rows) out.push_back(ReadOrder(r));
      }
      for (Order& o : out) LoadItems(sql, &o);
      return absl::OkStatus();
    }));
    return out;
  }

  Database* const db_;
  const std::unique_ptr<TxRunner> tx_;
  const CommercePorts commerce_;
};

}  // namespace

std::unique_ptr<OrderRepository> NewSqlOrderRepository(
    Database* db, const CommercePorts& commerce) {
  return std::make_unique<SqlOrderRepository>(db, commerce);
}

}  // namespace tokkit::order
