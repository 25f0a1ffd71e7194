#include "lib/core/cursor.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tokkit {
namespace {

// Wire format before base64: version byte, then per field a varint length and
// the bytes.
constexpr char kVersion = 1;
constexpr size_t kMaxTokenBytes = size_t{64} * 1024;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(absl::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const uint8_t b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

absl::Status Malformed() {
  return absl::InvalidArgumentError("malformed page token");
}

}  // namespace

Cursor& Cursor::Add(absl::string_view field) {
  fields_.emplace_back(field);
  return *this;
}

Cursor& Cursor::Add(int64_t field) {
  fields_.push_back(absl::StrCat(field));
  return *this;
}

std::string Cursor::Encode() const {
  if (fields_.empty()) return "";
  std::string raw(1, kVersion);
  for (const std::string& f : fields_) {
    PutVarint(&raw, f.size());
    raw += f;
  }
  std::string out;
  absl::WebSafeBase64Escape(raw, &out);
  return out;
}

absl::StatusOr<Cursor> Cursor::Decode(absl::string_view token) {
  Cursor cursor;
  if (token.empty()) return cursor;
  if (token.size() > kMaxTokenBytes) return Malformed();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.empty() ||
      raw[0] != kVersion) {
    return Malformed();
  }
  absl::string_view in(raw);
  in.remove_prefix(1);
  while (!in.empty()) {
    uint64_t len = 0;
    if (!GetVarint(&in, &len) || len > in.size()) return Malformed();
    cursor.fields_.emplace_back(in.substr(0, len));
    in.remove_prefix(len);
  }
  // Encode() never writes a field-less token.
  if (cursor.fields_.empty()) return Malformed();
  return cursor;
}

absl::StatusOr<std::string> Cursor::StringAt(size_t i) const {
  if (i >= fields_.size()) return Malformed();
  return fields_[i];
}

absl::StatusOr<int64_t> Cursor::IntAt(size_t i) const {
  int64_t v = 0;
  if (i >= fields_.size() || !absl::SimpleAtoi(fields_[i], &v)) {
    return Malformed();
  }
  return v;
}

absl::StatusOr<int64_t> DecodeIdCursor(absl::string_view page_token) {
  absl::StatusOr<Cursor> c = Cursor::Decode(page_token);
  if (!c.ok()) return c.status();
  if (c->empty()) return 0;
  return c->IntAt(0);
}

std::string EncodeIdCursor(int64_t id) { return Cursor().Add(id).Encode(); }

absl::StatusOr<int> PageSize(int requested, int default_size, int max_size) {
  if (requested < 0) {
    return absl::InvalidArgumentError("page_size must not be negative");
  }
  if (requested == 0) return default_size;
  return requested > max_size ? max_size : requested;
}

}  // namespace tokkit
