// Load harness: every workload users hit, driven over gRPC against the real
// tokkit_server binary, each reported as its QPS divided by the same
// server's grpc.health.v1.Health/Check QPS measured in the same run with the
// same clients (the cheapest call the server answers: the ratio is the share
// of the server's capacity a workload gets, independent of the machine).
//
//   bazel run -c opt //tools/bench:load_bench
//   bazel run -c opt //tools/bench:load_bench -- --clients=1,8,32
//       --videos=20000 --seconds=5 --workloads=for_you_page,latest_page
//   bazel run -c opt //tools/bench:load_bench --
//       --database_url=postgresql://tokkit@127.0.0.1:55433/tokkit
//
// The client is gRPC's callback API on a generic stub: `clients` calls are
// kept in flight (each finished call starts the next) over several
// connections, so the client costs little beside the server it measures.
// The data set: users who follow each other and like videos, --videos
// videos with tags, a merchant with a product, an address per buyer.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gflags/gflags.h"
#include "proto/tokkit/account/v1/account.grpc.pb.h"
#include "proto/tokkit/commerce/v1/commerce.grpc.pb.h"
#include "proto/tokkit/feed/v1/feed.grpc.pb.h"
#include "proto/tokkit/order/v1/order.grpc.pb.h"
#include "proto/tokkit/social/v1/social.grpc.pb.h"
#include "tools/bench/bench_process.h"

DEFINE_string(server, "services/tokkit_server/tokkit_server",
              "the tokkit_server binary (default: from the runfiles)");
DEFINE_string(database_url, "",
              "the server's database; default: SQLite in the run's directory");
DEFINE_string(clients, "1,8,32", "calls in flight, comma-separated levels");
DEFINE_double(seconds, 3, "measured seconds per case (after 0.5 s warm-up)");
DEFINE_int32(users, 32, "users (each client acts as one of them)");
DEFINE_int32(videos, 2000, "videos published before measuring");
DEFINE_int32(pay_pool, 3000, "orders with payment tokens made for 'pay'");
DEFINE_string(workloads, "",
              "comma-separated workloads to run (default: all of them)");
DEFINE_string(login_storms, "8,64",
              "after the table: the own-profile read at 8 clients alone and "
              "during each of these many concurrent logins (\"\": none)");

namespace {

using tokkit::bench::Child;
using tokkit::bench::Die;
namespace accountpb = tokkit::account::v1;
namespace commercepb = tokkit::commerce::v1;
namespace feedpb = tokkit::feed::v1;
namespace orderpb = tokkit::order::v1;
namespace socialpb = tokkit::social::v1;

constexpr char kPassword[] = "quiet-harbor-77";

void Check(const grpc::Status& st, const std::string& what) {
  if (!st.ok()) {
    Die(absl::StrCat(what, ": ", st.error_code(), " ", st.error_message()));
  }
}

std::unique_ptr<grpc::ClientContext> Authed(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(30));
  return ctx;
}

struct User {
  int64_t id = 0;
  std::string token;
  int64_t address_id = 0;
};

// The data the workloads act on.
struct World {
  std::vector<User> users;
  std::vector<int64_t> videos;
  int64_t sku_id = 0;
};

// One call a workload makes: the method and the serialized request.
struct Call {
  std::string method;
  std::string request;
};

struct Workload {
  std::string name;
  // The n-th call of client `c` (acting as user c % users); an empty method
  // ends that client's calls (a pool ran out).
  std::function<Call(int c, int64_t n)> next;
};

struct Result {
  double qps = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  int64_t calls = 0;
  int64_t errors = 0;
  std::string first_error;
};

