#include "services/account/account_grpc_service.h"

#include "lib/core/status_macros.h"
#include "services/common/handler.h"
#include "services/common/media_urls.h"

namespace tokkit {
namespace {

using account::Principal;

int64_t Millis(absl::Time t) { return absl::ToUnixMillis(t); }

accountpb::Role ToProto(account::Role r) {
  switch (r) {
    case account::Role::kUser:
      return accountpb::ROLE_USER;
    case account::Role::kMerchant:
      return accountpb::ROLE_MERCHANT;
    case account::Role::kAdmin:
      return accountpb::ROLE_ADMIN;
  }
  return accountpb::ROLE_UNSPECIFIED;
}

absl::StatusOr<account::Role> FromProto(accountpb::Role r) {
  switch (r) {
    case accountpb::ROLE_USER:
      return account::Role::kUser;
    case accountpb::ROLE_MERCHANT:
      return account::Role::kMerchant;
    case accountpb::ROLE_ADMIN:
      return account::Role::kAdmin;
    default:
      return absl::InvalidArgumentError("role must be set");
  }
}

void ToProto(const account::User& u, accountpb::User* out) {
  out->set_id(u.id);
  out->set_username(u.username);
  out->set_email(u.email);
  out->set_display_name(u.display_name);
  out->set_bio(u.bio);
  out->set_has_avatar(!u.avatar_key.empty());
  if (!u.avatar_key.empty())
    out->set_avatar_url(CurrentMediaUrls().Avatar(u.id));
  out->set_role(ToProto(u.role));
  out->set_status(u.status == account::UserStatus::kBanned
                      ? accountpb::USER_STATUS_BANNED
                      : accountpb::USER_STATUS_ACTIVE);
  out->set_totp_enabled(u.totp_enabled);
  out->set_created_at_ms(Millis(u.created_at));
  out->set_updated_at_ms(Millis(u.updated_at));
}

void ToProto(const account::TokenPair& t, accountpb::TokenPair* out) {
  out->set_access_token(t.access_token);
  out->set_access_expires_at_ms(Millis(t.access_expires_at));
  out->set_refresh_token(t.refresh_token);
  out->set_refresh_expires_at_ms(Millis(t.refresh_expires_at));
}

void ToProto(const account::Address& a, accountpb::Address* out) {
  out->set_id(a.id);
  out->set_recipient(a.recipient);
  out->set_phone(a.phone);
  out->set_line1(a.line1);
  out->set_line2(a.line2);
  out->set_city(a.city);
  out->set_region(a.region);
  out->set_postal_code(a.postal_code);
  out->set_country_code(a.country_code);
  out->set_is_default(a.is_default);
  out->set_created_at_ms(Millis(a.created_at));
  out->set_updated_at_ms(Millis(a.updated_at));
}

account::Address FromProto(const accountpb::Address& a) {
  account::Address out;
  out.id = a.id();
  out.recipient = a.recipient();
  out.phone = a.phone();
  out.line1 = a.line1();
  out.line2 = a.line2();
  out.city = a.city();
  out.region = a.region();
  out.postal_code = a.postal_code();
  out.country_code = a.country_code();
  out.is_default = a.is_default();
  return out;
}

}  // namespace

grpc::Status AccountGrpcService::Register(Ctx* context,
                                          const accountpb::RegisterRequest* req,
                                          accountpb::RegisterResponse* resp) {
  return Public(context, *req, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        account::User user,
        accounts_->Register({req->username(), req->email(), req->password(),
                             req->display_name()}));
    ToProto(user, resp->mutable_user());
    return absl::OkStatus();
  });
}

