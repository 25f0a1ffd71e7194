// Content sniffing by magic bytes. Uploads are classified by what the bytes
// are, never by the file name or a client-supplied content type.
#ifndef TOKKIT_LIB_CORE_MEDIA_TYPE_H_
#define TOKKIT_LIB_CORE_MEDIA_TYPE_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace tokkit {

enum class MediaType { kUnknown, kJpeg, kPng, kWebp, kGif, kMp4, kWebm };

// Classifies the first bytes of a file; 16 bytes are enough for every type.
MediaType SniffMediaType(absl::string_view head);
bool IsImage(MediaType t);
bool IsVideo(MediaType t);
absl::string_view MimeType(MediaType t);
absl::string_view FileExtension(MediaType t);  // without the dot

}  // namespace tokkit

#endif  // TOKKIT_LIB_CORE_MEDIA_TYPE_H_
