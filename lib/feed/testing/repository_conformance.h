// The video repository's contract (lists and cursors, tags, soft delete,
// search, views and popularity), as a suite every storage backend
// instantiates with its StorageUnderTest (lib/platform/testing).
#ifndef TOKKIT_LIB_FEED_TESTING_REPOSITORY_CONFORMANCE_H_
#define TOKKIT_LIB_FEED_TESTING_REPOSITORY_CONFORMANCE_H_

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/feed/repository.h"
#include "lib/platform/testing/storage_under_test.h"

namespace tokkit::feed {

inline constexpr absl::Time kConformanceNow = absl::FromUnixSeconds(1767225600);

class VideoRepositoryConformance
    : public ::testing::TestWithParam<::tokkit::testing::StorageUnderTest> {
 protected:
  void SetUp() override {
    auto t = ::tokkit::testing::TestStorage::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status();
    storage_ = std::move(*t);
    repo_ = std::move(storage_->repos().videos);
  }

  Video Make(int64_t id, int64_t author, const std::string& title,
             const std::string& description = "",
             std::vector<std::string> tags = {}) {
    Video v;
    v.id = id;
    v.author_id = author;
    v.author_name = "author" + std::to_string(author);
    v.title = title;
    v.description = description;
    v.tags = std::move(tags);
    v.video_key = "videos/" + std::to_string(id) + ".mp4";
    v.video_mime = "video/mp4";
    v.video_bytes = 10;
    v.video_sha256 = "ab";
    v.created_at = kConformanceNow + absl::Seconds(id);
    absl::Status st = repo_->Create(v);
    EXPECT_TRUE(st.ok()) << st;
    return v;
  }

  std::vector<int64_t> Ids(const std::vector<Video>& vs) {
    std::vector<int64_t> out;
    for (const Video& v : vs) out.push_back(v.id);
    return out;
  }

  std::vector<int64_t> SearchIds(const std::string& q) {
    auto hits = repo_->Search(q, 0, 20);
    EXPECT_TRUE(hits.ok()) << hits.status();
    std::vector<int64_t> out;
    for (const auto& h :
         hits.value_or(std::vector<VideoRepository::SearchHit>{})) {
      out.push_back(h.video.id);
    }
    return out;
  }

  std::unique_ptr<::tokkit::testing::TestStorage> storage_;
  std::unique_ptr<VideoRepository> repo_;
};

}  // namespace tokkit::feed

#endif  // TOKKIT_LIB_FEED_TESTING_REPOSITORY_CONFORMANCE_H_
