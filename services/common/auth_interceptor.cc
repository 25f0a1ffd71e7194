#include "services/common/auth_interceptor.h"

#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"

namespace tokkit {
namespace {

using grpc::experimental::InterceptionHookPoints;

// What the interceptor learned about each live call, keyed by the call's
// context. An entry lives exactly as long as its call's interceptor.
struct CallInfo {
  // nullopt when the call presented no token at all.
  std::optional<absl::StatusOr<account::Principal>> caller;
  std::string client_address;
};

class CallTable {
 public:
  static CallTable& Get() {
    static CallTable* const table = new CallTable();
    return *table;
  }
  void Put(const grpc::ServerContextBase* ctx, CallInfo info) {
    absl::MutexLock lock(&mu_);
    calls_.insert_or_assign(ctx, std::move(info));
  }
  void Erase(const grpc::ServerContextBase* ctx) {
    absl::MutexLock lock(&mu_);
    calls_.erase(ctx);
  }
  std::optional<CallInfo> Find(const grpc::ServerContextBase* ctx) {
    absl::MutexLock lock(&mu_);
    auto it = calls_.find(ctx);
    if (it == calls_.end()) return std::nullopt;
    return it->second;
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<const grpc::ServerContextBase*, CallInfo> calls_
      ABSL_GUARDED_BY(mu_);
};

class AuthInterceptor : public grpc::experimental::Interceptor {
 public:
  AuthInterceptor(grpc::experimental::ServerRpcInfo* info,
                  account::Authenticator* authenticator,
                  const TrustedProxies* trusted)
      : context_(info->server_context()),
        authenticator_(authenticator),
        trusted_(trusted) {}

  ~AuthInterceptor() override { CallTable::Get().Erase(context_); }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      const auto& metadata = *methods->GetRecvInitialMetadata();
      CallInfo info;
      info.caller = Authenticate(metadata);
      info.client_address = ClientAddress(metadata);
      CallTable::Get().Put(context_, std::move(info));
    }
    methods->Proceed();
  }

 private:
  using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;

  std::optional<absl::StatusOr<account::Principal>> Authenticate(
      const Metadata& metadata) {
    auto it = metadata.find("authorization");
    if (it == metadata.end()) return std::nullopt;  // anonymous
    absl::string_view value(it->second.data(), it->second.size());
    absl::string_view token = absl::StripAsciiWhitespace(value);
    if (!absl::ConsumePrefix(&token, "Bearer ") &&
        !absl::ConsumePrefix(&token, "bearer ")) {
      return absl::UnauthenticatedError(
          "authorization must be 'Bearer <token>'");
    }
    return authenticator_->Authenticate(absl::StripAsciiWhitespace(token));
  }

  std::string ClientAddress(const Metadata& metadata) {
    std::string forwarded;
    auto [begin, end] = metadata.equal_range("x-forwarded-for");
    for (auto it = begin; it != end; ++it) {
      if (!forwarded.empty()) forwarded += ",";
      forwarded.append(it->second.data(), it->second.size());
    }
    // Only code inside this process can open an in-process call: that is
    // the HTTP gateway, which puts the client it resolved last.
    if (context_->peer() == "inproc") {
      absl::string_view last = forwarded;
      if (size_t comma = last.rfind(','); comma != absl::string_view::npos) {
        last = last.substr(comma + 1);
      }
      last = absl::StripAsciiWhitespace(last);
      return last.empty() ? "inproc" : std::string(last);
    }
    std::string peer = AddressFromGrpcPeer(context_->peer());
    if (trusted_ == nullptr || trusted_->empty()) return peer;
    return ResolveClientAddress(peer, forwarded, *trusted_);
  }

  grpc::ServerContextBase* const context_;
  account::Authenticator* const authenticator_;
  const TrustedProxies* const trusted_;
};

class AuthInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  AuthInterceptorFactory(account::Authenticator* authenticator,
                         TrustedProxies trusted)
      : authenticator_(authenticator), trusted_(std::move(trusted)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new AuthInterceptor(info, authenticator_, &trusted_);
  }

 private:
  account::Authenticator* const authenticator_;
  const TrustedProxies trusted_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewAuthInterceptorFactory(account::Authenticator* authenticator,
                          TrustedProxies trusted_proxies) {
  return std::make_unique<AuthInterceptorFactory>(authenticator,
                                                  std::move(trusted_proxies));
}

absl::StatusOr<account::Principal> CallerOf(grpc::ServerContextBase* context) {
  std::optional<CallInfo> found = CallTable::Get().Find(context);
  if (!found || !found->caller) {
    return absl::UnauthenticatedError("missing bearer token");
  }
  return *std::move(found->caller);
}

absl::StatusOr<int64_t> ViewerOf(grpc::ServerContextBase* context) {
  std::optional<CallInfo> found = CallTable::Get().Find(context);
  if (!found || !found->caller) return 0;
  if (!found->caller->ok()) return found->caller->status();
  return (*found->caller)->user_id;
}

std::string ClientAddressOf(const grpc::ServerContextBase* context) {
  std::optional<CallInfo> found = CallTable::Get().Find(context);
  if (found) return found->client_address;
  return AddressFromGrpcPeer(context->peer());
}

}  // namespace tokkit
