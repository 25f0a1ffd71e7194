#include "lib/feed/feed_service.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/core/log.h"
#include "lib/core/status_macros.h"
#include "lib/core/validation.h"

namespace tokkit::feed {
namespace {

constexpr char kPopularityConsumer[] = "feed.popularity";
constexpr char kTopicVideoLiked[] = "social.video_liked";
constexpr char kTopicCommentCreated[] = "social.comment_created";
constexpr char kTopicUserFollowed[] = "social.user_followed";
constexpr char kCandidatesConsumer[] = "feed.candidates";
constexpr size_t kMaxTags = 10;
constexpr int kMaxSearchDepth = 1000;
// Extra ranked candidates per page, standing in for deleted ones.
constexpr int kDeletedSlack = 5;

absl::StatusOr<std::vector<std::string>> NormalizeTags(
    const std::vector<std::string>& in) {
  if (in.size() > kMaxTags) {
    return absl::InvalidArgumentError(
        absl::StrCat("at most ", kMaxTags, " tags"));
  }
  std::vector<std::string> out;
  for (const std::string& raw : in) {
    absl::string_view t = absl::StripAsciiWhitespace(raw);
    absl::ConsumePrefix(&t, "#");
    std::string tag = absl::AsciiStrToLower(t);
    RETURN_IF_ERROR(ValidateText("tag", tag, 1, 30));
    if (tag.find_first_of(" ,\t#") != std::string::npos) {
      return absl::InvalidArgumentError(
          "tags may not contain spaces, commas or '#'");
    }
    if (std::find(out.begin(), out.end(), tag) == out.end()) out.push_back(tag);
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------- upload

VideoUpload::~VideoUpload() {
  // An unfinished upload: the writer's destructor drops its temporary file.
}

absl::Status VideoUpload::Fail(absl::Status status) {
  if (failure_.ok()) failure_ = std::move(status);
  video_writer_.reset();
  return failure_;
}

absl::Status VideoUpload::StartVideoWriter() {
  const MediaType type = SniffMediaType(head_.substr(0, 16));
  if (!IsVideo(type)) {
    return Fail(
        absl::InvalidArgumentError("video must be MP4 (ISO-BMFF) or WebM"));
  }
  draft_.video_mime = std::string(MimeType(type));
  draft_.video_key = absl::StrCat("videos/", draft_.author_id, "/", draft_.id,
                                  ".", FileExtension(type));
  absl::StatusOr<std::unique_ptr<BlobWriter>> w =
      service_->deps_.blobs->NewWriter(draft_.video_key);
  if (!w.ok()) return Fail(w.status());
  video_writer_ = std::move(*w);
  absl::Status st = video_writer_->Append(head_);
  head_.clear();
  if (!st.ok()) return Fail(st);
  return absl::OkStatus();
}

absl::Status VideoUpload::AppendVideo(absl::string_view chunk) {
  RETURN_IF_ERROR(failure_);
  if (finished_)
    return absl::FailedPreconditionError("upload already finished");
  video_bytes_ += static_cast<int64_t>(chunk.size());
  if (video_bytes_ > service_->options_.max_video_bytes) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("video is larger than ",
                     service_->options_.max_video_bytes, " bytes")));
  }
  sha_.Update(chunk);
  if (video_writer_ == nullptr) {
    head_.append(chunk.data(), chunk.size());
    if (head_.size() >= 16) return StartVideoWriter();
    return absl::OkStatus();
  }
  absl::Status st = video_writer_->Append(chunk);
  if (!st.ok()) return Fail(st);
  return absl::OkStatus();
}

absl::Status VideoUpload::AppendCover(absl::string_view chunk) {
  RETURN_IF_ERROR(failure_);
  if (finished_)
    return absl::FailedPreconditionError("upload already finished");
  if (static_cast<int64_t>(cover_.size() + chunk.size()) >
      service_->options_.max_cover_bytes) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("cover is larger than ",
                     service_->options_.max_cover_bytes, " bytes")));
  }
  cover_.append(chunk.data(), chunk.size());
  return absl::OkStatus();
}

