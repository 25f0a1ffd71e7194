#include "lib/core/media_type.h"

namespace tokkit {

MediaType SniffMediaType(absl::string_view h) {
  auto starts = [&](size_t at, absl::string_view magic) {
    return h.size() >= at + magic.size() && h.substr(at, magic.size()) == magic;
  };
  if (starts(0, "\xFF\xD8\xFF")) return MediaType::kJpeg;
  if (starts(0, "\x89PNG\r\n\x1A\n")) return MediaType::kPng;
  if (starts(0, "RIFF") && starts(8, "WEBP")) return MediaType::kWebp;
  if (starts(0, "GIF87a") || starts(0, "GIF89a")) return MediaType::kGif;
  // ISO-BMFF: a box size, then the 'ftyp' box type.
  if (starts(4, "ftyp")) return MediaType::kMp4;
  // EBML header (Matroska/WebM).
  if (starts(0, "\x1A\x45\xDF\xA3")) return MediaType::kWebm;
  return MediaType::kUnknown;
}

bool IsImage(MediaType t) {
  return t == MediaType::kJpeg || t == MediaType::kPng ||
         t == MediaType::kWebp || t == MediaType::kGif;
}

bool IsVideo(MediaType t) {
  return t == MediaType::kMp4 || t == MediaType::kWebm;
}

absl::string_view MimeType(MediaType t) {
  switch (t) {
    case MediaType::kJpeg:
      return "image/jpeg";
    case MediaType::kPng:
      return "image/png";
    case MediaType::kWebp:
      return "image/webp";
    case MediaType::kGif:
      return "image/gif";
    case MediaType::kMp4:
      return "video/mp4";
    case MediaType::kWebm:
      return "video/webm";
    case MediaType::kUnknown:
      break;
  }
  return "application/octet-stream";
}

absl::string_view FileExtension(MediaType t) {
  switch (t) {
    case MediaType::kJpeg:
      return "jpg";
    case MediaType::kPng:
      return "png";
    case MediaType::kWebp:
      return "webp";
    case MediaType::kGif:
      return "gif";
    case MediaType::kMp4:
      return "mp4";
    case MediaType::kWebm:
      return "webm";
    case MediaType::kUnknown:
      break;
  }
  return "bin";
}

}  // namespace tokkit
