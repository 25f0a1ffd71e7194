// Social RPCs end to end over loopback gRPC, including the live chat stream
// with two clients, on every backend.
#include "services/social/social_grpc_service.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "lib/feed/sql_repository.h"
#include "lib/platform/testing/test_platform.h"
#include "lib/store/sql/testing/test_database.h"
#include "services/common/testing/grpc_test_server.h"

namespace tokkit {
namespace {

using ::tokkit::testing::BearerContext;
using ::tokkit::testing::GrpcTestServer;
using ::tokkit::testing::TestBackends;
using ::tokkit::testing::TestPlatform;
namespace pb = ::tokkit::social::v1;
using ChatStream =
    grpc::ClientReaderWriter<pb::ChatClientFrame, pb::ChatServerFrame>;

struct TestUser {
  int64_t id;
  std::string token;
};

class SocialGrpcTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto t = TestPlatform::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status();
    tp_ = std::move(*t);
    service_ = std::make_unique<SocialGrpcService>(&tp_->platform().social(),
                                                   &tp_->platform().chat());
    auto server = GrpcTestServer::Start(tp_->platform(), {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = pb::SocialService::NewStub(server_->channel());
  }

  TestUser User(const std::string& name) {
    auto login = tp_->SignUp(name);
    EXPECT_TRUE(login.ok()) << login.status();
    return {login->user.id, login->tokens.access_token};
  }

  int64_t Video(int64_t author) {
    auto repo = feed::NewSqlVideoRepository(&tp_->platform().database());
    feed::Video v;
    v.id = 5000 + (++videos_);
    v.author_id = author;
    v.title = "clip";
    v.video_key = "videos/x.mp4";
    v.video_mime = "video/mp4";
    v.video_sha256 = "00";
    v.created_at = tp_->clock().Now();
    EXPECT_TRUE(repo->Create(v).ok());
    return v.id;
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token = "") {
    return BearerContext(token);
  }

  // Reads frames until one satisfies `want` (skipping others), or fails.
  template <typename Pred>
  pb::ChatServerFrame ReadUntil(ChatStream* s, Pred want) {
    pb::ChatServerFrame f;
    while (s->Read(&f)) {
      if (want(f)) return f;
    }
    ADD_FAILURE() << "stream ended before the expected frame";
    return f;
  }

  std::unique_ptr<TestPlatform> tp_;
  std::unique_ptr<SocialGrpcService> service_;
  std::unique_ptr<GrpcTestServer> server_;
  std::unique_ptr<pb::SocialService::Stub> stub_;
  int videos_ = 0;
};

TEST_P(SocialGrpcTest, LikesCommentsFollowsOverTheWire) {
  TestUser author = User("author"), fan = User("fan");
  const int64_t v = Video(author.id);
  pb::VideoRequest vr;
  vr.set_video_id(v);
  pb::LikeResult like;
  EXPECT_EQ(stub_->LikeVideo(Ctx().get(), vr, &like).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(stub_->LikeVideo(Ctx(fan.token).get(), vr, &like).ok());
  EXPECT_EQ(like.like_count(), 1);
  ASSERT_TRUE(stub_->LikeVideo(Ctx(fan.token).get(), vr, &like).ok());
  EXPECT_FALSE(like.changed());

  pb::AddCommentRequest add;
  add.set_video_id(v);
  add.set_body("so good");
  pb::Comment root;
  ASSERT_TRUE(stub_->AddComment(Ctx(fan.token).get(), add, &root).ok());
  add.set_body("");
  pb::Comment bad;
  EXPECT_EQ(stub_->AddComment(Ctx(fan.token).get(), add, &bad).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Public reads work anonymously; a bad token is still refused.
  pb::GetVideoStatesRequest states;
  states.add_video_ids(v);
  pb::GetVideoStatesResponse got;
  ASSERT_TRUE(stub_->GetVideoStates(Ctx().get(), states, &got).ok());
  EXPECT_EQ(got.states(0).like_count(), 1);
  EXPECT_EQ(got.states(0).comment_count(), 1);
  EXPECT_FALSE(got.states(0).liked_by_viewer());
  ASSERT_TRUE(stub_->GetVideoStates(Ctx(fan.token).get(), states, &got).ok());
  EXPECT_TRUE(got.states(0).liked_by_viewer());
  EXPECT_EQ(
      stub_->GetVideoStates(Ctx("forged").get(), states, &got).error_code(),
      grpc::StatusCode::UNAUTHENTICATED);

  pb::ListCommentsRequest list;
  list.set_video_id(v);
  pb::ListCommentsResponse comments;
  ASSERT_TRUE(stub_->ListComments(Ctx().get(), list, &comments).ok());
  ASSERT_EQ(comments.comments_size(), 1);
  EXPECT_EQ(comments.comments(0).body(), "so good");

  pb::CommentRequest del;
  del.set_comment_id(root.id());
  pb::Empty empty;
  TestUser stranger = User("stranger");
  EXPECT_EQ(
      stub_->DeleteComment(Ctx(stranger.token).get(), del, &empty).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(stub_->DeleteComment(Ctx(author.token).get(), del, &empty).ok());

  pb::UserRequest follow;
  follow.set_user_id(author.id);
  pb::FollowResult fr;
  ASSERT_TRUE(stub_->Follow(Ctx(fan.token).get(), follow, &fr).ok());
  EXPECT_EQ(fr.follower_count(), 1);
  follow.set_user_id(fan.id);
  EXPECT_EQ(stub_->Follow(Ctx(fan.token).get(), follow, &fr).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  pb::ListUsersRequest lu;
  lu.set_user_id(author.id);
  pb::ListUsersResponse followers;
  ASSERT_TRUE(stub_->ListFollowers(Ctx().get(), lu, &followers).ok());
  ASSERT_EQ(followers.entries_size(), 1);
  EXPECT_EQ(followers.entries(0).user().username(), "fan");
  lu.set_page_token("%%%");
  EXPECT_EQ(stub_->ListFollowers(Ctx().get(), lu, &followers).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_P(SocialGrpcTest, ChatStreamsBetweenTwoClientsAndCatchesUpOnReconnect) {
  TestUser alice = User("alice"), bob = User("bob");
  auto alice_ctx = Ctx(alice.token);
  std::unique_ptr<ChatStream> a = stub_->Chat(alice_ctx.get());
  auto bob_ctx = Ctx(bob.token);
  std::unique_ptr<ChatStream> b = stub_->Chat(bob_ctx.get());
  // Live delivery is on once the server's initial metadata arrives.
  a->WaitForInitialMetadata();
  b->WaitForInitialMetadata();

  pb::ChatClientFrame send;
  send.mutable_send()->set_recipient_id(bob.id);
  send.mutable_send()->set_body("hi bob");
  send.mutable_send()->set_client_message_id("a-1");
  ASSERT_TRUE(a->Write(send));
  pb::ChatServerFrame ack =
      ReadUntil(a.get(), [](const auto& f) { return f.has_ack(); });
  EXPECT_EQ(ack.ack().client_message_id(), "a-1");
  const int64_t first_id = ack.ack().message().id();
  EXPECT_GT(first_id, 0);
  pb::ChatServerFrame live =
      ReadUntil(b.get(), [](const auto& f) { return f.has_message(); });
  EXPECT_EQ(live.message().id(), first_id);
  EXPECT_EQ(live.message().body(), "hi bob");
  EXPECT_EQ(live.message().sender_id(), alice.id);

  // A bad frame gets an error frame; the stream stays open.
  pb::ChatClientFrame to_self = send;
  to_self.mutable_send()->set_recipient_id(alice.id);
  to_self.mutable_send()->set_client_message_id("a-2");
  ASSERT_TRUE(a->Write(to_self));
  pb::ChatServerFrame err =
      ReadUntil(a.get(), [](const auto& f) { return f.has_error(); });
  EXPECT_EQ(err.error().code(),
            static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(err.error().client_message_id(), "a-2");

  pb::ChatClientFrame read;
  read.mutable_mark_read()->set_peer_id(alice.id);
  read.mutable_mark_read()->set_up_to_message_id(first_id);
  ASSERT_TRUE(b->Write(read));
  pb::ChatServerFrame r =
      ReadUntil(b.get(), [](const auto& f) { return f.has_read(); });
  EXPECT_EQ(r.read().unread_count(), 0);

  // Bob goes offline; Alice sends two more (unary this time).
  b->WritesDone();
  for (pb::ChatServerFrame rest; b->Read(&rest);) {
  }
  EXPECT_TRUE(b->Finish().ok());
  std::vector<int64_t> offline;
  for (const char* body : {"are you there?", "call me"}) {
    pb::SendMessageRequest req;
    req.set_recipient_id(bob.id);
    req.set_body(body);
    pb::Message m;
    ASSERT_TRUE(stub_->SendMessage(Ctx(alice.token).get(), req, &m).ok());
    offline.push_back(m.id());
  }
  // Stored and counted while he was away.
  pb::ListConversationsRequest lc;
  pb::ListConversationsResponse convs;
  ASSERT_TRUE(stub_->ListConversations(Ctx(bob.token).get(), lc, &convs).ok());
  ASSERT_EQ(convs.conversations_size(), 1);
  EXPECT_EQ(convs.conversations(0).unread_count(), 2);
  EXPECT_EQ(convs.conversations(0).peer().username(), "alice");

  auto bob_ctx2 = Ctx(bob.token);
  std::unique_ptr<ChatStream> b2 = stub_->Chat(bob_ctx2.get());
  b2->WaitForInitialMetadata();
  pb::ChatClientFrame hello;
  hello.mutable_hello()->set_last_seen_message_id(first_id);
  ASSERT_TRUE(b2->Write(hello));
  pb::ChatServerFrame m1 =
      ReadUntil(b2.get(), [](const auto& f) { return f.has_message(); });
  pb::ChatServerFrame m2 =
      ReadUntil(b2.get(), [](const auto& f) { return f.has_message(); });
  EXPECT_EQ(m1.message().id(), offline[0]);
  EXPECT_EQ(m2.message().id(), offline[1]);

  // And the reconnected stream is live again.
  send.mutable_send()->set_client_message_id("a-3");
  send.mutable_send()->set_body("welcome back");
  ASSERT_TRUE(a->Write(send));
  pb::ChatServerFrame m3 =
      ReadUntil(b2.get(), [](const auto& f) { return f.has_message(); });
  EXPECT_EQ(m3.message().body(), "welcome back");

  pb::ListMessagesRequest hist;
  hist.set_peer_id(alice.id);
  hist.set_page_size(2);
  pb::ListMessagesResponse page;
  ASSERT_TRUE(stub_->ListMessages(Ctx(bob.token).get(), hist, &page).ok());
  ASSERT_EQ(page.messages_size(), 2);
  EXPECT_EQ(page.messages(0).body(), "welcome back");
  EXPECT_FALSE(page.next_page_token().empty());
  // Regression: an unknown direction was read as "older".
  hist.set_direction(static_cast<pb::Direction>(7));
  grpc::Status bad = stub_->ListMessages(Ctx(bob.token).get(), hist, &page);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(bad.error_message(), "direction"))
      << bad.error_message();

  // Close: half-close, drain what is left, then Finish (gRPC's contract).
  for (ChatStream* s : {a.get(), b2.get()}) {
    s->WritesDone();
    pb::ChatServerFrame rest;
    while (s->Read(&rest)) {
    }
    EXPECT_TRUE(s->Finish().ok());
  }
}

TEST_P(SocialGrpcTest, ChatNeedsAToken) {
  auto ctx = Ctx();
  std::unique_ptr<ChatStream> s = stub_->Chat(ctx.get());
  s->WritesDone();
  EXPECT_EQ(s->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

INSTANTIATE_TEST_SUITE_P(Backends, SocialGrpcTest,
                         ::testing::ValuesIn(TestBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tokkit