absl::Status VideoUpload::Expect(int64_t video_bytes,
                                 absl::string_view video_sha256) {
  RETURN_IF_ERROR(failure_);
  if (video_bytes < 0) {
    return Fail(absl::InvalidArgumentError("video_bytes must not be negative"));
  }
  if (video_bytes != 0 && video_bytes != video_bytes_) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("video_bytes says ", video_bytes, " but ", video_bytes_,
                     " arrived; nothing was stored")));
  }
  expected_sha256_ = absl::AsciiStrToLower(video_sha256);
  return absl::OkStatus();
}

absl::StatusOr<Video> VideoUpload::Finish() {
  RETURN_IF_ERROR(failure_);
  if (finished_)
    return absl::FailedPreconditionError("upload already finished");
  finished_ = true;
  if (video_bytes_ == 0)
    return Fail(absl::InvalidArgumentError("video is empty"));
  if (video_writer_ == nullptr)
    RETURN_IF_ERROR(StartVideoWriter());  // < 16 bytes
  BlobStore* blobs = service_->deps_.blobs;
  if (!cover_.empty()) {
    const MediaType type =
        SniffMediaType(absl::string_view(cover_).substr(0, 16));
    if (type != MediaType::kJpeg && type != MediaType::kPng &&
        type != MediaType::kWebp) {
      return Fail(absl::InvalidArgumentError(
          "cover must be a JPEG, PNG or WebP image"));
    }
    draft_.cover_mime = std::string(MimeType(type));
    draft_.cover_key = absl::StrCat("covers/", draft_.author_id, "/", draft_.id,
                                    ".", FileExtension(type));
  }
  draft_.video_bytes = video_bytes_;
  draft_.video_sha256 = sha_.HexDigest();
  if (!expected_sha256_.empty() && expected_sha256_ != draft_.video_sha256) {
    return Fail(absl::InvalidArgumentError(
        "video_sha256 does not match the bytes that arrived; nothing was "
        "stored"));
  }
  // Announced before they become visible: if we die between the blobs and
  // the row, the janitor deletes them.
  if (PendingBlobs* pending = service_->deps_.pending_blobs) {
    absl::Status announced = pending->Expect(draft_.video_key);
    if (announced.ok() && !draft_.cover_key.empty()) {
      announced = pending->Expect(draft_.cover_key);
    }
    if (!announced.ok()) return Fail(announced);
  }
  absl::Status st = video_writer_->Commit();
  video_writer_.reset();
  if (!st.ok()) return Fail(st);
  if (!draft_.cover_key.empty()) st = blobs->Put(draft_.cover_key, cover_);
  if (st.ok()) st = service_->deps_.videos->Create(draft_);
  if (st.ok()) service_->candidates_->InvalidateGlobal();
  if (!st.ok()) {
    // Leave nothing half-written: the row did not land, so neither do blobs.
    // The janitor deletes them later if this fails.
    for (const std::string& key : {draft_.video_key, draft_.cover_key}) {
      if (key.empty()) continue;
      if (absl::Status gone = blobs->Delete(key); !gone.ok()) {
        log::Warning("blob_delete_failed", {{"key", key}, {"error", gone}});
      }
    }
    return Fail(st);
  }
  return draft_;
}

// ---------------------------------------------------------------- service

FeedService::FeedService(FeedDeps deps, FeedOptions options)
    : deps_(deps), options_(options) {
  candidates_ = std::make_unique<CandidateSources>(
      deps_.videos, deps_.social, deps_.clock, options_.candidates);
  views_ = std::make_unique<ViewCounter>(
      [this](const absl::flat_hash_map<int64_t, int64_t>& batch) {
        return deps_.videos->AddViews(batch, options_.popularity,
                                      deps_.clock->Now());
      },
      options_.view_flush_interval);
  if (deps_.events != nullptr) {
    subscriptions_.push_back(deps_.events->Subscribe(
        kPopularityConsumer, kTopicVideoLiked, [this](const Event& e) {
          return OnEngagement(e, options_.popularity.like_weight);
        }));
    subscriptions_.push_back(deps_.events->Subscribe(
        kPopularityConsumer, kTopicCommentCreated, [this](const Event& e) {
          return OnEngagement(e, options_.popularity.comment_weight);
        }));
    // A viewer who follows someone or likes a video gets sources rebuilt on
    // their next page, on every replica (the payload is the acting user).
    for (const char* topic : {kTopicUserFollowed, kTopicVideoLiked}) {
      subscriptions_.push_back(deps_.events->Subscribe(
          kCandidatesConsumer, topic, [this](const Event& e) {
            int64_t user_id = 0;
            if (absl::SimpleAtoi(e.payload, &user_id)) {
              candidates_->ForgetViewer(user_id);
            }
            return absl::OkStatus();
          }));
    }
  }
}