// `clients` calls kept in flight on `channels`, for 0.5 s of warm-up and
// FLAGS_seconds measured.
Result Measure(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
               const World& world, const Workload& w, int clients,
               double seconds = FLAGS_seconds) {
  struct Slot {
    int id = 0;
    int64_t n = 0;
    grpc::GenericStub* stub = nullptr;
    std::unique_ptr<grpc::ClientContext> ctx;
    grpc::ByteBuffer request, response;
    absl::Time started;
  };
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  stubs.reserve(channels.size());
  for (const auto& ch : channels) {
    stubs.push_back(std::make_unique<grpc::GenericStub>(ch));
  }
  std::vector<Slot> slots(static_cast<size_t>(clients));
  std::atomic<int> phase{0};  // 0 warm-up, 1 measuring, 2 draining
  absl::Mutex mu;
  int running = clients;
  std::vector<double> latencies_ms;
  int64_t errors = 0;
  std::string first_error;
  absl::Time last_done;

  std::function<void(Slot*)> issue = [&](Slot* s) {
    Call call;
    if (phase.load() < 2) call = w.next(s->id, s->n++);
    if (call.method.empty()) {
      absl::MutexLock lock(&mu);
      --running;
      return;
    }
    const User& u =
        world.users[static_cast<size_t>(s->id) % world.users.size()];
    s->ctx = Authed(u.token);
    grpc::Slice slice(call.request);
    s->request = grpc::ByteBuffer(&slice, 1);
    s->started = absl::Now();
    s->stub->UnaryCall(
        s->ctx.get(), call.method, grpc::StubOptions(), &s->request,
        &s->response, [&, s](const grpc::Status& st) {
          const absl::Time now = absl::Now();
          if (phase.load() == 1) {
            absl::MutexLock lock(&mu);
            latencies_ms.push_back(
                absl::ToDoubleMilliseconds(now - s->started));
            last_done = now;
            if (!st.ok()) {
              ++errors;
              if (first_error.empty()) {
                first_error =
                    absl::StrCat(st.error_code(), " ", st.error_message());
              }
            }
          }
          issue(s);
        });
  };
  for (int i = 0; i < clients; ++i) {
    slots[static_cast<size_t>(i)].id = i;
    slots[static_cast<size_t>(i)].stub =
        stubs[static_cast<size_t>(i) % stubs.size()].get();
  }
  for (Slot& s : slots) issue(&s);
  absl::SleepFor(absl::Milliseconds(500));
  const absl::Time start = absl::Now();
  {
    absl::MutexLock lock(&mu);
    last_done = start;
  }
  phase = 1;
  absl::SleepFor(absl::Seconds(seconds));
  phase = 2;
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](int* n) { return *n == 0; }, &running));
  Result r;
  r.calls = static_cast<int64_t>(latencies_ms.size());
  r.errors = errors;
  r.first_error = first_error;
  const double elapsed =
      std::max(1e-3, absl::ToDoubleSeconds(last_done - start));
  r.qps = static_cast<double>(r.calls) / elapsed;
  if (!latencies_ms.empty()) {
    std::sort(latencies_ms.begin(), latencies_ms.end());
    r.p50_ms = latencies_ms[latencies_ms.size() / 2];
    r.p99_ms = latencies_ms[std::min(latencies_ms.size() - 1,
                                     latencies_ms.size() * 99 / 100)];
  }
  return r;
}

std::string Bytes(const google::protobuf::Message& m) {
  return m.SerializeAsString();
}

class Server {
 public:
  Server(const std::string& dir, const std::string& admin) {
    std::vector<std::string> argv = {
        FLAGS_server, "--data_dir=" + dir + "/data", "--listen=127.0.0.1:0",
        "--metrics_listen=", "--log_level=warning"};
    if (!FLAGS_database_url.empty()) {
      argv.push_back("--database_url=" + FLAGS_database_url);
    }
    if (!admin.empty()) argv.push_back("--admin=" + admin);
    child_ = std::make_unique<Child>(
        argv,
        absl::StrCat(dir, "/server-", admin.empty() ? "setup" : "run", ".log"));
    port_ = child_->WaitForLog(R"(listening on 127\.0\.0\.1:(\d+))");
  }
  std::string address() const { return "127.0.0.1:" + port_; }
  const Child& child() const { return *child_; }

 private:
  std::unique_ptr<Child> child_;
  std::string port_;
};

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address, int i) {
  grpc::ChannelArguments args;
  // A connection of its own (channels with equal arguments share one).
  args.SetInt("tokkit.bench.channel", i);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto ch = grpc::CreateCustomChannel(address,
                                      grpc::InsecureChannelCredentials(), args);
  if (!ch->WaitForConnected(std::chrono::system_clock::now() +
                            std::chrono::seconds(10))) {
    Die("cannot reach " + address);
  }
  return ch;
}

// Runs `fn(i)` for i in [0, n) on a few threads.
void Parallel(int n, const std::function<void(int)>& fn) {
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < n; i = next++) fn(i);
    });
  }
  for (auto& t : threads) t.join();
}

