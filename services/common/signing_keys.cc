#include "services/common/signing_keys.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "lib/core/crypto.h"

namespace tokkit {

absl::StatusOr<std::vector<account::SigningKey>> LoadOrCreateSigningKeys(
    const std::string& path) {
  if (!std::filesystem::exists(path)) {
    const std::string secret = RandomBytes(32);
    const std::string line = absl::StrCat("k", Sha256Hex(secret).substr(0, 8),
                                          " ", HexEncode(secret), "\n");
    const mode_t old = umask(077);
    std::ofstream out(path);
    out << line;
    out.close();
    umask(old);
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  return LoadSigningKeys(path);
}

absl::StatusOr<std::vector<account::SigningKey>> LoadSigningKeys(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InternalError(absl::StrCat("cannot read ", path));
  std::stringstream content;
  content << in.rdbuf();
  absl::StatusOr<std::vector<account::SigningKey>> keys =
      account::ParseSigningKeys(content.str());
  if (!keys.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", keys.status().message()));
  }
  return keys;
}

}  // namespace tokkit