FeedService::~FeedService() {
  subscriptions_.clear();  // waits for a delivery in progress
  views_.reset();          // final flush while the repository is alive
}

absl::Status FeedService::OnEngagement(const Event& event, double weight) {
  int64_t video_id = 0;
  if (!absl::SimpleAtoi(event.key, &video_id)) {
    return absl::InvalidArgumentError("engagement event without a video id");
  }
  // Exactly once across replicas: the repository records the event id.
  return deps_.videos
      ->AddPopularityOnce(
          kPopularityConsumer, event.id, video_id,
          options_.popularity.Log2Contribution(weight, event.created_at))
      .status();
}

absl::StatusOr<std::unique_ptr<VideoUpload>> FeedService::BeginPublish(
    const Principal& author, PublishRequest request) {
  RETURN_IF_ERROR(ValidateText("title", request.title, 1, 100));
  RETURN_IF_ERROR(
      ValidateText("description", request.description, 0, 2000, true));
  Video draft;
  ASSIGN_OR_RETURN(draft.tags, NormalizeTags(request.tags));
  ASSIGN_OR_RETURN(draft.author_name,
                   deps_.authors->UsernameOf(author.user_id));
  ASSIGN_OR_RETURN(draft.id, deps_.ids->Next());
  draft.author_id = author.user_id;
  draft.title = std::move(request.title);
  draft.description = std::move(request.description);
  draft.created_at = deps_.clock->Now();
  return std::unique_ptr<VideoUpload>(new VideoUpload(this, std::move(draft)));
}

absl::StatusOr<Video> FeedService::GetVideo(int64_t video_id) {
  RETURN_IF_ERROR(ValidatePositiveId("video_id", video_id));
  return deps_.videos->Find(video_id);
}

absl::StatusOr<std::vector<VideoCard>> FeedService::GetVideos(
    int64_t viewer_id, const std::vector<int64_t>& video_ids) {
  if (video_ids.size() > kMaxVideosPerGet) {
    return absl::InvalidArgumentError(absl::StrCat("at most ", kMaxVideosPerGet,
                                                   " video ids per call, got ",
                                                   video_ids.size()));
  }
  std::vector<int64_t> ids;
  absl::flat_hash_set<int64_t> seen;
  for (int64_t id : video_ids) {
    RETURN_IF_ERROR(ValidatePositiveId("video_ids", id));
    if (seen.insert(id).second) ids.push_back(id);
  }
  std::vector<VideoCard> out;
  if (ids.empty()) return out;
  ASSIGN_OR_RETURN(std::vector<Video> found, deps_.videos->FindMany(ids));
  absl::flat_hash_map<int64_t, Video> by_id;
  std::vector<int64_t> live;
  for (Video& v : found) {
    live.push_back(v.id);
    by_id[v.id] = std::move(v);
  }
  ASSIGN_OR_RETURN(auto engagement,
                   deps_.social->EngagementOf(viewer_id, live));
  for (int64_t id : ids) {
    auto v = by_id.find(id);
    if (v == by_id.end()) continue;
    VideoCard card;
    card.video = std::move(v->second);
    auto e = engagement.find(id);
    if (e != engagement.end()) {
      card.like_count = e->second.likes;
      card.comment_count = e->second.comments;
      card.liked_by_viewer = e->second.liked_by_viewer;
    }
    out.push_back(std::move(card));
  }
  return out;
}

absl::Status FeedService::DeleteVideo(const Principal& caller,
                                      int64_t video_id) {
  RETURN_IF_ERROR(ValidatePositiveId("video_id", video_id));
  ASSIGN_OR_RETURN(Video v, deps_.videos->Find(video_id));
  if (v.author_id != caller.user_id && !caller.is_admin()) {
    return absl::PermissionDeniedError("only the author can delete a video");
  }
  // The blobs stay for now: deletion is soft and could be reviewed or undone.
  RETURN_IF_ERROR(deps_.videos->SoftDelete(
      caller.is_admin() ? 0 : caller.user_id, video_id, deps_.clock->Now()));
  candidates_->InvalidateGlobal();
  return absl::OkStatus();
}

