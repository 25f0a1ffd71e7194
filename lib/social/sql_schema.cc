// Versioned schema of the social domain (append-only).
#include "absl/strings/str_cat.h"
#include "lib/social/sql_repository.h"

namespace tokkit::social {
namespace {

constexpr char kChatTables[] = R"sql(
CREATE TABLE messages (
  id BIGINT PRIMARY KEY,
  conversation_key VARCHAR(64) NOT NULL,
  sender_id BIGINT NOT NULL,
  recipient_id BIGINT NOT NULL,
  body VARCHAR(8000) NOT NULL,
  client_message_id VARCHAR(64) NOT NULL DEFAULT '',
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX messages_conversation_idx ON messages (conversation_key, id);
CREATE INDEX messages_sender_idx ON messages (sender_id, id);
CREATE INDEX messages_recipient_idx ON messages (recipient_id, id);
CREATE TABLE conversations (
  user_id BIGINT NOT NULL,
  peer_id BIGINT NOT NULL,
  last_message_id BIGINT NOT NULL DEFAULT 0,
  last_read_id BIGINT NOT NULL DEFAULT 0,
  unread_count BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, peer_id)
);
CREATE INDEX conversations_recent_idx ON conversations (user_id, last_message_id);
)sql";

}  // namespace

const std::vector<Migration>& SocialMigrations() {
  static const auto* migrations = new std::vector<Migration>{
      {1, "likes and video stats",
       R"sql(
CREATE TABLE video_likes (
  video_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  like_id BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (video_id, user_id)
);
CREATE INDEX video_likes_user_idx ON video_likes (user_id, like_id);
CREATE TABLE video_stats (
  video_id BIGINT PRIMARY KEY,
  like_count BIGINT NOT NULL DEFAULT 0,
  comment_count BIGINT NOT NULL DEFAULT 0
);
)sql"},
      {2, "comments",
       R"sql(
CREATE TABLE comments (
  id BIGINT PRIMARY KEY,
  video_id BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  root_id BIGINT NOT NULL DEFAULT 0,
  reply_to_id BIGINT NOT NULL DEFAULT 0,
  reply_to_user_id BIGINT NOT NULL DEFAULT 0,
  body VARCHAR(2000) NOT NULL,
  like_count BIGINT NOT NULL DEFAULT 0,
  reply_count BIGINT NOT NULL DEFAULT 0,
  deleted SMALLINT NOT NULL DEFAULT 0,
  created_at_ms BIGINT NOT NULL,
  deleted_at_ms BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX comments_video_idx ON comments (video_id, root_id, id);
CREATE INDEX comments_root_idx ON comments (root_id, id);
CREATE TABLE comment_likes (
  comment_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (comment_id, user_id)
);
)sql"},
      {3, "follows",
       R"sql(
CREATE TABLE follows (
  follower_id BIGINT NOT NULL,
  followee_id BIGINT NOT NULL,
  follow_id BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (follower_id, followee_id)
);
CREATE INDEX follows_follower_idx ON follows (follower_id, follow_id);
CREATE INDEX follows_followee_idx ON follows (followee_id, follow_id);
CREATE TABLE user_stats (
  user_id BIGINT PRIMARY KEY,
  follower_count BIGINT NOT NULL DEFAULT 0,
  following_count BIGINT NOT NULL DEFAULT 0
);
)sql"},
      {4, "chat", absl::StrCat(kChatTables, R"sql(
CREATE UNIQUE INDEX messages_client_id_uq ON messages (sender_id, client_message_id) WHERE client_message_id <> '';
)sql"),
       "",
       // MySQL has no partial index: a generated column that is NULL for
       // messages without a client id (NULLs never collide in a unique key).
       absl::StrCat(kChatTables, R"sql(
ALTER TABLE messages ADD COLUMN client_key VARCHAR(64) AS (NULLIF(client_message_id, '')) STORED;
CREATE UNIQUE INDEX messages_client_id_uq ON messages (sender_id, client_key);
)sql")},
      // Likes given and received per user, kept like the follow counts and
      // filled in here once from the existing likes; received ones through
      // the videos table for their authors (the feed module migrates first).
      {5, "likes given and received per user",
       R"sql(
ALTER TABLE user_stats ADD COLUMN likes_given BIGINT NOT NULL DEFAULT 0;
ALTER TABLE user_stats ADD COLUMN likes_received BIGINT NOT NULL DEFAULT 0;
INSERT INTO user_stats (user_id) SELECT DISTINCT user_id FROM video_likes WHERE user_id NOT IN (SELECT user_id FROM user_stats);
INSERT INTO user_stats (user_id) SELECT DISTINCT v.author_id FROM video_likes l JOIN videos v ON v.id = l.video_id WHERE v.author_id NOT IN (SELECT user_id FROM user_stats);
UPDATE user_stats SET likes_given = (SELECT COUNT(*) FROM video_likes l WHERE l.user_id = user_stats.user_id), likes_received = (SELECT COUNT(*) FROM video_likes l JOIN videos v ON v.id = l.video_id WHERE v.author_id = user_stats.user_id);
)sql"},
  };
  return *migrations;
}

}  // namespace tokkit::social
