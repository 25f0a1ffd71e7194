#include "services/social/social_convert.h"

namespace tokkit {

int64_t Millis(absl::Time t) { return absl::ToUnixMillis(t); }

void ToProto(const social::ToggleResult& r, socialpb::LikeResult* out) {
  out->set_changed(r.changed);
  out->set_liked(r.active);
  out->set_like_count(r.count);
}

void ToProto(const social::Comment& c, socialpb::Comment* out) {
  out->set_id(c.id);
  out->set_video_id(c.video_id);
  out->set_author_id(c.author_id);
  out->set_root_id(c.root_id);
  out->set_reply_to_id(c.reply_to_id);
  out->set_reply_to_user_id(c.reply_to_user_id);
  out->set_body(c.body);
  out->set_like_count(c.like_count);
  out->set_reply_count(c.reply_count);
  out->set_deleted(c.deleted);
  out->set_liked_by_viewer(c.liked_by_viewer);
  out->set_created_at_ms(Millis(c.created_at));
}

void ToProto(const social::UserSummary& u, socialpb::UserSummary* out) {
  out->set_id(u.id);
  out->set_username(u.username);
  out->set_display_name(u.display_name);
  out->set_has_avatar(u.has_avatar);
}

void ToProto(const social::Message& m, socialpb::Message* out) {
  out->set_id(m.id);
  out->set_sender_id(m.sender_id);
  out->set_recipient_id(m.recipient_id);
  out->set_body(m.body);
  out->set_client_message_id(m.client_message_id);
  out->set_created_at_ms(Millis(m.created_at));
}

void ToProto(const social::Conversation& c, socialpb::Conversation* out) {
  out->mutable_peer()->set_id(c.peer_id);
  out->set_last_read_message_id(c.last_read_id);
  out->set_unread_count(c.unread_count);
}

void ToProto(const Page<social::Comment>& page,
             socialpb::ListCommentsResponse* out) {
  for (const social::Comment& c : page.items) ToProto(c, out->add_comments());
  out->set_next_page_token(page.next_page_token);
}

void ToProto(const Page<social::FollowEntry>& page,
             socialpb::ListUsersResponse* out) {
  for (const social::FollowEntry& e : page.items) {
    socialpb::FollowEntry* entry = out->add_entries();
    ToProto(e.user, entry->mutable_user());
    entry->set_since_ms(Millis(e.since));
    entry->set_followed_by_viewer(e.followed_by_viewer);
  }
  out->set_next_page_token(page.next_page_token);
}

}  // namespace tokkit