absl::StatusOr<MediaInfo> FeedService::Media(int64_t video_id, bool cover) {
  ASSIGN_OR_RETURN(Video v, GetVideo(video_id));
  MediaInfo m;
  m.key = cover ? v.cover_key : v.video_key;
  m.mime_type = cover ? v.cover_mime : v.video_mime;
  if (m.key.empty()) return absl::NotFoundError("video has no cover");
  ASSIGN_OR_RETURN(m.size, deps_.blobs->Size(m.key));
  return m;
}

absl::StatusOr<MediaInfo> FeedService::VideoMedia(int64_t video_id) {
  return Media(video_id, false);
}

absl::StatusOr<MediaInfo> FeedService::CoverMedia(int64_t video_id) {
  return Media(video_id, true);
}

absl::StatusOr<std::string> FeedService::ReadMedia(const MediaInfo& media,
                                                   int64_t offset,
                                                   int64_t length) {
  if (offset < 0 || length < -1) {
    return absl::InvalidArgumentError(
        "offset must not be negative; length is a byte count or -1 for the "
        "rest");
  }
  if (offset > media.size) {
    return absl::OutOfRangeError(absl::StrCat(
        "offset ", offset, " is past the end (", media.size, " bytes)"));
  }
  return deps_.blobs->ReadRange(media.key, offset, length);
}

absl::StatusOr<Page<Video>> FeedService::ListByAuthor(
    int64_t author_id, const std::string& page_token, int page_size) {
  RETURN_IF_ERROR(ValidatePositiveId("author_id", author_id));
  ASSIGN_OR_RETURN(int limit, PageSize(page_size));
  ASSIGN_OR_RETURN(int64_t before, DecodeIdCursor(page_token));
  Page<Video> page;
  ASSIGN_OR_RETURN(page.items,
                   deps_.videos->ListByAuthor(author_id, before, limit));
  page.next_page_token =
      NextIdCursor(page.items, limit, [](const auto& x) { return x.id; });
  return page;
}

absl::StatusOr<Page<Video>> FeedService::ListLatest(
    const std::string& page_token, int page_size) {
  ASSIGN_OR_RETURN(int limit, PageSize(page_size));
  ASSIGN_OR_RETURN(int64_t before, DecodeIdCursor(page_token));
  Page<Video> page;
  ASSIGN_OR_RETURN(page.items, deps_.videos->ListLatest(before, limit));
  page.next_page_token =
      NextIdCursor(page.items, limit, [](const auto& x) { return x.id; });
  return page;
}

absl::StatusOr<Page<PopularEntry>> FeedService::Popular(
    const std::string& page_token, int page_size) {
  ASSIGN_OR_RETURN(int limit, PageSize(page_size));
  ASSIGN_OR_RETURN(Cursor cursor, Cursor::Decode(page_token));
  int64_t key = 0, id = 0;
  if (!cursor.empty()) {
    ASSIGN_OR_RETURN(key, cursor.IntAt(0));
    ASSIGN_OR_RETURN(id, cursor.IntAt(1));
  }
  ASSIGN_OR_RETURN(std::vector<PopularVideo> rows,
                   deps_.videos->Popular(key, id, cursor.empty(), limit));
  Page<PopularEntry> page;
  const absl::Time now = deps_.clock->Now();
  for (PopularVideo& r : rows) {
    page.items.push_back({std::move(r.video), options_.popularity.ScoreAt(
                                                  r.log2_popularity(), now)});
  }
  if (static_cast<int>(rows.size()) == limit) {
    page.next_page_token = Cursor()
                               .Add(rows.back().popularity_key)
                               .Add(page.items.back().video.id)
                               .Encode();
  }
  return page;
}

absl::StatusOr<Page<Video>> FeedService::Search(const std::string& query,
                                                const std::string& page_token,
                                                int page_size) {
  const std::string q(absl::StripAsciiWhitespace(query));
  RETURN_IF_ERROR(ValidateText("query", q, 1, 100));
  ASSIGN_OR_RETURN(int limit, PageSize(page_size));
  ASSIGN_OR_RETURN(int64_t offset, DecodeIdCursor(page_token));
  if (offset < 0 || offset >= kMaxSearchDepth) {
    return absl::InvalidArgumentError("page token is out of range");
  }
  ASSIGN_OR_RETURN(std::vector<VideoRepository::SearchHit> hits,
                   deps_.videos->Search(q, static_cast<int>(offset), limit));
  Page<Video> page;
  for (auto& h : hits) page.items.push_back(std::move(h.video));
  // Search pages by position in a relevance ranking, capped in depth.
  if (static_cast<int>(hits.size()) == limit &&
      offset + limit < kMaxSearchDepth) {
    page.next_page_token = EncodeIdCursor(offset + limit);
  }
  return page;
}

