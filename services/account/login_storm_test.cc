// Regression: logins had no concurrency bound. 32 concurrent Login calls took
// the process to 1.15 GiB (argon2id takes 64 MiB each) and anyone can send
// them without an account. With hashing bounded, 64 concurrent logins keep
// the peak RSS near (bound + 1) x 64 MiB, and every call ends with an answer
// (a login, or RESOURCE_EXHAUSTED / DEADLINE_EXCEEDED), none with a crash.
#include <grpcpp/grpcpp.h>
#include <sys/resource.h>

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "lib/platform/testing/test_platform.h"
#include "services/account/account_grpc_service.h"
#include "services/common/testing/grpc_test_server.h"

namespace tokkit {
namespace {

using ::tokkit::testing::BearerContext;
using ::tokkit::testing::GrpcTestServer;
using ::tokkit::testing::TestPlatform;
namespace pb = ::tokkit::account::v1;

int64_t PeakRssMiB() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;  // KiB on Linux
}

TEST(LoginStormTest, SixtyFourConcurrentLoginsKeepMemoryBounded) {
  auto tp = TestPlatform::Create("sqlite", [](PlatformConfig& c) {
    c.password_hashing = account::PasswordHashOptions();  // the real 64 MiB
    c.password_hashing.max_concurrent = 2;
  });
  ASSERT_TRUE(tp.ok()) << tp.status();
  AccountGrpcService service(&(*tp)->platform().accounts());
  auto server = GrpcTestServer::Start((*tp)->platform(), {&service});
  ASSERT_TRUE(server.ok());
  auto stub = pb::AccountService::NewStub((*server)->channel());
  ASSERT_TRUE((*tp)->SignUp("alice").ok());
  const int64_t before = PeakRssMiB();

  std::atomic<int> logged_in{0}, refused{0}, other{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 64; ++i) {
    clients.emplace_back([&, i] {
      pb::LoginRequest req;
      req.set_login(i % 2 == 0 ? "alice" : "nobody" + std::to_string(i));
      req.set_password(TestPlatform::kPassword);
      pb::LoginResponse resp;
      auto ctx = BearerContext();
      const grpc::StatusCode code =
          stub->Login(ctx.get(), req, &resp).error_code();
      if (code == grpc::StatusCode::OK) {
        ++logged_in;
      } else if (code == grpc::StatusCode::RESOURCE_EXHAUSTED ||
                 code == grpc::StatusCode::DEADLINE_EXCEEDED ||
                 code == grpc::StatusCode::UNAUTHENTICATED) {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (std::thread& t : clients) t.join();
  const int64_t grew = PeakRssMiB() - before;
  EXPECT_EQ(logged_in + refused + other, 64);
  EXPECT_EQ(other.load(), 0);
  EXPECT_GT(logged_in.load(), 0);
#ifndef THREAD_SANITIZER
  // Two hashes of 64 MiB at a time, plus room for threads and buffers.
  // (Under TSan the shadow of every touched page counts too; that run is
  // for the races, not the bound.)
  EXPECT_LT(grew, 2 * 64 + 96) << "peak RSS grew by " << grew << " MiB";
#else
  (void)grew;
#endif
}

}  // namespace
}  // namespace tokkit
