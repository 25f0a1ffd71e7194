#include "lib/feed/candidate_sources.h"

#include <algorithm>
#include <utility>

#include "lib/core/status_macros.h"

namespace tokkit::feed {
namespace {

// Adds `v` from `source`, merging with an earlier source of the same video.
void AddCandidate(const Video& v, uint32_t source,
                  std::vector<ranking::Candidate>& out,
                  absl::flat_hash_map<int64_t, size_t>& index) {
  auto [it, inserted] = index.emplace(v.id, out.size());
  if (!inserted) {
    out[it->second].sources |= source;
    return;
  }
  ranking::Candidate c;
  c.video_id = v.id;
  c.author_id = v.author_id;
  c.published_at = v.created_at;
  c.views = v.view_count;
  c.tags = v.tags;
  c.sources = source;
  out.push_back(std::move(c));
}

}  // namespace

std::vector<std::string> TopTags(
    const absl::flat_hash_map<std::string, int>& tag_counts, int limit) {
  std::vector<std::pair<int, std::string>> ranked;
  ranked.reserve(tag_counts.size());
  for (const auto& [tag, count] : tag_counts) ranked.push_back({-count, tag});
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> top;
  for (size_t i = 0; i < ranked.size() && static_cast<int>(i) < limit; ++i) {
    top.push_back(std::move(ranked[i].second));
  }
  return top;
}

CandidateSources::CandidateSources(VideoRepository* videos,
                                   SocialSignals* social, const Clock* clock,
                                   CandidateSourceOptions options)
    : videos_(videos), social_(social), clock_(clock), options_(options) {}

std::optional<std::shared_ptr<const CandidateSet>> CandidateSources::Reuse(
    Slot& slot, absl::Duration max_age, uint64_t* generation) {
  const bool fresh = slot.set != nullptr &&
                     slot.set_generation == slot.generation &&
                     clock_->Now() - slot.set->built_at < max_age;
  if (fresh) return slot.set;
  if (slot.set != nullptr && slot.rebuilding) return slot.set;
  slot.rebuilding = true;
  *generation = slot.generation;
  return std::nullopt;
}

absl::StatusOr<std::shared_ptr<const CandidateSet>> CandidateSources::Keep(
    Slot* slot, absl::StatusOr<std::shared_ptr<const CandidateSet>> built,
    uint64_t generation) {
  if (slot == nullptr) return built;  // evicted meanwhile: not kept
  slot->rebuilding = false;
  if (!built.ok()) return built;
  slot->set = *built;
  // Invalidated while building, the set may predate the change: it is served
  // to this caller, and the next one builds again.
  slot->set_generation = generation;
  return built;
}

absl::StatusOr<std::shared_ptr<const CandidateSet>> CandidateSources::Global() {
  uint64_t generation = 0;
  {
    absl::MutexLock lock(&mu_);
    if (auto reused = Reuse(global_, options_.global_max_age, &generation)) {
      return *std::move(reused);
    }
  }
  absl::StatusOr<std::shared_ptr<const CandidateSet>> built = BuildGlobal();
  absl::MutexLock lock(&mu_);
  if (built.ok()) ++global_builds_;
  return Keep(&global_, std::move(built), generation);
}

absl::StatusOr<std::shared_ptr<const CandidateSet>> CandidateSources::ForViewer(
    int64_t viewer_id) {
  uint64_t generation = 0;
  {
    absl::MutexLock lock(&mu_);
    auto it = viewers_.find(viewer_id);
    if (it == viewers_.end()) {
      lru_.push_front(viewer_id);
      it = viewers_.emplace(viewer_id, ViewerSlot{{}, lru_.begin()}).first;
      while (viewers_.size() > std::max<size_t>(options_.max_viewers, 1)) {
        viewers_.erase(lru_.back());
        lru_.pop_back();
      }
    } else {
      lru_.splice(lru_.begin(), lru_, it->second.lru);  // most recent now
    }
    if (auto reused =
            Reuse(it->second.slot, options_.viewer_max_age, &generation)) {
      return *std::move(reused);
    }
  }
  absl::StatusOr<std::shared_ptr<const CandidateSet>> built =
      BuildForViewer(viewer_id);
  absl::MutexLock lock(&mu_);
  if (built.ok()) ++viewer_builds_;
  auto it = viewers_.find(viewer_id);
  return Keep(it == viewers_.end() ? nullptr : &it->second.slot,
              std::move(built), generation);
}

void CandidateSources::InvalidateGlobal() {
  absl::MutexLock lock(&mu_);
  ++global_.generation;
}

void CandidateSources::ForgetViewer(int64_t viewer_id) {
  absl::MutexLock lock(&mu_);
  auto it = viewers_.find(viewer_id);
  if (it != viewers_.end()) ++it->second.slot.generation;
}

int64_t CandidateSources::global_builds() const {
  absl::MutexLock lock(&mu_);
  return global_builds_;
}

int64_t CandidateSources::viewer_builds() const {
  absl::MutexLock lock(&mu_);
  return viewer_builds_;
}

absl::Status CandidateSources::AddEngagement(
    std::vector<ranking::Candidate>& candidates) {
  std::vector<int64_t> ids;
  ids.reserve(candidates.size());
  for (const ranking::Candidate& c : candidates) ids.push_back(c.video_id);
  ASSIGN_OR_RETURN(auto engagement, social_->EngagementOf(0, ids));
  for (ranking::Candidate& c : candidates) {
    auto e = engagement.find(c.video_id);
    if (e == engagement.end()) continue;
    c.likes = e->second.likes;
    c.comments = e->second.comments;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const CandidateSet>>
CandidateSources::BuildGlobal() {
  auto set = std::make_shared<CandidateSet>();
  set->built_at = clock_->Now();
  absl::flat_hash_map<int64_t, size_t> index;
  ASSIGN_OR_RETURN(std::vector<PopularVideo> popular,
                   videos_->Popular(0, 0, true, options_.per_source));
  for (const PopularVideo& p : popular) {
    AddCandidate(p.video, ranking::kPopular, set->candidates, index);
  }
  ASSIGN_OR_RETURN(std::vector<Video> fresh,
                   videos_->ListLatest(0, options_.per_source));
  for (const Video& v : fresh) {
    AddCandidate(v, ranking::kFresh, set->candidates, index);
  }
  RETURN_IF_ERROR(AddEngagement(set->candidates));
  return std::shared_ptr<const CandidateSet>(std::move(set));
}

absl::StatusOr<std::shared_ptr<const CandidateSet>>
CandidateSources::BuildForViewer(int64_t viewer_id) {
  auto set = std::make_shared<CandidateSet>();
  set->built_at = clock_->Now();
  const absl::Time since = set->built_at - options_.followed_window;
  ranking::Viewer& viewer = set->viewer;
  viewer.user_id = viewer_id;
  ASSIGN_OR_RETURN(
      std::vector<int64_t> followed,
      social_->FollowedAuthors(viewer_id, options_.followed_authors));
  viewer.followed_authors.insert(followed.begin(), followed.end());
  ASSIGN_OR_RETURN(
      std::vector<int64_t> liked,
      social_->RecentlyLikedVideos(viewer_id, options_.liked_history));
  absl::flat_hash_map<std::string, int> liked_tag_counts;
  if (!liked.empty()) {
    ASSIGN_OR_RETURN(std::vector<Video> liked_videos, videos_->FindMany(liked));
    for (const Video& v : liked_videos) {
      ++viewer.liked_authors[v.author_id];
      for (const std::string& t : v.tags) {
        viewer.liked_tags.insert(t);
        ++liked_tag_counts[t];
      }
    }
  }

  absl::flat_hash_map<int64_t, size_t> index;
  if (!followed.empty()) {
    ASSIGN_OR_RETURN(
        std::vector<Video> from_follows,
        videos_->RecentByAuthors(followed, since, options_.per_source));
    for (const Video& v : from_follows) {
      AddCandidate(v, ranking::kFollowed, set->candidates, index);
    }
  }
  if (!liked_tag_counts.empty()) {
    ASSIGN_OR_RETURN(std::vector<Video> same_tag,
                     videos_->RecentByTags(
                         TopTags(liked_tag_counts, options_.top_liked_tags),
                         since, options_.per_source));
    for (const Video& v : same_tag) {
      AddCandidate(v, ranking::kSameTag, set->candidates, index);
    }
  }
  if (!set->candidates.empty()) RETURN_IF_ERROR(AddEngagement(set->candidates));
  return std::shared_ptr<const CandidateSet>(std::move(set));
}

}  // namespace tokkit::feed
