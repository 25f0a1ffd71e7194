#include "lib/redis/redis_client.h"

#include <hiredis/hiredis.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace tokkit::redis {
namespace {

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) {
        out.elements.push_back(Convert(r->element[i]));
      }
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Client>> Client::Connect(
    const std::string& url, absl::Duration timeout) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "redis://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "redis url must look like redis://host:port, got '", url, "'"));
  }
  if (size_t slash = rest.find('/'); slash != absl::string_view::npos) {
    rest = rest.substr(0, slash);
  }
  std::string host(rest);
  int port = 6379;
  if (size_t colon = rest.rfind(':'); colon != absl::string_view::npos) {
    host = std::string(rest.substr(0, colon));
    if (!absl::SimpleAtoi(rest.substr(colon + 1), &port) || port <= 0 ||
        port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad port in redis url '", url, "'"));
    }
  }
  if (host.empty()) return absl::InvalidArgumentError("redis url has no host");
  std::unique_ptr<Client> c(new Client(host, port, timeout));
  absl::MutexLock lock(&c->mu_);
  if (absl::Status st = c->EnsureConnected(); !st.ok()) return st;
  return c;
}

Client::~Client() {
  absl::MutexLock lock(&mu_);
  if (context_ != nullptr) redisFree(context_);
}

absl::Status Client::EnsureConnected() {
  if (context_ != nullptr) return absl::OkStatus();
  const timeval tv = absl::ToTimeval(timeout_);
  context_ = redisConnectWithTimeout(host_.c_str(), port_, tv);
  if (context_ == nullptr || context_->err != 0) {
    const std::string why =
        context_ == nullptr ? "out of memory" : context_->errstr;
    if (context_ != nullptr) redisFree(context_);
    context_ = nullptr;
    return absl::UnavailableError(absl::StrCat("cannot connect to redis at ",
                                               host_, ":", port_, ": ", why));
  }
  redisSetTimeout(context_, tv);
  return absl::OkStatus();
}

absl::StatusOr<Reply> Client::Command(const std::vector<std::string>& args) {
  if (args.empty()) return absl::InvalidArgumentError("empty redis command");
  absl::MutexLock lock(&mu_);
  if (absl::Status st = EnsureConnected(); !st.ok()) return st;
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(redisCommandArgv(
      context_, static_cast<int>(args.size()), argv.data(), lens.data()));
  if (reply == nullptr) {
    // The connection is unusable after an I/O error; reconnect next time.
    const std::string why = context_->errstr;
    redisFree(context_);
    context_ = nullptr;
    return absl::UnavailableError(absl::StrCat("redis: ", why));
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    std::string why(reply->str, reply->len);
    freeReplyObject(reply);
    return absl::InternalError(absl::StrCat("redis: ", why));
  }
  Reply out = Convert(reply);
  freeReplyObject(reply);
  return out;
}

}  // namespace tokkit::redis