grpc::Status AccountGrpcService::Login(Ctx* context,
                                       const accountpb::LoginRequest* req,
                                       accountpb::LoginResponse* resp) {
  return Public(context, *req, [&]() -> absl::Status {
    std::string client;
    auto ua = context->client_metadata().find("user-agent");
    if (ua != context->client_metadata().end()) {
      client.assign(ua->second.data(), ua->second.size());
    }
    ASSIGN_OR_RETURN(
        account::LoginResult r,
        accounts_->Login({req->login(), req->password(), req->totp_code(),
                          ClientAddressOf(context), client}));
    ToProto(r.user, resp->mutable_user());
    ToProto(r.tokens, resp->mutable_tokens());
    return absl::OkStatus();
  });
}

grpc::Status AccountGrpcService::Refresh(Ctx* context,
                                         const accountpb::RefreshRequest* req,
                                         accountpb::RefreshResponse* resp) {
  return Public(context, *req, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(account::TokenPair t,
                     accounts_->Refresh(req->refresh_token()));
    ToProto(t, resp->mutable_tokens());
    return absl::OkStatus();
  });
}

grpc::Status AccountGrpcService::Logout(Ctx* context,
                                        const accountpb::LogoutRequest* req,
                                        accountpb::LogoutResponse*) {
  return WithCaller(context, *req, [&](const Principal& p) {
    return req->everywhere() ? accounts_->LogoutEverywhere(p)
                             : accounts_->Logout(p);
  });
}

grpc::Status AccountGrpcService::GetUser(Ctx* context,
                                         const accountpb::GetUserRequest* req,
                                         accountpb::GetUserResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(account::User u,
                     accounts_->GetUser(
                         p, req->user_id() == 0 ? p.user_id : req->user_id()));
    ToProto(u, resp->mutable_user());
    return absl::OkStatus();
  });
}

grpc::Status AccountGrpcService::UpdateProfile(
    Ctx* context, const accountpb::UpdateProfileRequest* req,
    accountpb::UpdateProfileResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    account::ProfileUpdate update;
    if (req->has_display_name()) update.display_name = req->display_name();
    if (req->has_bio()) update.bio = req->bio();
    ASSIGN_OR_RETURN(account::User u, accounts_->UpdateProfile(p, update));
    ToProto(u, resp->mutable_user());
    return absl::OkStatus();
  });
}

grpc::Status AccountGrpcService::UploadAvatar(
    Ctx* context, grpc::ServerReader<accountpb::UploadAvatarRequest>* reader,
    accountpb::UploadAvatarResponse* resp) {
  return WithCallerStreaming(context, [&](const Principal& p) -> absl::Status {
    const int64_t limit = accounts_->options().avatar_max_bytes;
    std::string image;
    int64_t declared = 0;
    accountpb::UploadAvatarRequest chunk;
    while (reader->Read(&chunk)) {
      // Refuse as soon as the limit is passed rather than buffer the rest.
      if (static_cast<int64_t>(image.size() + chunk.chunk().size()) > limit) {
        return absl::InvalidArgumentError(
            absl::StrCat("avatar is larger than ", limit, " bytes"));
      }
      if (chunk.total_bytes() != 0) declared = chunk.total_bytes();
      image += chunk.chunk();
    }
    // A cancelled stream also ends Read(): never store a fragment.
    RETURN_IF_ERROR(StreamEndedCleanly(context));
    if (declared != 0 && declared != static_cast<int64_t>(image.size())) {
      return absl::InvalidArgumentError(
          absl::StrCat("total_bytes says ", declared, " but ", image.size(),
                       " arrived; nothing was stored"));
    }
    ASSIGN_OR_RETURN(account::User u, accounts_->SetAvatar(p, image));
    ToProto(u, resp->mutable_user());
    return absl::OkStatus();
  });
}

grpc::Status AccountGrpcService::GetAvatar(
    Ctx* context, const accountpb::GetAvatarRequest* req,
    accountpb::GetAvatarResponse* resp) {
  return Public(context, *req, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(account::Avatar a, accounts_->GetAvatar(req->user_id()));
    resp->set_data(std::move(a.data));
    resp->set_mime_type(a.mime_type);
    return absl::OkStatus();
  });
}

