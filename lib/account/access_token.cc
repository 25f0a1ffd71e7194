#include "lib/account/access_token.h"

#include <map>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/core/crypto.h"
#include "lib/core/status_macros.h"

namespace tokkit::account {
namespace {

// Clocks of replicas disagree a little; tokens from slightly in the future
// are fine, far in the future are forged or misconfigured.
constexpr absl::Duration kClockSkew = absl::Minutes(1);

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(
      absl::StrCat("invalid access token: ", why));
}

// Parses the flat JSON objects this codec writes: string and integer values,
// no nesting, no escapes beyond \" and \\. Anything else fails.
absl::StatusOr<std::map<std::string, std::string>> ParseFlatJson(
    absl::string_view in) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < in.size() && absl::ascii_isspace(in[i])) ++i;
  };
  auto parse_string = [&](std::string* s) -> bool {
    if (i >= in.size() || in[i] != '"') return false;
    ++i;
    while (i < in.size() && in[i] != '"') {
      if (in[i] == '\\') {
        if (++i >= in.size() || (in[i] != '"' && in[i] != '\\')) return false;
      }
      s->push_back(in[i++]);
    }
    if (i >= in.size()) return false;
    ++i;
    return true;
  };
  const auto bad = absl::InvalidArgumentError("malformed json");
  skip_ws();
  if (i >= in.size() || in[i++] != '{') return bad;
  skip_ws();
  if (i < in.size() && in[i] == '}') return out;
  while (true) {
    std::string key, value;
    skip_ws();
    if (!parse_string(&key)) return bad;
    skip_ws();
    if (i >= in.size() || in[i++] != ':') return bad;
    skip_ws();
    if (i < in.size() && in[i] == '"') {
      if (!parse_string(&value)) return bad;
    } else {
      while (i < in.size() && (absl::ascii_isdigit(in[i]) || in[i] == '-')) {
        value.push_back(in[i++]);
      }
      if (value.empty()) return bad;
    }
    if (!out.emplace(key, value).second) return bad;  // duplicate claim
    skip_ws();
    if (i >= in.size()) return bad;
    if (in[i] == ',') {
      ++i;
      continue;
    }
    if (in[i++] != '}') return bad;
    skip_ws();
    if (i != in.size()) return bad;
    return out;
  }
}

}  // namespace

absl::StatusOr<std::vector<SigningKey>> ParseSigningKeys(
    absl::string_view text) {
  std::vector<SigningKey> keys;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("signing keys, line ", line_number, ": ", why,
                       " (expected '<key id> <hex secret of 32+ bytes>')"));
    };
    if (parts.size() != 2) return bad("two fields expected");
    const absl::string_view id = parts[0], hex = parts[1];
    if (id.size() > 64 || id.find_first_of("\"\\") != absl::string_view::npos) {
      return bad("the key id must be at most 64 characters, no quotes");
    }
    if (hex.size() % 2 != 0 ||
        hex.find_first_not_of("0123456789abcdefABCDEF") !=
            absl::string_view::npos) {
      return bad("the secret must be hexadecimal");
    }
    if (hex.size() < 64) return bad("the secret must be at least 32 bytes");
    keys.push_back({std::string(id), absl::HexStringToBytes(hex)});
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError("signing keys: the file has no keys");
  }
  return keys;
}

absl::StatusOr<AccessTokenCodec> AccessTokenCodec::Create(
    std::vector<SigningKey> keys, const Clock* clock) {
  if (keys.empty()) return absl::InvalidArgumentError("no signing keys");
  absl::flat_hash_set<std::string> ids;
  for (const SigningKey& k : keys) {
    if (k.secret.size() < 32) {
      return absl::InvalidArgumentError(
          "signing key secrets must be at least 32 bytes");
    }
    if (k.id.empty() || k.id.size() > 64 ||
        k.id.find_first_of("\"\\") != std::string::npos) {
      return absl::InvalidArgumentError("bad signing key id");
    }
    if (!ids.insert(k.id).second) {
      return absl::InvalidArgumentError("duplicate signing key id");
    }
  }
  return AccessTokenCodec(std::move(keys), clock);
}

std::string AccessTokenCodec::Sign(const AccessClaims& c) const {
  const SigningKey& key = keys_.front();
  const std::string header = Base64UrlEncode(
      absl::StrCat(R"({"alg":"HS256","typ":"JWT","kid":")", key.id, R"("})"));
  const std::string payload = Base64UrlEncode(
      absl::StrCat(R"({"sub":")", c.user_id, R"(","sid":")", c.session_id,
                   R"(","iat":)", absl::ToUnixSeconds(c.issued_at),
                   R"(,"exp":)", absl::ToUnixSeconds(c.expires_at), "}"));
  const std::string signing_input = absl::StrCat(header, ".", payload);
  return absl::StrCat(signing_input, ".",
                      Base64UrlEncode(HmacSha256(key.secret, signing_input)));
}

absl::StatusOr<AccessClaims> AccessTokenCodec::Verify(
    absl::string_view token) const {
  if (token.size() > 4096) return Unauthenticated("too long");
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Unauthenticated("malformed");
  absl::StatusOr<std::string> header_json = Base64UrlDecode(parts[0]);
  if (!header_json.ok()) return Unauthenticated("malformed header");
  absl::StatusOr<std::map<std::string, std::string>> header =
      ParseFlatJson(*header_json);
  if (!header.ok()) return Unauthenticated("malformed header");
  // Only HS256: "none" and algorithm confusion are refused outright.
  if ((*header)["alg"] != "HS256") return Unauthenticated("unsupported alg");
  const SigningKey* key = nullptr;
  for (const SigningKey& k : keys_) {
    if (k.id == (*header)["kid"]) key = &k;
  }
  if (key == nullptr) return Unauthenticated("unknown key id");
  absl::StatusOr<std::string> signature = Base64UrlDecode(parts[2]);
  const std::string expected =
      HmacSha256(key->secret, absl::StrCat(parts[0], ".", parts[1]));
  if (!signature.ok() || !ConstantTimeEquals(*signature, expected)) {
    return Unauthenticated("bad signature");
  }
  absl::StatusOr<std::string> payload_json = Base64UrlDecode(parts[1]);
  if (!payload_json.ok()) return Unauthenticated("malformed payload");
  absl::StatusOr<std::map<std::string, std::string>> claims =
      ParseFlatJson(*payload_json);
  if (!claims.ok()) return Unauthenticated("malformed payload");
  AccessClaims out;
  int64_t iat = 0, exp = 0;
  if (!absl::SimpleAtoi((*claims)["sub"], &out.user_id) ||
      !absl::SimpleAtoi((*claims)["sid"], &out.session_id) ||
      !absl::SimpleAtoi((*claims)["iat"], &iat) ||
      !absl::SimpleAtoi((*claims)["exp"], &exp) || out.user_id <= 0) {
    return Unauthenticated("missing claims");
  }
  out.issued_at = absl::FromUnixSeconds(iat);
  out.expires_at = absl::FromUnixSeconds(exp);
  const absl::Time now = clock_->Now();
  if (out.expires_at <= now) return Unauthenticated("expired");
  if (out.issued_at > now + kClockSkew)
    return Unauthenticated("issued in the future");
  return out;
}

}  // namespace tokkit::account
