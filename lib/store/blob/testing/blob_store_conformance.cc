#include "lib/store/blob/testing/blob_store_conformance.h"

#include "gtest/gtest.h"

namespace tokkit::testing {

void TestBlobCommitVisibility(BlobStore& store) {
  auto w = store.NewWriter("conformance/commit.bin");
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE((*w)->Append("hello ").ok());
  ASSERT_TRUE((*w)->Append("world").ok());
  EXPECT_EQ((*w)->bytes_written(), 11);
  EXPECT_EQ(store.Read("conformance/commit.bin").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_EQ(store.Read("conformance/commit.bin").value_or(""), "hello world");
  EXPECT_EQ(store.Size("conformance/commit.bin").value_or(-1), 11);

  {
    auto abandoned = store.NewWriter("conformance/abandoned.bin");
    ASSERT_TRUE(abandoned.ok());
    ASSERT_TRUE((*abandoned)->Append("partial").ok());
  }
  EXPECT_EQ(store.Size("conformance/abandoned.bin").status().code(),
            absl::StatusCode::kNotFound);
  // An empty blob is a blob.
  ASSERT_TRUE(store.Put("conformance/empty.bin", "").ok());
  EXPECT_EQ(store.Size("conformance/empty.bin").value_or(-1), 0);
  EXPECT_EQ(store.Read("conformance/empty.bin").value_or("x"), "");
}

void TestBlobRangeReads(BlobStore& store) {
  ASSERT_TRUE(store.Put("conformance/range.bin", "0123456789").ok());
  EXPECT_EQ(store.ReadRange("conformance/range.bin", 2, 3).value_or(""), "234");
  EXPECT_EQ(store.ReadRange("conformance/range.bin", 7, -1).value_or(""),
            "789");
  EXPECT_EQ(store.ReadRange("conformance/range.bin", 8, 100).value_or(""),
            "89");
  EXPECT_EQ(store.ReadRange("conformance/range.bin", 0, 0).value_or("x"), "");
  EXPECT_EQ(store.ReadRange("conformance/range.bin", 10, 5).value_or("x"), "");
  EXPECT_EQ(store.ReadRange("conformance/range.bin", 11, 1).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(store.ReadRange("conformance/missing.bin", 0, 1).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store.Size("conformance/missing.bin").status().code(),
            absl::StatusCode::kNotFound);
}

void TestBlobOverwriteAndDelete(BlobStore& store) {
  ASSERT_TRUE(store.Put("conformance/over.bin", "first").ok());
  ASSERT_TRUE(store.Put("conformance/over.bin", "second!").ok());
  EXPECT_EQ(store.Read("conformance/over.bin").value_or(""), "second!");
  ASSERT_TRUE(store.Delete("conformance/over.bin").ok());
  EXPECT_EQ(store.Read("conformance/over.bin").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store.Delete("conformance/over.bin").ok());
  for (const char* bad : {"", "../x", "a//b", "a/./b", "sp ace", "q?x"}) {
    EXPECT_EQ(store.Put(bad, "x").code(), absl::StatusCode::kInvalidArgument)
        << bad;
    EXPECT_EQ(store.Read(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

}  // namespace tokkit::testing