grpc::Status AccountGrpcService::ChangePassword(
    Ctx* context, const accountpb::ChangePasswordRequest* req,
    accountpb::ChangePasswordResponse*) {
  return WithCaller(context, *req, [&](const Principal& p) {
    return accounts_->ChangePassword(p, req->current_password(),
                                     req->new_password());
  });
}

grpc::Status AccountGrpcService::BeginTotpEnrollment(
    Ctx* context, const accountpb::BeginTotpEnrollmentRequest* req,
    accountpb::BeginTotpEnrollmentResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(account::TotpEnrollment e,
                     accounts_->BeginTotpEnrollment(p));
    resp->set_secret_base32(e.secret_base32);
    resp->set_otpauth_uri(e.otpauth_uri);
    resp->set_qr_png(e.qr_png);
    return absl::OkStatus();
  });
}

grpc::Status AccountGrpcService::ConfirmTotp(
    Ctx* context, const accountpb::ConfirmTotpRequest* req,
    accountpb::ConfirmTotpResponse*) {
  return WithCaller(context, *req, [&](const Principal& p) {
    return accounts_->ConfirmTotp(p, req->code());
  });
}

grpc::Status AccountGrpcService::DisableTotp(
    Ctx* context, const accountpb::DisableTotpRequest* req,
    accountpb::DisableTotpResponse*) {
  return WithCaller(context, *req, [&](const Principal& p) {
    return accounts_->DisableTotp(p, req->code());
  });
}

grpc::Status AccountGrpcService::SetRole(Ctx* context,
                                         const accountpb::SetRoleRequest* req,
                                         accountpb::SetRoleResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(account::Role role, FromProto(req->role()));
    ASSIGN_OR_RETURN(account::User u,
                     accounts_->SetRole(p, req->user_id(), role));
    ToProto(u, resp->mutable_user());
    return absl::OkStatus();
  });
}

grpc::Status AccountGrpcService::BanUser(Ctx* context,
                                         const accountpb::BanUserRequest* req,
                                         accountpb::BanUserResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(account::User u, accounts_->Ban(p, req->user_id()));
    ToProto(u, resp->mutable_user());
    return absl::OkStatus();
  });
}

grpc::Status AccountGrpcService::UnbanUser(
    Ctx* context, const accountpb::UnbanUserRequest* req,
    accountpb::UnbanUserResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(account::User u, accounts_->Unban(p, req->user_id()));
    ToProto(u, resp->mutable_user());
    return absl::OkStatus();
  });
}

grpc::Status AccountGrpcService::AddAddress(
    Ctx* context, const accountpb::AddAddressRequest* req,
    accountpb::AddAddressResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(account::Address a,
                     accounts_->AddAddress(p, FromProto(req->address())));
    ToProto(a, resp->mutable_address());
    return absl::OkStatus();
  });
}

grpc::Status AccountGrpcService::ListAddresses(
    Ctx* context, const accountpb::ListAddressesRequest* req,
    accountpb::ListAddressesResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<account::Address> list,
                     accounts_->ListAddresses(p));
    for (const account::Address& a : list) ToProto(a, resp->add_addresses());
    return absl::OkStatus();
  });
}

grpc::Status AccountGrpcService::UpdateAddress(
    Ctx* context, const accountpb::UpdateAddressRequest* req,
    accountpb::UpdateAddressResponse* resp) {
  return WithCaller(context, *req, [&](const Principal& p) -> absl::Status {
    ASSIGN_OR_RETURN(account::Address a,
                     accounts_->UpdateAddress(p, FromProto(req->address())));
    ToProto(a, resp->mutable_address());
    return absl::OkStatus();
  });
}

grpc::Status AccountGrpcService::DeleteAddress(
    Ctx* context, const accountpb::DeleteAddressRequest* req,
    accountpb::DeleteAddressResponse*) {
  return WithCaller(context, *req, [&](const Principal& p) {
    return accounts_->DeleteAddress(p, req->address_id());
  });
}

}  // namespace tokkit
