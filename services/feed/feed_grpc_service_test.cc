// Upload, ranged download, feeds and search over loopback gRPC, on every
// backend.
#include "services/feed/feed_grpc_service.h"

#include <grpcpp/grpcpp.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "lib/core/crypto.h"
#include "lib/platform/testing/test_platform.h"
#include "lib/store/sql/testing/test_database.h"
#include "services/common/testing/grpc_test_server.h"

namespace tokkit {
namespace {

using ::tokkit::testing::BearerContext;
using ::tokkit::testing::GrpcTestServer;
using ::tokkit::testing::SqlStorages;
using ::tokkit::testing::StorageTestName;
using ::tokkit::testing::TestPlatform;
namespace pb = ::tokkit::feed::v1;

class FeedGrpcTest
    : public ::testing::TestWithParam<::tokkit::testing::StorageUnderTest> {
 protected:
  void SetUp() override {
    auto t = TestPlatform::Create(GetParam(), [](PlatformConfig& c) {
      c.feed.view_flush_interval = absl::ZeroDuration();
      c.feed.max_video_bytes = 1 << 20;
    });
    ASSERT_TRUE(t.ok()) << t.status();
    tp_ = std::move(*t);
    service_ = std::make_unique<FeedGrpcService>(&tp_->platform().feed());
    auto server = GrpcTestServer::Start(tp_->platform(), {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = pb::FeedService::NewStub(server_->channel());
  }

  std::string Token(const std::string& name) {
    return tp_->SignUp(name)->tokens.access_token;
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token = "") {
    return BearerContext(token);
  }

  grpc::Status Upload(const std::string& token, const std::string& title,
                      const std::string& video, const std::string& cover,
                      pb::Video* out, std::vector<std::string> tags = {}) {
    auto ctx = Ctx(token);
    auto writer = stub_->PublishVideo(ctx.get(), out);
    pb::PublishVideoRequest part;
    part.mutable_metadata()->set_title(title);
    for (const std::string& t : tags) part.mutable_metadata()->add_tags(t);
    writer->Write(part);
    for (size_t off = 0; off < video.size(); off += 64 * 1024) {
      pb::PublishVideoRequest chunk;
      chunk.set_video_chunk(video.substr(off, 64 * 1024));
      if (!writer->Write(chunk)) break;
    }
    if (!cover.empty()) {
      pb::PublishVideoRequest chunk;
      chunk.set_cover_chunk(cover);
      writer->Write(chunk);
    }
    writer->WritesDone();
    return writer->Finish();
  }

  std::string Download(int64_t id, int64_t offset, int64_t length,
                       pb::DownloadChunk* first, grpc::Status* status) {
    pb::DownloadRequest req;
    req.set_video_id(id);
    req.set_offset(offset);
    req.set_length(length);
    auto ctx = Ctx();
    auto reader = stub_->Download(ctx.get(), req);
    std::string data;
    pb::DownloadChunk chunk;
    bool is_first = true;
    while (reader->Read(&chunk)) {
      if (is_first && first != nullptr) *first = chunk;
      is_first = false;
      data += chunk.data();
    }
    *status = reader->Finish();
    return data;
  }

  int BlobFiles() {
    int n = 0;
    for (auto& e : std::filesystem::recursive_directory_iterator(
             tp_->config().blob_dir)) {
      n += e.is_regular_file();
    }
    return n;
  }

  std::unique_ptr<TestPlatform> tp_;
  std::unique_ptr<FeedGrpcService> service_;
  std::unique_ptr<GrpcTestServer> server_;
  std::unique_ptr<pb::FeedService::Stub> stub_;
};

// The smallest MP4 the type check accepts, padded to `bytes`.
std::string Mp4(size_t bytes) {
  std::string video(
      "\0\0\0\x18"
      "ftypmp42",
      12);
  while (video.size() < bytes) video.push_back(static_cast<char>(video.size()));
  return video;
}

TEST_P(FeedGrpcTest, UploadThenDownloadWholeAndRanges) {
  const std::string token = Token("alice");
  std::string video = std::string(
      "\0\0\0\x18"
      "ftypmp42",
      12);
  for (int i = 0; i < 200000; ++i) video.push_back(static_cast<char>(i * 7));
  pb::Video v;
  grpc::Status st =
      Upload(token, "Cooking dumplings", video,
             std::string("\xFF\xD8\xFF\xE0", 4) + "jpeg", &v, {"food"});
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(v.video_bytes(), static_cast<int64_t>(video.size()));
  EXPECT_EQ(v.video_sha256(), Sha256Hex(video));
  EXPECT_TRUE(v.has_cover());

  pb::DownloadChunk first;
  std::string whole = Download(v.id(), 0, 0, &first, &st);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(whole, video);  // several 64 KiB chunks reassembled
  EXPECT_EQ(first.mime_type(), "video/mp4");
  EXPECT_EQ(first.total_bytes(), static_cast<int64_t>(video.size()));
  EXPECT_EQ(Download(v.id(), 100000, 5000, nullptr, &st),
            video.substr(100000, 5000));
  EXPECT_EQ(Download(v.id(), 199990, 1000, nullptr, &st), video.substr(199990));
  Download(v.id(), video.size() + 1, 10, nullptr, &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  Download(v.id() + 12345, 0, 0, nullptr, &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_P(FeedGrpcTest, BadUploadsAreRefusedWithNothingLeft) {
  const std::string token = Token("alice");
  pb::Video v;
  EXPECT_EQ(Upload("", "t",
                   std::string("\0\0\0\x18"
                               "ftypisom",
                               12),
                   "", &v)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status st = Upload(token, "t", "<html>not a video</html>", "", &v);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(st.error_message(), "MP4"))
      << st.error_message();
  st = Upload(token, "t",
              std::string("\0\0\0\x18"
                          "ftypisom",
                          12) +
                  std::string(2 << 20, 'x'),
              "", &v);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  st = Upload(token, "",
              std::string("\0\0\0\x18"
                          "ftypisom",
                          12),
              "", &v);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BlobFiles(), 0);
  pb::VideoPage latest;
  ASSERT_TRUE(stub_->ListLatest(Ctx().get(), pb::PageRequest(), &latest).ok());
  EXPECT_EQ(latest.videos_size(), 0);
}

TEST_P(FeedGrpcTest, FeedsSearchViewsAndDelete) {
  const std::string alice = Token("alice"), bob = Token("bob");
  const std::string mp4 = std::string(
                              "\0\0\0\x18"
                              "ftypisom",
                              12) +
                          "body";
  std::vector<int64_t> ids;
  for (const char* title :
       {"street food tour", "mountain sunrise", "food market"}) {
    pb::Video v;
    ASSERT_TRUE(Upload(alice, title, mp4, "", &v).ok());
    ids.push_back(v.id());
    tp_->clock().Advance(absl::Seconds(1));
  }
  pb::VideoPage page;
  pb::PageRequest two;
  two.set_page_size(2);
  ASSERT_TRUE(stub_->ListLatest(Ctx().get(), two, &page).ok());
  ASSERT_EQ(page.videos_size(), 2);
  EXPECT_EQ(page.videos(0).id(), ids[2]);

  pb::SearchRequest search;
  search.set_query("food");
  ASSERT_TRUE(stub_->Search(Ctx().get(), search, &page).ok());
  EXPECT_EQ(page.videos_size(), 2);
  search.set_query("");
  EXPECT_EQ(stub_->Search(Ctx().get(), search, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  pb::VideoRequest view;
  view.set_video_id(ids[1]);
  pb::Empty empty;
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(stub_->RecordView(Ctx().get(), view, &empty).ok());
  ASSERT_TRUE(tp_->platform().feed().FlushViews().ok());
  pb::PopularPage popular;
  ASSERT_TRUE(stub_->Popular(Ctx().get(), pb::PageRequest(), &popular).ok());
  ASSERT_EQ(popular.videos_size(), 1);
  EXPECT_EQ(popular.videos(0).video().id(), ids[1]);
  EXPECT_EQ(popular.videos(0).video().view_count(), 3);

  pb::PageRequest feed_req;
  feed_req.set_page_size(2);
  pb::VideoPage for_you;
  ASSERT_TRUE(stub_->ForYou(Ctx(bob).get(), feed_req, &for_you).ok());
  EXPECT_EQ(for_you.videos_size(), 2);
  feed_req.set_page_token(for_you.next_page_token());
  pb::VideoPage rest;
  ASSERT_TRUE(stub_->ForYou(Ctx(bob).get(), feed_req, &rest).ok());
  ASSERT_EQ(rest.videos_size(), 1);
  for (const auto& v : for_you.videos()) EXPECT_NE(v.id(), rest.videos(0).id());

  pb::VideoRequest del;
  del.set_video_id(ids[0]);
  EXPECT_EQ(stub_->DeleteVideo(Ctx(bob).get(), del, &empty).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->DeleteVideo(Ctx(alice).get(), del, &empty).ok());
  pb::Video gone;
  EXPECT_EQ(stub_->GetVideo(Ctx().get(), del, &gone).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// GetVideos: one round trip for a list of ids, in the order asked, with the
// counts and the viewer's like state; deleted and unknown ids drop out.
TEST_P(FeedGrpcTest, GetVideosByIdsWithTheViewersLikes) {
  auto alice_login = tp_->SignUp("alice");
  auto carol = tp_->SignUp("carol");
  ASSERT_TRUE(alice_login.ok() && carol.ok());
  const std::string alice = alice_login->tokens.access_token;
  const std::string mp4 = Mp4(16);
  std::vector<int64_t> ids;
  for (const char* title : {"one", "two", "three"}) {
    pb::Video v;
    ASSERT_TRUE(Upload(alice, title, mp4, "", &v).ok());
    ids.push_back(v.id());
  }
  ASSERT_TRUE(
      tp_->platform().social().LikeVideo(carol->principal, ids[1]).ok());
  ASSERT_TRUE(tp_->platform()
                  .social()
                  .AddComment(carol->principal, ids[1], "nice", 0)
                  .ok());
  ASSERT_TRUE(
      tp_->platform().feed().DeleteVideo(alice_login->principal, ids[0]).ok());

  pb::GetVideosRequest req;
  for (int64_t id : {ids[2], ids[0], ids[1], ids[2], int64_t{987654321}}) {
    req.add_video_ids(id);
  }
  pb::GetVideosResponse got;
  ASSERT_TRUE(
      stub_->GetVideos(Ctx(carol->tokens.access_token).get(), req, &got).ok());
  ASSERT_EQ(got.videos_size(), 2);
  EXPECT_EQ(got.videos(0).video().id(), ids[2]);
  EXPECT_EQ(got.videos(0).video().title(), "three");
  EXPECT_FALSE(got.videos(0).liked_by_viewer());
  EXPECT_EQ(got.videos(1).video().id(), ids[1]);
  EXPECT_TRUE(got.videos(1).liked_by_viewer());
  EXPECT_EQ(got.videos(1).like_count(), 1);
  EXPECT_EQ(got.videos(1).comment_count(), 1);
  EXPECT_FALSE(got.videos(1).video().video_url().empty());
  // Anonymous: the same counts, nothing liked.
  ASSERT_TRUE(stub_->GetVideos(Ctx().get(), req, &got).ok());
  ASSERT_EQ(got.videos_size(), 2);
  EXPECT_FALSE(got.videos(1).liked_by_viewer());
  EXPECT_EQ(got.videos(1).like_count(), 1);

  req.add_video_ids(0);
  grpc::Status bad = stub_->GetVideos(Ctx().get(), req, &got);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  pb::GetVideosRequest many;
  for (int i = 1; i <= 101; ++i) many.add_video_ids(i);
  bad = stub_->GetVideos(Ctx().get(), many, &got);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(bad.error_message(), "at most 100"))
      << bad.error_message();
}

// Regression: a stream cancelled after 2 of 5 chunks was published as a
// video with the partial bytes.
TEST_P(FeedGrpcTest, ACancelledUploadStoresNothing) {
  const std::string token = Token("alice");
  const std::string video = Mp4(5 * 64 * 1024);
  for (int attempt = 0; attempt < 5; ++attempt) {
    pb::Video out;
    auto ctx = Ctx(token);
    auto writer = stub_->PublishVideo(ctx.get(), &out);
    pb::PublishVideoRequest part;
    part.mutable_metadata()->set_title("Half a video");
    ASSERT_TRUE(writer->Write(part));
    for (int i = 0; i < 2; ++i) {
      pb::PublishVideoRequest chunk;
      chunk.set_video_chunk(video.substr(i * 64 * 1024, 64 * 1024));
      ASSERT_TRUE(writer->Write(chunk));
    }
    // Let the server consume what was sent and wait for more, then go away
    // without half-closing.
    absl::SleepFor(absl::Milliseconds(100));
    ctx->TryCancel();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  // Give the server's handler time to see the cancellation and unwind.
  absl::SleepFor(absl::Milliseconds(300));
  pb::PageRequest latest;
  pb::VideoPage page;
  ASSERT_TRUE(stub_->ListLatest(Ctx().get(), latest, &page).ok());
  EXPECT_EQ(page.videos_size(), 0);
  EXPECT_EQ(BlobFiles(), 0);

  // A complete upload still works, and declared size/hash are enforced.
  pb::Video ok;
  ASSERT_TRUE(Upload(token, "Whole video", video, "", &ok).ok());
  auto declared = [&](int64_t bytes, const std::string& sha) {
    pb::Video out;
    auto ctx = Ctx(token);
    auto writer = stub_->PublishVideo(ctx.get(), &out);
    pb::PublishVideoRequest part;
    part.mutable_metadata()->set_title("Declared");
    part.mutable_metadata()->set_video_bytes(bytes);
    part.mutable_metadata()->set_video_sha256(sha);
    writer->Write(part);
    pb::PublishVideoRequest chunk;
    chunk.set_video_chunk(video.substr(0, 2 * 64 * 1024));
    writer->Write(chunk);
    writer->WritesDone();
    return writer->Finish();
  };
  const std::string prefix = video.substr(0, 2 * 64 * 1024);
  EXPECT_EQ(declared(video.size(), "").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(declared(0, Sha256Hex(video)).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(declared(prefix.size(), Sha256Hex(prefix)).ok());
  ASSERT_TRUE(stub_->ListLatest(Ctx().get(), latest, &page).ok());
  EXPECT_EQ(page.videos_size(), 2);
}

// Regression: offset + length near INT64_MAX overflowed and returned one
// chunk instead of the rest.
TEST_P(FeedGrpcTest, HugeRangeLengthsReadToTheEnd) {
  const std::string video = Mp4(300 * 1024);
  pb::Video v;
  ASSERT_TRUE(Upload(Token("alice"), "Long", video, "", &v).ok());
  grpc::Status st;
  for (int64_t length : {INT64_MAX, INT64_MAX - 10, int64_t{1} << 62}) {
    const std::string got = Download(v.id(), 100, length, nullptr, &st);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(got, video.substr(100)) << length;
  }
  Download(v.id(), INT64_MAX, 1, nullptr, &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::OUT_OF_RANGE);
}

INSTANTIATE_TEST_SUITE_P(Backends, FeedGrpcTest,
                         ::testing::ValuesIn(SqlStorages()), StorageTestName);

}  // namespace
}  // namespace tokkit
