// gRPC adapter of the account domain: converts proto <-> model and
// absl::Status <-> grpc::Status; all rules live in lib/account.
#ifndef TOKKIT_SERVICES_ACCOUNT_ACCOUNT_GRPC_SERVICE_H_
#define TOKKIT_SERVICES_ACCOUNT_ACCOUNT_GRPC_SERVICE_H_

#include "lib/account/account_service.h"
#include "proto/tokkit/account/v1/account.grpc.pb.h"

namespace tokkit {

namespace accountpb = ::tokkit::account::v1;

class AccountGrpcService final : public accountpb::AccountService::Service {
 public:
  explicit AccountGrpcService(account::AccountService* accounts)
      : accounts_(accounts) {}

  using Ctx = grpc::ServerContext;
  grpc::Status Register(Ctx* context, const accountpb::RegisterRequest* request,
                        accountpb::RegisterResponse* response) override;
  grpc::Status Login(Ctx* context, const accountpb::LoginRequest* request,
                     accountpb::LoginResponse* response) override;
  grpc::Status Refresh(Ctx* context, const accountpb::RefreshRequest* request,
                       accountpb::RefreshResponse* response) override;
  grpc::Status Logout(Ctx* context, const accountpb::LogoutRequest* request,
                      accountpb::LogoutResponse* response) override;
  grpc::Status GetUser(Ctx* context, const accountpb::GetUserRequest* request,
                       accountpb::GetUserResponse* response) override;
  grpc::Status UpdateProfile(
      Ctx* context, const accountpb::UpdateProfileRequest* request,
      accountpb::UpdateProfileResponse* response) override;
  grpc::Status UploadAvatar(
      Ctx* context, grpc::ServerReader<accountpb::UploadAvatarRequest>* reader,
      accountpb::UploadAvatarResponse* response) override;
  grpc::Status GetAvatar(Ctx* context,
                         const accountpb::GetAvatarRequest* request,
                         accountpb::GetAvatarResponse* response) override;
  grpc::Status ChangePassword(
      Ctx* context, const accountpb::ChangePasswordRequest* request,
      accountpb::ChangePasswordResponse* response) override;
  grpc::Status BeginTotpEnrollment(
      Ctx* context, const accountpb::BeginTotpEnrollmentRequest* request,
      accountpb::BeginTotpEnrollmentResponse* response) override;
  grpc::Status ConfirmTotp(Ctx* context,
                           const accountpb::ConfirmTotpRequest* request,
                           accountpb::ConfirmTotpResponse* response) override;
  grpc::Status DisableTotp(Ctx* context,
                           const accountpb::DisableTotpRequest* request,
                           accountpb::DisableTotpResponse* response) override;
  grpc::Status SetRole(Ctx* context, const accountpb::SetRoleRequest* request,
                       accountpb::SetRoleResponse* response) override;
  grpc::Status BanUser(Ctx* context, const accountpb::BanUserRequest* request,
                       accountpb::BanUserResponse* response) override;
  grpc::Status UnbanUser(Ctx* context,
                         const accountpb::UnbanUserRequest* request,
                         accountpb::UnbanUserResponse* response) override;
  grpc::Status AddAddress(Ctx* context,
                          const accountpb::AddAddressRequest* request,
                          accountpb::AddAddressResponse* response) override;
  grpc::Status ListAddresses(
      Ctx* context, const accountpb::ListAddressesRequest* request,
      accountpb::ListAddressesResponse* response) override;
  grpc::Status UpdateAddress(
      Ctx* context, const accountpb::UpdateAddressRequest* request,
      accountpb::UpdateAddressResponse* response) override;
  grpc::Status DeleteAddress(
      Ctx* context, const accountpb::DeleteAddressRequest* request,
      accountpb::DeleteAddressResponse* response) override;

 private:
  account::AccountService* const accounts_;
};

}  // namespace tokkit

#endif  // TOKKIT_SERVICES_ACCOUNT_ACCOUNT_GRPC_SERVICE_H_
