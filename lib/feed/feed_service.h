// Videos: streamed publishing, playback reads, lists, the ranked "for you"
// feed, the popular chart, search and view counting.
#ifndef TOKKIT_LIB_FEED_FEED_SERVICE_H_
#define TOKKIT_LIB_FEED_FEED_SERVICE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/account/principal.h"
#include "lib/core/clock.h"
#include "lib/core/crypto.h"
#include "lib/core/cursor.h"
#include "lib/core/id_generator.h"
#include "lib/core/media_type.h"
#include "lib/feed/candidate_sources.h"
#include "lib/feed/model.h"
#include "lib/feed/ports.h"
#include "lib/feed/ranking/ranker.h"
#include "lib/feed/repository.h"
#include "lib/feed/view_counter.h"
#include "lib/store/blob/blob_store.h"
#include "lib/store/blob/pending_blobs.h"
#include "lib/store/events/event_bus.h"

namespace tokkit::feed {

using account::Principal;

struct FeedOptions {
  int64_t max_video_bytes = int64_t{512} << 20;
  int64_t max_cover_bytes = int64_t{2} << 20;
  PopularityModel popularity;
  ranking::Weights ranking;
  // Where the "for you" feed's candidates come from and how long they are
  // reused (candidate_sources.h).
  CandidateSourceOptions candidates;
  // How many served ids a feed cursor remembers (no repeats within them).
  int max_served_in_cursor = 400;
  absl::Duration view_flush_interval = absl::Seconds(1);
};

struct FeedDeps {
  VideoRepository* videos = nullptr;
  BlobStore* blobs = nullptr;
  // Announces blobs before they are committed (crash-safe cleanup); may be
  // null.
  PendingBlobs* pending_blobs = nullptr;
  SocialSignals* social = nullptr;
  AuthorDirectory* authors = nullptr;
  EventBus* events = nullptr;  // engagement events feed the popular chart
  const Clock* clock = nullptr;
  IdGenerator* ids = nullptr;
};

struct PublishRequest {
  std::string title;              // 1-100 characters
  std::string description;        // 0-2000 characters
  std::vector<std::string> tags;  // up to 10; '#' and case are dropped
};

struct MediaInfo {
  std::string key;
  std::string mime_type;
  int64_t size = 0;
};

struct PopularEntry {
  Video video;
  double score = 0;  // decayed popularity as of now
};

class FeedService;

// One publish in progress. Video bytes stream straight to the blob store
// (never whole in memory), hashed and size-checked as they come; the type is
// checked on the first bytes. Nothing is visible until Finish() succeeds, and
// a failed or abandoned upload leaves no blob and no row behind.
class VideoUpload {
 public:
  ~VideoUpload();
  absl::Status AppendVideo(absl::string_view chunk);
  absl::Status AppendCover(absl::string_view chunk);
  // Checks what arrived against what the client declared (0 / "": not
  // declared). Fails the upload on a mismatch.
  absl::Status Expect(int64_t video_bytes, absl::string_view video_sha256);
  absl::StatusOr<Video> Finish();

 private:
  friend class FeedService;
  VideoUpload(FeedService* service, Video draft)
      : service_(service), draft_(std::move(draft)) {}
  absl::Status Fail(absl::Status status);
  absl::Status StartVideoWriter();

  FeedService* service_;
  Video draft_;
  absl::Status failure_;
  std::string head_;  // first bytes, until the type is known
  std::unique_ptr<BlobWriter> video_writer_;
  Sha256Stream sha_;
  std::string expected_sha256_;
  int64_t video_bytes_ = 0;
  std::string cover_;
  bool finished_ = false;
};

class FeedService {
 public:
  FeedService(FeedDeps deps, FeedOptions options);
  ~FeedService();

  absl::StatusOr<std::unique_ptr<VideoUpload>> BeginPublish(
      const Principal& author, PublishRequest request);
  absl::StatusOr<Video> GetVideo(int64_t video_id);
  inline static constexpr size_t kMaxVideosPerGet = 100;
  // Up to kMaxVideosPerGet videos with their counts and whether `viewer_id`
  // (0: anonymous) liked each, in the order asked (repeats once); deleted
  // and unknown ids are left out. One read of the videos, one of the counts.
  absl::StatusOr<std::vector<VideoCard>> GetVideos(
      int64_t viewer_id, const std::vector<int64_t>& video_ids);
  // By the author or an admin; the video leaves every list and search.
  absl::Status DeleteVideo(const Principal& caller, int64_t video_id);

  absl::StatusOr<MediaInfo> VideoMedia(int64_t video_id);
  absl::StatusOr<MediaInfo> CoverMedia(int64_t video_id);
  // `length` -1 reads to the end. OUT_OF_RANGE when offset is past the end.
  absl::StatusOr<std::string> ReadMedia(const MediaInfo& media, int64_t offset,
                                        int64_t length);

  absl::StatusOr<Page<Video>> ListByAuthor(int64_t author_id,
                                           const std::string& page_token,
                                           int page_size);
  absl::StatusOr<Page<Video>> ListLatest(const std::string& page_token,
                                         int page_size);
  // The ranked feed (viewer_id 0: anonymous). The token carries the seed and
  // what was served, so pages never repeat a video within a session.
  absl::StatusOr<Page<Video>> ForYou(int64_t viewer_id,
                                     const std::string& page_token,
                                     int page_size);
  absl::StatusOr<Page<PopularEntry>> Popular(const std::string& page_token,
                                             int page_size);
  absl::StatusOr<Page<Video>> Search(const std::string& query,
                                     const std::string& page_token,
                                     int page_size);

  // Cheap: an in-memory increment; persisted by the write-behind flush.
  absl::Status RecordView(int64_t video_id);
  absl::Status FlushViews();

  const FeedOptions& options() const { return options_; }
  const CandidateSources& candidate_sources() const { return *candidates_; }

 private:
  friend class VideoUpload;
  absl::Status OnEngagement(const Event& event, double weight);
  absl::StatusOr<MediaInfo> Media(int64_t video_id, bool cover);

  FeedDeps deps_;
  FeedOptions options_;
  std::vector<std::unique_ptr<Subscription>> subscriptions_;
  std::unique_ptr<ViewCounter> views_;
  std::unique_ptr<CandidateSources> candidates_;
};

}  // namespace tokkit::feed

#endif  // TOKKIT_LIB_FEED_FEED_SERVICE_H_
