#include "services/gateway/connect_protocol.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace tokkit::connect {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr std::array<absl::string_view, 17> kCodeNames = {"",
                                                          "canceled",
                                                          "unknown",
                                                          "invalid_argument",
                                                          "deadline_exceeded",
                                                          "not_found",
                                                          "already_exists",
                                                          "permission_denied",
                                                          "resource_exhausted",
                                                          "failed_precondition",
                                                          "aborted",
                                                          "out_of_range",
                                                          "unimplemented",
                                                          "internal",
                                                          "unavailable",
                                                          "data_loss",
                                                          "unauthenticated"};

// google.rpc.ErrorInfo {reason = 1; domain = 2; map<string,string> metadata
// = 3;} in its wire form; written with protobuf's encoder because the
// googleapis protos are not packaged here.
std::string ErrorInfoBytes(const ErrorInfo& error) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    auto put_string = [&](int field, absl::string_view s) {
      coded.WriteTag((field << 3) | 2);
      coded.WriteVarint32(static_cast<uint32_t>(s.size()));
      coded.WriteRaw(s.data(), static_cast<int>(s.size()));
    };
    put_string(1, error.reason);
    put_string(2, "tokkit");
    if (!error.request_id.empty()) {
      std::string entry;
      {
        google::protobuf::io::StringOutputStream es(&entry);
        google::protobuf::io::CodedOutputStream ec(&es);
        ec.WriteTag((1 << 3) | 2);
        ec.WriteVarint32(10);
        ec.WriteRaw("request_id", 10);
        ec.WriteTag((2 << 3) | 2);
        ec.WriteVarint32(static_cast<uint32_t>(error.request_id.size()));
        ec.WriteRaw(error.request_id.data(),
                    static_cast<int>(error.request_id.size()));
      }
      put_string(3, entry);
    }
  }
  return out;
}

Struct ErrorStruct(const ErrorInfo& error) {
  Struct s;
  auto& f = *s.mutable_fields();
  f["code"].set_string_value(std::string(CodeName(error.code)));
  if (!error.message.empty()) f["message"].set_string_value(error.message);
  if (!error.reason.empty() || !error.request_id.empty()) {
    Value& details = f["details"];
    Struct& detail =
        *details.mutable_list_value()->add_values()->mutable_struct_value();
    auto& d = *detail.mutable_fields();
    d["type"].set_string_value("google.rpc.ErrorInfo");
    std::string b64 = absl::Base64Escape(ErrorInfoBytes(error));
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    d["value"].set_string_value(b64);
    auto& debug = *d["debug"].mutable_struct_value()->mutable_fields();
    debug["reason"].set_string_value(error.reason);
    debug["domain"].set_string_value("tokkit");
    if (!error.request_id.empty()) {
      (*debug["metadata"]
            .mutable_struct_value()
            ->mutable_fields())["request_id"]
          .set_string_value(error.request_id);
    }
  }
  return s;
}

std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

}  // namespace

absl::StatusOr<ContentType> ParseContentType(absl::string_view header) {
  absl::string_view media = header.substr(0, header.find(';'));
  media = absl::StripAsciiWhitespace(media);
  const std::string lower = absl::AsciiStrToLower(media);
  ContentType type;
  absl::string_view rest = lower;
  if (absl::ConsumePrefix(&rest, "application/connect+")) {
    type.streaming = true;
  } else if (!absl::ConsumePrefix(&rest, "application/")) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported content type '", media,
                     "': use application/json, application/proto, "
                     "application/connect+json or application/connect+proto"));
  }
  if (rest == "json") {
    type.codec = Codec::kJson;
  } else if (rest == "proto" || (!type.streaming && rest == "protobuf")) {
    type.codec = Codec::kProto;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported content type '", media,
                     "': use application/json, application/proto, "
                     "application/connect+json or application/connect+proto"));
  }
  return type;
}

std::string ContentTypeFor(ContentType type) {
  const char* codec = type.codec == Codec::kJson ? "json" : "proto";
  return type.streaming ? absl::StrCat("application/connect+", codec)
                        : absl::StrCat("application/", codec);
}

absl::string_view CodeName(absl::StatusCode code) {
  const int n = static_cast<int>(code);
  if (n <= 0 || n >= static_cast<int>(kCodeNames.size())) return "unknown";
  return kCodeNames[n];
}

