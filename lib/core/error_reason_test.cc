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
