// A tour of every tokkit domain in one process, with no servers: a creator
// publishes a video, a fan follows, likes and comments, they chat, the fan's
// "for you" feed ranks the video, then the fan buys the creator's merch with
// a coupon, pays, and gets a refund.
//
//   bazel run //examples/embedded_shop -- --data_dir=/tmp/tokkit-shop-example
#include <gflags/gflags.h>

#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "lib/core/crypto.h"
#include "lib/core/status_macros.h"
#include "lib/platform/platform.h"

DEFINE_string(data_dir, "/tmp/tokkit-shop-example",
              "where the example keeps its database and blobs");

namespace {

using tokkit::account::Principal;

absl::StatusOr<Principal> Join(tokkit::Platform& p, const std::string& name) {
  RETURN_IF_ERROR(
      p.accounts()
          .Register({name, name + "@example.com", "tea-garden-2026", ""})
          .status());
  ASSIGN_OR_RETURN(
      tokkit::account::LoginResult login,
      p.accounts().Login({name, "tea-garden-2026", "", "local", "example"}));
  return login.principal;
}

absl::Status Run() {
  std::filesystem::remove_all(FLAGS_data_dir);
  std::filesystem::create_directories(FLAGS_data_dir);
  RETURN_IF_ERROR(tokkit::InitCrypto());
  tokkit::PlatformConfig config;
  config.database_url = absl::StrCat("sqlite:", FLAGS_data_dir, "/tokkit.db");
  config.blob_dir = FLAGS_data_dir + "/blobs";
  config.signing_keys = {{"example", tokkit::RandomBytes(32)}};
  ASSIGN_OR_RETURN(std::unique_ptr<tokkit::Platform> p,
                   tokkit::Platform::Open(config));

  ASSIGN_OR_RETURN(Principal admin, Join(*p, "operator"));
  RETURN_IF_ERROR(p->accounts().GrantAdmin("operator"));
  admin.role = tokkit::account::Role::kAdmin;
  ASSIGN_OR_RETURN(Principal creator, Join(*p, "chef_lin"));
  RETURN_IF_ERROR(
      p->accounts()
          .SetRole(admin, creator.user_id, tokkit::account::Role::kMerchant)
          .status());
  creator.role = tokkit::account::Role::kMerchant;
  ASSIGN_OR_RETURN(Principal fan, Join(*p, "mei"));

  // Publish: the bytes stream in; type, size and SHA-256 are checked on the
  // way.
  ASSIGN_OR_RETURN(
      std::unique_ptr<tokkit::feed::VideoUpload> upload,
      p->feed().BeginPublish(creator, {"Hand-pulled noodles in 60 s",
                                       "Flour, water, salt.",
                                       {"food", "noodles"}}));
  RETURN_IF_ERROR(
      upload->AppendVideo(std::string("\0\0\0\x18"
                                      "ftypisom",
                                      12)));
  RETURN_IF_ERROR(upload->AppendVideo(std::string(size_t{64} * 1024, '\x42')));
  ASSIGN_OR_RETURN(tokkit::feed::Video video, upload->Finish());
  std::printf("published video %lld (%s, sha256 %s...)\n",
              static_cast<long long>(video.id), video.video_mime.c_str(),
              video.video_sha256.substr(0, 12).c_str());

  // Social.
  RETURN_IF_ERROR(p->social().Follow(fan, creator.user_id).status());
  ASSIGN_OR_RETURN(tokkit::social::ToggleResult like,
                   p->social().LikeVideo(fan, video.id));
  RETURN_IF_ERROR(p->social()
                      .AddComment(fan, video.id, "Teach me the stretch!", 0)
                      .status());
  RETURN_IF_ERROR(
      p->chat()
          .Send(fan, creator.user_id, "Do you sell the noodle board?", "m1")
          .status());
  ASSIGN_OR_RETURN(std::vector<tokkit::social::ConversationView> inbox,
                   p->chat().ListConversations(creator, 10));
  std::printf("likes: %lld; %s has %lld unread message(s) from %s\n",
              static_cast<long long>(like.count), "chef_lin",
              static_cast<long long>(inbox.at(0).conversation.unread_count),
              inbox.at(0).peer.username.c_str());

  ASSIGN_OR_RETURN(tokkit::Page<tokkit::feed::Video> for_you,
                   p->feed().ForYou(fan.user_id, "", 5));
  std::printf("for you: %zu video(s), first \"%s\"\n", for_you.items.size(),
              for_you.items.empty() ? "" : for_you.items[0].title.c_str());

  // Shop.
  ASSIGN_OR_RETURN(tokkit::commerce::Category kitchen,
                   p->commerce().CreateCategory(admin, "Kitchen"));
  tokkit::commerce::NewProduct board;
  board.category_id = kitchen.id;
  board.name = "Walnut noodle board";
  board.shipping_cents = 800;
  board.skus = {{"size=60cm", 15900, 25}};
  ASSIGN_OR_RETURN(tokkit::commerce::Product product,
                   p->commerce().CreateProduct(creator, board));
  tokkit::commerce::Coupon deal;
  deal.name = "Fans get 15% off";
  deal.kind = tokkit::commerce::CouponKind::kPercentOff;
  deal.percent_off = 15;
  deal.total_limit = 100;
  deal.per_user_limit = 1;
  deal.claim_start = p->clock().Now() - absl::Minutes(1);
  deal.claim_end = p->clock().Now() + absl::Hours(24);
  ASSIGN_OR_RETURN(tokkit::commerce::Coupon coupon,
                   p->commerce().CreateCoupon(creator, deal));
  RETURN_IF_ERROR(p->commerce().ClaimCoupon(fan, coupon.id).status());
  RETURN_IF_ERROR(p->commerce().PutInCart(fan, product.skus[0].id, 1));

  tokkit::account::Address home;
  home.recipient = "Mei";
  home.phone = "+86 138 0000 0000";
  home.line1 = "88 West Lake Rd";
  home.city = "Hangzhou";
  home.country_code = "CN";
  ASSIGN_OR_RETURN(tokkit::account::Address saved,
                   p->accounts().AddAddress(fan, home));
  tokkit::order::CreateOrderRequest checkout;
  checkout.address_id = saved.id;
  checkout.coupon_mode = tokkit::order::CouponMode::kBest;
  checkout.idempotency_key = "first-checkout";
  ASSIGN_OR_RETURN(tokkit::order::Order order,
                   p->orders().CheckoutCart(fan, {}, checkout));
  std::printf(
      "order %lld: items %lld - discount %lld + shipping %lld = %lld cents\n",
      static_cast<long long>(order.id),
      static_cast<long long>(order.items_total_cents),
      static_cast<long long>(order.discount_cents),
      static_cast<long long>(order.shipping_cents),
      static_cast<long long>(order.total_cents));

  ASSIGN_OR_RETURN(tokkit::order::PaymentToken token,
                   p->orders().CreatePaymentToken(fan, order.id));
  ASSIGN_OR_RETURN(tokkit::order::Payment payment,
                   p->orders().Pay(fan, token.token));
  ASSIGN_OR_RETURN(tokkit::order::Payment again,
                   p->orders().Pay(fan, token.token));
  std::printf("paid %lld cents; paying again returned the same payment: %s\n",
              static_cast<long long>(payment.amount_cents),
              again.id == payment.id ? "yes" : "no");

  RETURN_IF_ERROR(p->orders()
                      .RequestRefund(fan, order.id, "Bought the wrong size")
                      .status());
  ASSIGN_OR_RETURN(tokkit::order::Order after,
                   p->orders().ReviewRefund(creator, order.id,
                                            /*approve=*/true,
                                            /*restock=*/true));
  ASSIGN_OR_RETURN(auto balances, p->orders().Balances(admin));
  std::printf("order is %s; merchant balance %lld cents\n",
              std::string(tokkit::order::StatusName(after.status)).c_str(),
              static_cast<long long>(
                  balances[tokkit::order::MerchantAccount(creator.user_id)]));
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  absl::Status st = Run();
  if (!st.ok()) {
    std::fprintf(stderr, "example failed: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("done\n");
  return 0;
}
