#include <soci/soci.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "lib/account/sql_repository.h"
#include "lib/core/status_macros.h"
#include "lib/store/sql/sql_util.h"

namespace tokkit::account {
namespace {

constexpr char kColumns[] =
    "id, user_id, recipient, phone, line1, line2, city, region, postal_code, "
    "country_code, is_default, created_at_ms, updated_at_ms";

Address ReadAddress(const soci::row& r) {
  Address a;
  a.id = RowInt(r, 0);
  a.user_id = RowInt(r, 1);
  a.recipient = RowString(r, 2);
  a.phone = RowString(r, 3);
  a.line1 = RowString(r, 4);
  a.line2 = RowString(r, 5);
  a.city = RowString(r, 6);
  a.region = RowString(r, 7);
  a.postal_code = RowString(r, 8);
  a.country_code = RowString(r, 9);
  a.is_default = RowBool(r, 10);
  a.created_at = FromMillis(RowInt(r, 11));
  a.updated_at = FromMillis(RowInt(r, 12));
  return a;
}

absl::Status NotFound() { return absl::NotFoundError("address not found"); }

class SqlAddressRepository : public AddressRepository {
 public:
  explicit SqlAddressRepository(Database* db) : db_(db) {}

  absl::StatusOr<Address> Create(const Address& in, int max_per_user) override {
    Address a = in;
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) -> absl::Status {
      int count = 0;
      sql << "SELECT COUNT(*) FROM addresses WHERE user_id = :u",
          soci::use(a.user_id), soci::into(count);
      if (count >= max_per_user) {
        return absl::ResourceExhaustedError(
            absl::StrCat("at most ", max_per_user, " addresses per user"));
      }
      if (count == 0) a.is_default = true;
      if (a.is_default) ClearDefault(sql, a.user_id);
      const int is_default = a.is_default ? 1 : 0;
      const int64_t created = ToMillis(a.created_at);
      const int64_t updated = ToMillis(a.updated_at);
      sql << "INSERT INTO addresses (id, user_id, recipient, phone, line1, "
             "line2, city, region, postal_code, country_code, is_default, "
             "created_at_ms, updated_at_ms) VALUES (:i, :u, :r, :p, :l1, :l2, "
             ":c, :rg, :pc, :cc, :d, :ca, :ua)",
          soci::use(a.id), soci::use(a.user_id), soci::use(a.recipient),
          soci::use(a.phone), soci::use(a.line1), soci::use(a.line2),
          soci::use(a.city), soci::use(a.region), soci::use(a.postal_code),
          soci::use(a.country_code), soci::use(is_default), soci::use(created),
          soci::use(updated);
      return absl::OkStatus();
    }));
    return a;
  }

  absl::StatusOr<Address> Get(int64_t user_id, int64_t address_id) override {
    std::optional<Address> found;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::row r;
      sql << absl::StrCat("SELECT ", kColumns,
                          " FROM addresses WHERE id = :i AND user_id = :u"),
          soci::use(address_id), soci::use(user_id), soci::into(r);
      if (sql.got_data()) found = ReadAddress(r);
      return absl::OkStatus();
    }));
    if (!found) return NotFound();
    return *found;
  }

  absl::StatusOr<std::vector<Address>> List(int64_t user_id) override {
    std::vector<Address> out;
    RETURN_IF_ERROR(db_->Run([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << absl::StrCat("SELECT ", kColumns,
                                       " FROM addresses WHERE user_id = :u "
                                       "ORDER BY is_default DESC, id"),
           soci::use(user_id));
      for (const soci::row& r : rows) out.push_back(ReadAddress(r));
      return absl::OkStatus();
    }));
    return out;
  }

  absl::StatusOr<Address> Update(const Address& a) override {
    RETURN_IF_ERROR(db_->Transact([&](soci::session& sql) -> absl::Status {
      int is_default_now = 0;
      soci::indicator ind;
      sql << "SELECT is_default FROM addresses WHERE id = :i AND user_id = :u",
          soci::use(a.id), soci::use(a.user_id),
          soci::into(is_default_now, ind);
      if (!sql.got_data()) return NotFound();
      // The default moves only by setting another one; unsetting the only
      // default would leave the user without one.
      const bool is_default = a.is_default || is_default_now != 0;
      if (a.is_default) ClearDefault(sql, a.user_id);
      const int d = is_default ? 1 : 0;
      const int64_t updated = ToMillis(a.updated_at);
      sql << "UPDATE addresses SET recipient = :r, phone = :p, line1 = :l1, "
             "line2 = :l2, city = :c, region = :rg, postal_code = :pc, "
             "country_code = :cc, is_default = :d, updated_at_ms = :ua "
             "WHERE id = :i AND user_id = :u",
          soci::use(a.recipient), soci::use(a.phone), soci::use(a.line1),
          soci::use(a.line2), soci::use(a.city), soci::use(a.region),
          soci::use(a.postal_code), soci::use(a.country_code), soci::use(d),
          soci::use(updated), soci::use(a.id), soci::use(a.user_id);
      return absl::OkStatus();
    }));
    return Get(a.user_id, a.id);
  }

  absl::Status Delete(int64_t user_id, int64_t address_id) override {
    return db_->Transact([&](soci::session& sql) -> absl::Status {
      int was_default = 0;
      soci::indicator ind;
      sql << "SELECT is_default FROM addresses WHERE id = :i AND user_id = :u",
          soci::use(address_id), soci::use(user_id),
          soci::into(was_default, ind);
      if (!sql.got_data()) return NotFound();
      sql << "DELETE FROM addresses WHERE id = :i AND user_id = :u",
          soci::use(address_id), soci::use(user_id);
      if (was_default != 0) {
        // Promote the oldest remaining address so a default always exists.
        // (Read first: MySQL cannot update a table its subquery reads.)
        soci::row oldest;
        sql << "SELECT MIN(id) FROM addresses WHERE user_id = :u",
            soci::use(user_id), soci::into(oldest);
        if (sql.got_data() && oldest.get_indicator(0) != soci::i_null) {
          const int64_t id = RowInt(oldest, 0);
          sql << "UPDATE addresses SET is_default = 1 WHERE id = :i",
              soci::use(id);
        }
      }
      return absl::OkStatus();
    });
  }

 private:
  static void ClearDefault(soci::session& sql, int64_t user_id) {
    sql << "UPDATE addresses SET is_default = 0 WHERE user_id = :u AND "
           "is_default <> 0",
        soci::use(user_id);
  }

  Database* const db_;
};

}  // namespace

std::unique_ptr<AddressRepository> NewSqlAddressRepository(Database* db) {
  return std::make_unique<SqlAddressRepository>(db);
}

}  // namespace tokkit::account
