#include "lib/core/status_macros.h"

#include <memory>

#include "gtest/gtest.h"

namespace tokkit {
namespace {

absl::Status Fails() { return absl::NotFoundError("missing"); }
absl::StatusOr<int> Seven() { return 7; }
absl::StatusOr<int> NoInt() { return absl::InvalidArgumentError("bad"); }
absl::StatusOr<std::unique_ptr<int>> MoveOnly() {
  return std::make_unique<int>(3);
}

absl::Status ReturnsEarly(bool* reached) {
  RETURN_IF_ERROR(Fails());
  *reached = true;
  return absl::OkStatus();
}

absl::StatusOr<int> AddsOne(absl::StatusOr<int> (*f)()) {
  ASSIGN_OR_RETURN(int v, f());
  return v + 1;
}

absl::StatusOr<int> TwoInOneScope() {
  ASSIGN_OR_RETURN(int a, Seven());
  ASSIGN_OR_RETURN(std::unique_ptr<int> b, MoveOnly());
  return a + *b;
}

TEST(StatusMacros, ReturnIfErrorStopsAtFirstError) {
  bool reached = false;
  EXPECT_EQ(ReturnsEarly(&reached).code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(reached);
}

TEST(StatusMacros, AssignOrReturnPassesValueOrError) {
  EXPECT_EQ(*AddsOne(&Seven), 8);
  EXPECT_EQ(AddsOne(&NoInt).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AddsOne(&NoInt).status().message(), "bad");
}

TEST(StatusMacros, SeveralAssignmentsAndMoveOnlyValues) {
  EXPECT_EQ(*TwoInOneScope(), 10);
}

}  // namespace
}  // namespace tokkit