std::optional<absl::StatusCode> CodeFromName(absl::string_view name) {
  for (size_t i = 1; i < kCodeNames.size(); ++i) {
    if (kCodeNames[i] == name) return static_cast<absl::StatusCode>(i);
  }
  return std::nullopt;
}

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
      return 409;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kFailedPrecondition:
      return 400;
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    default:
      return 500;  // unknown, internal, data_loss
  }
}

absl::StatusCode CodeForHttpStatus(int http_status) {
  switch (http_status) {
    case 400:
      return absl::StatusCode::kInternal;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kUnimplemented;
    case 429:
    case 502:
    case 503:
    case 504:
      return absl::StatusCode::kUnavailable;
    default:
      return absl::StatusCode::kUnknown;
  }
}

absl::StatusOr<absl::Duration> ParseTimeoutMs(absl::string_view header) {
  int64_t ms = 0;
  if (header.empty() || header.size() > 10 ||
      !std::all_of(header.begin(), header.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(header, &ms)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "connect-timeout-ms must be up to 10 digits, got '", header, "'"));
  }
  return absl::Milliseconds(ms);
}

std::string EncodeEnvelope(uint8_t flags, absl::string_view data) {
  std::string out;
  out.reserve(5 + data.size());
  out.push_back(static_cast<char>(flags));
  const uint32_t n = static_cast<uint32_t>(data.size());
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(data.data(), data.size());
  return out;
}

absl::StatusOr<std::optional<Envelope>> EnvelopeReader::Next() {
  if (buffer_.size() < 5) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(buffer_.data());
  const uint8_t flags = p[0];
  const uint32_t n = (uint32_t{p[1]} << 24) | (uint32_t{p[2]} << 16) |
                     (uint32_t{p[3]} << 8) | uint32_t{p[4]};
  if ((flags & ~(kFlagCompressed | kFlagEndStream)) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown envelope flags 0x", absl::Hex(flags)));
  }
  if (static_cast<int64_t>(n) > max_message_bytes_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "message of ", n, " bytes is over the limit of ", max_message_bytes_));
  }
  if (buffer_.size() < 5 + static_cast<size_t>(n)) return std::nullopt;
  Envelope e;
  e.flags = flags;
  e.data = buffer_.substr(5, n);
  buffer_.erase(0, 5 + static_cast<size_t>(n));
  return e;
}

std::string ErrorJson(const ErrorInfo& error) {
  return ToJson(ErrorStruct(error));
}

std::string EndStreamJson(
    const std::optional<ErrorInfo>& error,
    const std::vector<std::pair<std::string, std::string>>& trailers) {
  Struct s;
  auto& f = *s.mutable_fields();
  if (error) *f["error"].mutable_struct_value() = ErrorStruct(*error);
  auto& metadata = *f["metadata"].mutable_struct_value()->mutable_fields();
  for (const auto& [key, value] : trailers) {
    metadata[key].mutable_list_value()->add_values()->set_string_value(value);
  }
  return ToJson(s);
}

absl::StatusOr<ErrorInfo> ParseErrorJson(absl::string_view json) {
  Struct s;
  google::protobuf::util::JsonParseOptions options;
  if (!google::protobuf::util::JsonStringToMessage(std::string(json), &s,
                                                   options)
           .ok()) {
    return absl::InvalidArgumentError("error body is not JSON");
  }
  ErrorInfo error;
  const auto& f = s.fields();
  auto code = f.find("code");
  if (code == f.end() || !CodeFromName(code->second.string_value())) {
    return absl::InvalidArgumentError("error body has no known code");
  }
  error.code = *CodeFromName(code->second.string_value());
  if (auto m = f.find("message"); m != f.end()) {
    error.message = m->second.string_value();
  }
  if (auto d = f.find("details"); d != f.end()) {
    for (const Value& v : d->second.list_value().values()) {
      const auto& df = v.struct_value().fields();
      auto debug = df.find("debug");
      if (debug == df.end()) continue;
      const auto& dbg = debug->second.struct_value().fields();
      if (auto r = dbg.find("reason"); r != dbg.end()) {
        error.reason = r->second.string_value();
      }
      if (auto md = dbg.find("metadata"); md != dbg.end()) {
        const auto& mf = md->second.struct_value().fields();
        if (auto id = mf.find("request_id"); id != mf.end()) {
          error.request_id = id->second.string_value();
        }
      }
    }
  }
  return error;
}

}  // namespace tokkit::connect
