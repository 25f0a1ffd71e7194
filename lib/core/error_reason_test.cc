#include "lib/core/error_reason.h"

#include "gtest/gtest.h"

namespace tokkit {
namespace {

TEST(ErrorReason, AttachesToErrorsOnly) {
  absl::Status st =
      WithReason(absl::UnauthenticatedError("code needed"), "TOTP_REQUIRED");
  EXPECT_EQ(ReasonOf(st), "TOTP_REQUIRED");
  EXPECT_EQ(st.message(), "code needed");
  EXPECT_EQ(ReasonOf(absl::InternalError("x")), "");
  EXPECT_TRUE(WithReason(absl::OkStatus(), "X").ok());
  EXPECT_EQ(ReasonOf(WithReason(absl::OkStatus(), "X")), "");
}

}  // namespace
}  // namespace tokkit

namespace tokkit {
namespace {

TEST(ErrorReason, InternalDetailIsNotClientSafe) {
  EXPECT_TRUE(IsClientSafe(absl::InvalidArgumentError("title is empty")));
  EXPECT_TRUE(IsClientSafe(absl::UnavailableError("try later")));
  EXPECT_FALSE(IsClientSafe(absl::InternalError("anything")));
  EXPECT_FALSE(IsClientSafe(absl::UnknownError("anything")));
  EXPECT_FALSE(IsClientSafe(absl::DataLossError("anything")));
  absl::Status driver = WithInternalDetail(
      absl::UnavailableError("could not connect to 10.0.0.5"));
  EXPECT_TRUE(HasInternalDetail(driver));
  EXPECT_FALSE(IsClientSafe(driver));
  // Survives a reason being added.
  EXPECT_FALSE(IsClientSafe(WithReason(driver, "X")));
}

}  // namespace
}  // namespace tokkit