absl::StatusOr<Page<Video>> FeedService::ForYou(int64_t viewer_id,
                                                const std::string& page_token,
                                                int page_size) {
  ASSIGN_OR_RETURN(int limit, PageSize(page_size, 10, 50));
  ASSIGN_OR_RETURN(Cursor cursor, Cursor::Decode(page_token));
  uint64_t seed = 0;
  std::vector<int64_t> served_list;
  if (cursor.empty()) {
    const std::string r = RandomBytes(8);
    for (char c : r) seed = (seed << 8) | static_cast<uint8_t>(c);
    seed &= 0x7fffffffffffffffull;
  } else {
    ASSIGN_OR_RETURN(int64_t s, cursor.IntAt(0));
    seed = static_cast<uint64_t>(s);
    for (size_t i = 1; i < cursor.size(); ++i) {
      ASSIGN_OR_RETURN(int64_t id, cursor.IntAt(i));
      served_list.push_back(id);
    }
  }
  const absl::flat_hash_set<int64_t> served(served_list.begin(),
                                            served_list.end());
  const absl::Time now = deps_.clock->Now();

  // Candidates come from in-memory sources (candidate_sources.h): a page
  // reads only its own rows.
  ASSIGN_OR_RETURN(std::shared_ptr<const CandidateSet> global,
                   candidates_->Global());
  std::shared_ptr<const CandidateSet> personal;
  if (viewer_id > 0) {
    ASSIGN_OR_RETURN(personal, candidates_->ForViewer(viewer_id));
  }
  std::vector<const ranking::Candidate*> pool;
  pool.reserve(global->candidates.size() +
               (personal ? personal->candidates.size() : 0));
  // The viewer's own sources first: RankPage keeps the first of duplicates.
  if (personal) {
    for (const ranking::Candidate& c : personal->candidates) pool.push_back(&c);
  }
  for (const ranking::Candidate& c : global->candidates) pool.push_back(&c);
  static const ranking::Viewer* const kAnonymous = new ranking::Viewer();
  const ranking::Viewer& viewer = personal ? personal->viewer : *kAnonymous;
  // A few more than the page: videos deleted since the sources were built
  // are dropped when the page's rows are read.
  std::vector<ranking::Scored> ranked = ranking::RankPage(
      pool, viewer, served, limit + kDeletedSlack, options_.ranking, now, seed);
  std::vector<int64_t> ranked_ids;
  ranked_ids.reserve(ranked.size());
  for (const ranking::Scored& s : ranked) ranked_ids.push_back(s.video_id);
  ASSIGN_OR_RETURN(std::vector<Video> found,
                   deps_.videos->FindMany(ranked_ids));
  absl::flat_hash_map<int64_t, Video> rows;
  for (Video& v : found) rows.emplace(v.id, std::move(v));
  std::vector<int64_t> page_ids;
  for (int64_t id : ranked_ids) {
    if (static_cast<int>(page_ids.size()) == limit) break;
    if (rows.contains(id)) page_ids.push_back(id);
  }
  Page<Video> page;
  for (int64_t id : page_ids) page.items.push_back(std::move(rows.at(id)));
  if (!page_ids.empty()) {
    served_list.insert(served_list.end(), page_ids.begin(), page_ids.end());
    const size_t cap = static_cast<size_t>(options_.max_served_in_cursor);
    if (served_list.size() > cap) {
      served_list.erase(served_list.begin(), served_list.end() - cap);
    }
    Cursor next;
    next.Add(static_cast<int64_t>(seed));
    for (int64_t id : served_list) next.Add(id);
    page.next_page_token = next.Encode();
  }
  return page;
}

absl::Status FeedService::RecordView(int64_t video_id) {
  RETURN_IF_ERROR(ValidatePositiveId("video_id", video_id));
  views_->Record(video_id);
  return absl::OkStatus();
}

absl::Status FeedService::FlushViews() { return views_->Flush(); }

}  // namespace tokkit::feed