User Login(accountpb::AccountService::Stub& accounts, const std::string& name) {
  accountpb::LoginRequest login;
  login.set_login(name);
  login.set_password(kPassword);
  accountpb::LoginResponse session;
  grpc::ClientContext ctx;
  Check(accounts.Login(&ctx, login, &session), "Login " + name);
  return {session.user().id(), session.tokens().access_token(), 0};
}

void Register(accountpb::AccountService::Stub& accounts,
              const std::string& name) {
  accountpb::RegisterRequest reg;
  reg.set_username(name);
  reg.set_email(name + "@example.com");
  reg.set_password(kPassword);
  accountpb::RegisterResponse out;
  grpc::ClientContext ctx;
  Check(accounts.Register(&ctx, reg, &out), "Register " + name);
}

// Users, a shop and its product, addresses, videos, follows and likes.
World Populate(const std::string& address) {
  auto channel = NewChannel(address, 1000);
  auto accounts = accountpb::AccountService::NewStub(channel);
  auto commerce = commercepb::CommerceService::NewStub(channel);
  auto feed = feedpb::FeedService::NewStub(channel);
  auto social = socialpb::SocialService::NewStub(channel);
  World world;
  const User admin = Login(*accounts, "boss");
  User shop = Login(*accounts, "shop");
  {
    accountpb::SetRoleRequest req;
    req.set_user_id(shop.id);
    req.set_role(accountpb::ROLE_MERCHANT);
    accountpb::SetRoleResponse out;
    Check(accounts->SetRole(Authed(admin.token).get(), req, &out), "SetRole");
    shop = Login(*accounts, "shop");  // a token with the new role
  }
  commercepb::Category category;
  {
    commercepb::CreateCategoryRequest req;
    req.set_name("Everything");
    Check(commerce->CreateCategory(Authed(admin.token).get(), req, &category),
          "CreateCategory");
  }
  {
    commercepb::CreateProductRequest req;
    req.set_category_id(category.id());
    req.set_name("Limited sneaker");
    req.set_for_sale(true);
    commercepb::NewSku* sku = req.add_skus();
    sku->set_attributes("size=42");
    sku->set_price_cents(49900);
    sku->set_stock(1'000'000'000);
    commercepb::Product product;
    Check(commerce->CreateProduct(Authed(shop.token).get(), req, &product),
          "CreateProduct");
    world.sku_id = product.skus(0).id();
  }
  world.users.resize(static_cast<size_t>(FLAGS_users));
  for (int i = 0; i < FLAGS_users; ++i) {  // argon2id: one at a time anyway
    world.users[static_cast<size_t>(i)] =
        Login(*accounts, absl::StrCat("user", i));
  }
  Parallel(FLAGS_users, [&](int i) {
    User& u = world.users[static_cast<size_t>(i)];
    accountpb::AddAddressRequest req;
    accountpb::Address* a = req.mutable_address();
    a->set_recipient("Buyer");
    a->set_phone("+86 138 0000 0000");
    a->set_line1("1 Road");
    a->set_city("Hangzhou");
    a->set_country_code("CN");
    accountpb::AddAddressResponse out;
    Check(accounts->AddAddress(Authed(u.token).get(), req, &out), "AddAddress");
    u.address_id = out.address().id();
  });

  const std::string clip = std::string(
                               "\0\0\0\x18"
                               "ftypmp42",
                               12) +
                           std::string(4096 - 12, 'v');
  world.videos.resize(static_cast<size_t>(FLAGS_videos));
  Parallel(FLAGS_videos, [&](int i) {
    const User& author = world.users[static_cast<size_t>(i % FLAGS_users)];
    feedpb::Video video;
    auto ctx = Authed(author.token);
    auto writer = feed->PublishVideo(ctx.get(), &video);
    feedpb::PublishVideoRequest meta;
    meta.mutable_metadata()->set_title(absl::StrCat("clip ", i));
    meta.mutable_metadata()->add_tags(absl::StrCat("tag", i % 20));
    meta.mutable_metadata()->add_tags(absl::StrCat("topic", i % 7));
    feedpb::PublishVideoRequest chunk;
    chunk.set_video_chunk(clip);
    if (!writer->Write(meta) || !writer->Write(chunk)) Die("publish write");
    writer->WritesDone();
    Check(writer->Finish(), "PublishVideo");
    world.videos[static_cast<size_t>(i)] = video.id();
  });
  // Each user follows 5 others and likes 20 videos.
  Parallel(FLAGS_users, [&](int i) {
    const User& u = world.users[static_cast<size_t>(i)];
    std::mt19937_64 rng(static_cast<uint64_t>(i));
    for (int f = 1; f <= 5; ++f) {
      socialpb::UserRequest req;
      req.set_user_id(
          world.users[static_cast<size_t>((i + f * 3) % FLAGS_users)].id);
      if (req.user_id() == u.id) continue;
      socialpb::FollowResult out;
      Check(social->Follow(Authed(u.token).get(), req, &out), "Follow");
    }
    for (int l = 0; l < 20; ++l) {
      socialpb::VideoRequest req;
      req.set_video_id(world.videos[rng() % world.videos.size()]);
      socialpb::LikeResult out;
      Check(social->LikeVideo(Authed(u.token).get(), req, &out), "LikeVideo");
    }
  });
  return world;
}

// Orders with payment tokens for the 'pay' workload, made before it runs:
// token i belongs to user i % buyers, the users the `clients` act as.
std::vector<std::string> PaymentTokens(const std::string& address,
                                       const World& world, int clients) {
  const int buyers = std::min(clients, FLAGS_users);
  auto channel = NewChannel(address, 2000);
  auto orders = orderpb::OrderService::NewStub(channel);
  std::vector<std::string> tokens(static_cast<size_t>(FLAGS_pay_pool));
  Parallel(FLAGS_pay_pool, [&](int i) {
    const User& u = world.users[static_cast<size_t>(i % buyers)];
    orderpb::CreateOrderRequest req;
    orderpb::OrderLine* line = req.add_lines();
    line->set_sku_id(world.sku_id);
    line->set_quantity(1);
    req.set_address_id(u.address_id);
    req.set_idempotency_key(
        absl::StrCat("pay-pool-", getpid(), "-", clients, "-", i));
    orderpb::Order order;
    Check(orders->CreateOrder(Authed(u.token).get(), req, &order),
          "CreateOrder");
    orderpb::OrderRequest token_req;
    token_req.set_order_id(order.id());
    orderpb::PaymentToken token;
    Check(orders->CreatePaymentToken(Authed(u.token).get(), token_req, &token),
          "CreatePaymentToken");
    tokens[static_cast<size_t>(i)] = token.token();
  });
  return tokens;
}

// Per user, the next of its payment tokens to use.
using PayCursor = std::vector<std::atomic<size_t>>;

std::vector<Workload> Workloads(const World& world, int clients,
                                const std::vector<std::string>* pay_tokens,
                                PayCursor* next_pay) {
  const size_t users = world.users.size();
  auto user = [&world, users](int c) -> const User& {
    return world.users[static_cast<size_t>(c) % users];
  };
  auto video = [&world](int c, int64_t n) {
    return world.videos[static_cast<size_t>(int64_t{c} * 7919 + n * 104729) %
                        world.videos.size()];
  };
  const std::string run =
      absl::StrCat(getpid(), "-", absl::ToUnixMicros(absl::Now()));
  std::vector<Workload> out;
  out.push_back({"health", [](int, int64_t) {
                   // HealthCheckRequest{service: ""} is empty on the wire.
                   return Call{"/grpc.health.v1.Health/Check", ""};
                 }});
  out.push_back({"get_own_profile", [](int, int64_t) {
                   return Call{"/tokkit.account.v1.AccountService/GetUser",
                               Bytes(accountpb::GetUserRequest())};
                 }});
  out.push_back(
      {"latest_page", [](int, int64_t) {
         feedpb::PageRequest req;
         req.set_page_size(10);
         return Call{"/tokkit.feed.v1.FeedService/ListLatest", Bytes(req)};
       }});
  out.push_back({"author_videos", [user](int c, int64_t n) {
                   feedpb::AuthorVideosRequest req;
                   req.set_author_id(user(c + static_cast<int>(n % 5)).id);
                   req.set_page_size(10);
                   return Call{"/tokkit.feed.v1.FeedService/ListAuthorVideos",
                               Bytes(req)};
                 }});
  out.push_back(
      {"for_you_page", [](int, int64_t) {
         feedpb::PageRequest req;
         req.set_page_size(10);
         return Call{"/tokkit.feed.v1.FeedService/ForYou", Bytes(req)};
       }});
  out.push_back({"like", [video](int c, int64_t n) {
                   // Like, then unlike, the same video: the count stays put.
                   socialpb::VideoRequest req;
                   req.set_video_id(video(c, n / 2));
                   return Call{n % 2 == 0
                                   ? "/tokkit.social.v1.SocialService/LikeVideo"
                                   : "/tokkit.social.v1.SocialService/"
                                     "UnlikeVideo",
                               Bytes(req)};
                 }});
  out.push_back(
      {"comment", [video](int c, int64_t n) {
         socialpb::AddCommentRequest req;
         req.set_video_id(video(c, n));
         req.set_body(absl::StrCat("nice one #", n));
         return Call{"/tokkit.social.v1.SocialService/AddComment", Bytes(req)};
       }});
  out.push_back(
      {"chat_send", [user, run](int c, int64_t n) {
         socialpb::SendMessageRequest req;
         req.set_recipient_id(user(c + 1).id);
         req.set_body(absl::StrCat("hello #", n));
         req.set_client_message_id(absl::StrCat(run, "-", c, "-", n));
         return Call{"/tokkit.social.v1.SocialService/SendMessage", Bytes(req)};
       }});
  out.push_back({"cart_put", [&world](int, int64_t n) {
                   commercepb::PutInCartRequest req;
                   req.set_sku_id(world.sku_id);
                   req.set_quantity(1 + n % 5);
                   return Call{"/tokkit.commerce.v1.CommerceService/PutInCart",
                               Bytes(req)};
                 }});
  out.push_back(
      {"create_order", [&world, user, run](int c, int64_t n) {
         orderpb::CreateOrderRequest req;
         orderpb::OrderLine* line = req.add_lines();
         line->set_sku_id(world.sku_id);
         line->set_quantity(1);
         req.set_address_id(user(c).address_id);
         req.set_idempotency_key(absl::StrCat("load-", run, "-", c, "-", n));
         return Call{"/tokkit.order.v1.OrderService/CreateOrder", Bytes(req)};
       }});
  if (pay_tokens != nullptr) {
    // A token pays only its own buyer's order: client c takes the tokens
    // of user c % buyers (PaymentTokens made token i for user i % buyers).
    const size_t buyers = std::min(users, static_cast<size_t>(clients));
    out.push_back(
        {"pay", [pay_tokens, next_pay, buyers](int c, int64_t) {
           const size_t u = static_cast<size_t>(c) % buyers;
           const size_t index = (*next_pay)[u]++ * buyers + u;
           if (index >= pay_tokens->size()) return Call{};
           orderpb::PayRequest req;
           req.set_token((*pay_tokens)[index]);
           return Call{"/tokkit.order.v1.OrderService/Pay", Bytes(req)};
         }});
  }
  return out;
}

}  // namespace

