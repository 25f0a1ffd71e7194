#include "lib/account/totp.h"

#include <png.h>
#include <qrencode.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/core/crypto.h"

namespace tokkit::account {
namespace {

std::string UriEscape(absl::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppendFormat(&out, "%%%02X", c);
    }
  }
  return out;
}

}  // namespace

int64_t TotpStep(absl::Time t, const TotpParams& p) {
  return absl::ToUnixSeconds(t) / absl::ToInt64Seconds(p.period);
}

std::string TotpCode(absl::string_view secret, int64_t step,
                     const TotpParams& p) {
  char counter[8];
  for (int i = 7; i >= 0; --i) {
    counter[i] = static_cast<char>(step & 0xff);
    step >>= 8;
  }
  const std::string mac = HmacSha1(secret, absl::string_view(counter, 8));
  // RFC 4226 dynamic truncation.
  const int offset = mac[mac.size() - 1] & 0x0f;
  const uint32_t binary = ((static_cast<uint8_t>(mac[offset]) & 0x7f) << 24) |
                          (static_cast<uint8_t>(mac[offset + 1]) << 16) |
                          (static_cast<uint8_t>(mac[offset + 2]) << 8) |
                          static_cast<uint8_t>(mac[offset + 3]);
  uint32_t modulus = 1;
  for (int i = 0; i < p.digits; ++i) modulus *= 10;
  return absl::StrFormat("%0*u", p.digits, binary % modulus);
}

std::optional<int64_t> MatchTotp(absl::string_view secret,
                                 absl::string_view code, absl::Time now,
                                 const TotpParams& p) {
  if (code.size() != static_cast<size_t>(p.digits)) return std::nullopt;
  const int64_t current = TotpStep(now, p);
  std::optional<int64_t> match;
  // Check every candidate (no early exit) so timing reveals nothing.
  for (int64_t step = current - p.drift_steps; step <= current + p.drift_steps;
       ++step) {
    if (ConstantTimeEquals(TotpCode(secret, step, p), code) && !match) {
      match = step;
    }
  }
  return match;
}

std::string OtpauthUri(absl::string_view issuer, absl::string_view account,
                       absl::string_view secret, const TotpParams& p) {
  return absl::StrCat("otpauth://totp/", UriEscape(issuer), ":",
                      UriEscape(account), "?secret=", Base32Encode(secret),
                      "&issuer=", UriEscape(issuer),
                      "&algorithm=SHA1&digits=", p.digits,
                      "&period=", absl::ToInt64Seconds(p.period));
}

absl::StatusOr<std::string> QrPng(absl::string_view text, int module_pixels) {
  const std::string input(text);
  QRcode* qr = QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M);
  if (qr == nullptr) return absl::InternalError("QR encoding failed");
  constexpr int kQuietZone = 4;  // modules of white border, per ISO 18004
  const int size = (qr->width + 2 * kQuietZone) * module_pixels;
  std::vector<uint8_t> pixels(static_cast<size_t>(size) * size, 0xff);
  for (int y = 0; y < qr->width; ++y) {
    for (int x = 0; x < qr->width; ++x) {
      if ((qr->data[y * qr->width + x] & 1) == 0) continue;
      for (int dy = 0; dy < module_pixels; ++dy) {
        for (int dx = 0; dx < module_pixels; ++dx) {
          const int px = (x + kQuietZone) * module_pixels + dx;
          const int py = (y + kQuietZone) * module_pixels + dy;
          pixels[static_cast<size_t>(py) * size + px] = 0;
        }
      }
    }
  }
  QRcode_free(qr);

  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  image.width = size;
  image.height = size;
  image.format = PNG_FORMAT_GRAY;
  png_alloc_size_t bytes = 0;
  if (!png_image_write_to_memory(&image, nullptr, &bytes, 0, pixels.data(), 0,
                                 nullptr)) {
    return absl::InternalError("PNG sizing failed");
  }
  std::string out(bytes, '\0');
  if (!png_image_write_to_memory(&image, out.data(), &bytes, 0, pixels.data(),
                                 0, nullptr)) {
    return absl::InternalError("PNG encoding failed");
  }
  out.resize(bytes);
  return out;
}

}  // namespace tokkit::account
