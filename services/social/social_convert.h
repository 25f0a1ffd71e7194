// proto <-> model conversions of the social domain, shared by the unary
// handlers and the chat stream.
#ifndef TOKKIT_SERVICES_SOCIAL_SOCIAL_CONVERT_H_
#define TOKKIT_SERVICES_SOCIAL_SOCIAL_CONVERT_H_

#include "lib/core/cursor.h"
#include "lib/social/model.h"
#include "lib/social/social_service.h"
#include "proto/tokkit/social/v1/social.pb.h"

namespace tokkit {

namespace socialpb = ::tokkit::social::v1;

int64_t Millis(absl::Time t);
void ToProto(const social::ToggleResult& r, socialpb::LikeResult* out);
void ToProto(const social::Comment& c, socialpb::Comment* out);
void ToProto(const social::UserSummary& u, socialpb::UserSummary* out);
void ToProto(const social::Message& m, socialpb::Message* out);
void ToProto(const social::Conversation& c, socialpb::Conversation* out);
void ToProto(const Page<social::Comment>& page,
             socialpb::ListCommentsResponse* out);
void ToProto(const Page<social::FollowEntry>& page,
             socialpb::ListUsersResponse* out);

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_SOCIAL_SOCIAL_CONVERT_H_
