#include "lib/store/blob/local_blob_store.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "lib/core/crypto.h"
#include "lib/store/blob/testing/blob_store_conformance.h"

namespace tokkit {
namespace {

class LocalBlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    root_ = std::string(std::getenv("TEST_TMPDIR")) + "/blobs_" +
            HexEncode(RandomBytes(4));
    auto s = LocalBlobStore::Open(root_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  size_t TempFiles() {
    size_t n = 0;
    for (auto& e : std::filesystem::directory_iterator(root_ + "/.tmp")) {
      (void)e;
      ++n;
    }
    return n;
  }
  std::string root_;
  std::unique_ptr<LocalBlobStore> store_;
};

TEST_F(LocalBlobStoreTest, Conformance) {
  ::tokkit::testing::TestBlobCommitVisibility(*store_);
  ::tokkit::testing::TestBlobRangeReads(*store_);
  ::tokkit::testing::TestBlobOverwriteAndDelete(*store_);
  EXPECT_EQ(store_->SignedReadUrl("conformance/range.bin", absl::Minutes(1))
                .status()
                .code(),
            absl::StatusCode::kUnimplemented);
}

TEST_F(LocalBlobStoreTest, StreamedWriteBecomesVisibleOnlyOnCommit) {
  auto w = store_->NewWriter("avatars/1/a.png");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("hello ").ok());
  ASSERT_TRUE((*w)->Append("world").ok());
  EXPECT_EQ((*w)->bytes_written(), 11);
  EXPECT_EQ(store_->Read("avatars/1/a.png").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_EQ(*store_->Read("avatars/1/a.png"), "hello world");
  EXPECT_EQ(*store_->Size("avatars/1/a.png"), 11);
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(LocalBlobStoreTest, AbandonedWriterLeavesNothing) {
  {
    auto w = store_->NewWriter("videos/9.mp4");
    ASSERT_TRUE((*w)->Append("partial").ok());
  }
  EXPECT_EQ(store_->Size("videos/9.mp4").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(LocalBlobStoreTest, RangeReads) {
  ASSERT_TRUE(store_->Put("k", "0123456789").ok());
  EXPECT_EQ(*store_->ReadRange("k", 3, 4), "3456");
  EXPECT_EQ(*store_->ReadRange("k", 8, 100), "89");
  EXPECT_EQ(*store_->ReadRange("k", 10, 5), "");
  EXPECT_EQ(store_->ReadRange("k", 11, 1).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(store_->ReadRange("k", -1, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(LocalBlobStoreTest, OverwriteAndIdempotentDelete) {
  ASSERT_TRUE(store_->Put("k", "one").ok());
  ASSERT_TRUE(store_->Put("k", "two").ok());
  EXPECT_EQ(*store_->Read("k"), "two");
  EXPECT_TRUE(store_->Delete("k").ok());
  EXPECT_TRUE(store_->Delete("k").ok());
  EXPECT_EQ(store_->Read("k").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(LocalBlobStoreTest, RejectsKeysThatEscapeTheRoot) {
  for (const char* bad : {"", "../etc/passwd", "/abs", "a//b", "a/./b",
                          "a/../b", "sp ace", "a/b/"}) {
    EXPECT_EQ(store_->NewWriter(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
    EXPECT_EQ(store_->Read(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

// Replicas sharing one directory: a replica starting up must not delete the
// uploads another has in progress, only leftovers of a crash.
TEST_F(LocalBlobStoreTest, AStartingReplicaKeepsOtherReplicasUploads) {
  auto w = store_->NewWriter("videos/1/live.mp4");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("first half ").ok());
  // A crash's leftover, untouched for two hours.
  const std::string stale = root_ + "/.tmp/stale-upload";
  { std::ofstream(stale) << "old"; }
  std::filesystem::last_write_time(
      stale,
      std::filesystem::file_time_type::clock::now() - std::chrono::hours(2));
  auto other = LocalBlobStore::Open(root_);  // another replica starts
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_FALSE(std::filesystem::exists(stale));
  ASSERT_TRUE((*w)->Append("second half").ok());
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_EQ((*other)->Read("videos/1/live.mp4").value_or(""),
            "first half second half");
}

}  // namespace
}  // namespace tokkit