int Run();

int main(int argc, char** argv) {
  return tokkit::bench::RunMain(argc, argv, "load_bench", &Run);
}

int Run() {
  std::vector<int> levels;
  for (absl::string_view s : absl::StrSplit(FLAGS_clients, ',')) {
    int n = 0;
    if (!absl::SimpleAtoi(s, &n) || n < 1) Die("bad --clients");
    levels.push_back(n);
  }
  std::vector<std::string> only =
      absl::StrSplit(FLAGS_workloads, ',', absl::SkipEmpty());
  const std::string dir = absl::StrCat("/tmp/tokkit-load-bench-", getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  // Accounts first; the admin role is granted by a restart with --admin.
  {
    Server setup(dir, "");
    auto accounts =
        accountpb::AccountService::NewStub(NewChannel(setup.address(), 3000));
    Register(*accounts, "boss");
    Register(*accounts, "shop");
    Parallel(FLAGS_users,
             [&](int i) { Register(*accounts, absl::StrCat("user", i)); });
  }
  Server server(dir, "boss");
  const absl::Time populating = absl::Now();
  World world = Populate(server.address());
  std::printf(
      "data: %d users, %zu videos, 5 follows and 20 likes each "
      "(%.0f s to load); backend %s\n",
      FLAGS_users, world.videos.size(),
      absl::ToDoubleSeconds(absl::Now() - populating),
      FLAGS_database_url.empty() ? "sqlite" : "as --database_url");
  const bool want_pay =
      only.empty() || std::find(only.begin(), only.end(), "pay") != only.end();
  std::vector<std::string> pay_tokens;
  PayCursor next_pay(world.users.size());

  std::printf(
      "\n| workload | clients | QPS | p50 ms | p99 ms | vs Health |"
      " errors |\n|---|---|---|---|---|---|---|\n");
  for (int clients : levels) {
    std::vector<std::shared_ptr<grpc::Channel>> channels;
    for (int i = 0; i < std::min(clients, 8); ++i) {
      channels.push_back(NewChannel(server.address(), i));
    }
    if (want_pay) {
      pay_tokens = PaymentTokens(server.address(), world, clients);
      for (auto& n : next_pay) n = 0;
    }
    double health_qps = 0;
    for (const Workload& w : Workloads(
             world, clients, want_pay ? &pay_tokens : nullptr, &next_pay)) {
      if (w.name != "health" && !only.empty() &&
          std::find(only.begin(), only.end(), w.name) == only.end()) {
        continue;
      }
      const Result r = Measure(channels, world, w, clients);
      if (w.name == "health") health_qps = r.qps;
      std::printf("| %s | %d | %.0f | %.2f | %.2f | %.3f | %lld%s%s |\n",
                  w.name.c_str(), clients, r.qps, r.p50_ms, r.p99_ms,
                  health_qps > 0 ? r.qps / health_qps : 0.0,
                  static_cast<long long>(r.errors), r.errors ? " first: " : "",
                  r.first_error.c_str());
      std::fflush(stdout);
    }
  }
  // Password hashing is bounded (argon2id, a few at a time): a storm of
  // logins must not starve cheap reads. Own profile at 8 clients, alone and
  // with `storm` logins kept in flight on connections of their own.
  const std::vector<std::string> storms =
      absl::StrSplit(FLAGS_login_storms, ',', absl::SkipEmpty());
  if (!storms.empty()) {
    std::vector<std::shared_ptr<grpc::Channel>> reads, logins;
    for (int i = 0; i < 8; ++i) {
      reads.push_back(NewChannel(server.address(), 100 + i));
      logins.push_back(NewChannel(server.address(), 200 + i));
    }
    const std::vector<Workload> all =
        Workloads(world, 8, /*pay_tokens=*/nullptr, &next_pay);
    const Workload& profile = *std::find_if(
        all.begin(), all.end(),
        [](const Workload& w) { return w.name == "get_own_profile"; });
    const Workload login{
        "login", [&world](int c, int64_t) {
          accountpb::LoginRequest req;
          req.set_login(absl::StrCat(
              "user", static_cast<size_t>(c) % world.users.size()));
          req.set_password(kPassword);
          return Call{"/tokkit.account.v1.AccountService/Login", Bytes(req)};
        }};
    const Result alone = Measure(reads, world, profile, 8);
    std::printf(
        "\n| own profile, 8 clients | QPS | p50 ms | p99 ms | p99 vs alone |"
        " logins/s |\n|---|---|---|---|---|---|\n| alone | %.0f | %.2f | "
        "%.2f | 1.00 | |\n",
        alone.qps, alone.p50_ms, alone.p99_ms);
    for (const std::string& storm : storms) {
      int n = 0;
      if (!absl::SimpleAtoi(storm, &n) || n < 1) Die("bad --login_storms");
      Result logged;
      std::thread storming([&] {
        logged = Measure(logins, world, login, n, FLAGS_seconds + 1);
      });
      absl::SleepFor(absl::Milliseconds(700));  // the storm is on
      const Result during = Measure(reads, world, profile, 8);
      storming.join();
      std::printf("| during %d logins | %.0f | %.2f | %.2f | %.2f | %.0f%s |\n",
                  n, during.qps, during.p50_ms, during.p99_ms,
                  during.p99_ms / std::max(alone.p99_ms, 1e-3), logged.qps,
                  logged.errors ? " (errors)" : "");
      std::fflush(stdout);
    }
  }
  const auto [rss, peak] = server.child().MemoryMiB();
  std::printf("\nserver memory: %.0f MiB resident, %.0f MiB peak\n", rss, peak);
  return 0;
}
