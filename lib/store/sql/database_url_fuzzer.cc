// Database URLs come from flags and config: parsing must fail cleanly, and
// neither the parse error nor the redacted form may repeat a password.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "lib/core/log.h"
#include "lib/store/sql/database.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<tokkit::ParsedDatabaseUrl> parsed =
      tokkit::ParseDatabaseUrl(text);
  const std::string redacted = tokkit::log::RedactUrl(text);
  // A recognisable password planted in a valid URL never survives (unless
  // the input itself spells it elsewhere).
  if (absl::StrContains(text, "Pl4ntedSecret")) return 0;
  const std::string planted =
      "postgresql://u:Pl4ntedSecret@" + text.substr(0, 40) + "/db";
  if (absl::StrContains(tokkit::log::RedactUrl(planted), "Pl4ntedSecret")) {
    std::abort();
  }
  absl::StatusOr<tokkit::ParsedDatabaseUrl> bad =
      tokkit::ParseDatabaseUrl("mysql://u:Pl4ntedSecret@" + text);
  if (absl::StrContains(bad.status().message(), "Pl4ntedSecret")) std::abort();
  (void)parsed;
  (void)redacted;
  return 0;
}
