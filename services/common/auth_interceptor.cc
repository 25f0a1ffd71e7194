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

// Outcome of authentication per live call, keyed by the call's context. An
// entry lives exactly as long as its call's interceptor.
class CallerTable {
 public:
  static CallerTable& Get() {
    static CallerTable* const table = new CallerTable();
    return *table;
  }
  void Put(const grpc::ServerContextBase* ctx,
           absl::StatusOr<account::Principal> who) {
    absl::MutexLock lock(&mu_);
    callers_.insert_or_assign(ctx, std::move(who));
  }
  void Erase(const grpc::ServerContextBase* ctx) {
    absl::MutexLock lock(&mu_);
    callers_.erase(ctx);
  }
  // nullopt when the call presented no token at all.
  std::optional<absl::StatusOr<account::Principal>> Find(
      const grpc::ServerContextBase* ctx) {
    absl::MutexLock lock(&mu_);
    auto it = callers_.find(ctx);
    if (it == callers_.end()) return std::nullopt;
    return it->second;
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<const grpc::ServerContextBase*,
                      absl::StatusOr<account::Principal>>
      callers_ ABSL_GUARDED_BY(mu_);
};

class AuthInterceptor : public grpc::experimental::Interceptor {
 public:
  AuthInterceptor(grpc::experimental::ServerRpcInfo* info,
                  account::Authenticator* authenticator)
      : context_(info->server_context()), authenticator_(authenticator) {}

  ~AuthInterceptor() override { CallerTable::Get().Erase(context_); }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Authenticate(*methods->GetRecvInitialMetadata());
    }
    methods->Proceed();
  }

 private:
  void Authenticate(
      const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
    auto it = metadata.find("authorization");
    if (it == metadata.end()) return;  // anonymous; CallerOf says so
    absl::string_view value(it->second.data(), it->second.size());
    absl::string_view token = absl::StripAsciiWhitespace(value);
    if (!absl::ConsumePrefix(&token, "Bearer ") &&
        !absl::ConsumePrefix(&token, "bearer ")) {
      CallerTable::Get().Put(
          context_,
          absl::UnauthenticatedError("authorization must be 'Bearer <token>'"));
      return;
    }
    CallerTable::Get().Put(context_, authenticator_->Authenticate(
                                         absl::StripAsciiWhitespace(token)));
  }

  grpc::ServerContextBase* const context_;
  account::Authenticator* const authenticator_;
};

class AuthInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AuthInterceptorFactory(account::Authenticator* authenticator)
      : authenticator_(authenticator) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new AuthInterceptor(info, authenticator_);
  }

 private:
  account::Authenticator* const authenticator_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewAuthInterceptorFactory(account::Authenticator* authenticator) {
  return std::make_unique<AuthInterceptorFactory>(authenticator);
}

absl::StatusOr<account::Principal> CallerOf(grpc::ServerContextBase* context) {
  std::optional<absl::StatusOr<account::Principal>> found =
      CallerTable::Get().Find(context);
  if (!found) return absl::UnauthenticatedError("missing bearer token");
  return *std::move(found);
}

absl::StatusOr<int64_t> ViewerOf(grpc::ServerContextBase* context) {
  std::optional<absl::StatusOr<account::Principal>> found =
      CallerTable::Get().Find(context);
  if (!found) return 0;
  if (!found->ok()) return found->status();
  return (*found)->user_id;
}

std::string PeerAddress(const grpc::ServerContext* context) {
  const std::string full = context->peer();  // returned by value: keep it
  absl::string_view peer = full;
  if (absl::ConsumePrefix(&peer, "ipv4:")) {
    return std::string(peer.substr(0, peer.rfind(':')));
  }
  if (absl::ConsumePrefix(&peer, "ipv6:")) {
    // ipv6:[::1]:5555 or ipv6:%5B::1%5D:5555
    return std::string(peer.substr(0, peer.rfind(':')));
  }
  return std::string(peer);
}

}  // namespace tokkit
