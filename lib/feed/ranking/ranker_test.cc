#include "lib/feed/ranking/ranker.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "gtest/gtest.h"

namespace tokkit::feed::ranking {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1767225600);

Weights NoJitter() {
  Weights w;
  w.jitter = 0;
  return w;
}

Candidate Video(int64_t id, int64_t author, absl::Duration age,
                int64_t likes = 10) {
  Candidate c;
  c.video_id = id;
  c.author_id = author;
  c.published_at = kNow - age;
  c.likes = likes;
  return c;
}

TEST(Ranker, ScoreHalvesEveryHalfLife) {
  const Weights w = NoJitter();
  const Viewer nobody;
  const double young = Score(Video(1, 1, absl::Hours(3)), nobody, w, kNow, 0);
  const double day_older =
      Score(Video(2, 1, absl::Hours(27)), nobody, w, kNow, 0);
  EXPECT_NEAR(day_older / young, 0.5, 1e-9);
  EXPECT_DOUBLE_EQ(DecayFactor(absl::ZeroDuration(), w), 1.0);
  EXPECT_DOUBLE_EQ(DecayFactor(absl::Hours(-1), w), 1.0);  // future: no boost
}

TEST(Ranker, EngagementRaisesScoreWithDiminishingReturns) {
  const Weights w = NoJitter();
  Candidate c = Video(1, 1, absl::Hours(5), 0);
  const double none = EngagementScore(c, w);
  c.likes = 100;
  const double some = EngagementScore(c, w);
  c.likes = 10000;
  const double lots = EngagementScore(c, w);
  EXPECT_GT(some, none);
  EXPECT_GT(lots, some);
  EXPECT_LT(lots - some, (some - none) * 2);  // logarithmic
  c.likes = 0;
  c.comments = 10;
  Candidate liked = Video(2, 1, absl::Hours(5), 10);
  EXPECT_GT(EngagementScore(c, w),
            EngagementScore(liked, w));  // comments weigh more
}

TEST(Ranker, AffinityFromFollowsLikesAndTags) {
  const Weights w = NoJitter();
  Viewer v;
  v.followed_authors = {7};
  v.liked_authors = {{8, 10}};
  v.liked_tags = {"cooking"};
  Candidate followed = Video(1, 7, absl::Hours(5));
  Candidate liked_author = Video(2, 8, absl::Hours(5));
  Candidate stranger = Video(3, 9, absl::Hours(5));
  Candidate tagged = Video(4, 9, absl::Hours(5));
  tagged.tags = {"cooking", "noodles"};
  EXPECT_DOUBLE_EQ(AffinityFactor(followed, v, w), 1 + w.follow_boost);
  // Capped at like_affinity_cap liked videos.
  EXPECT_DOUBLE_EQ(AffinityFactor(liked_author, v, w), 1 + w.like_affinity * 4);
  EXPECT_DOUBLE_EQ(AffinityFactor(stranger, v, w), 1.0);
  EXPECT_DOUBLE_EQ(AffinityFactor(tagged, v, w), 1 + w.tag_affinity);
  // A followed author's older video can beat a stranger's newer one.
  Candidate old_followed = Video(5, 7, absl::Hours(20));
  Candidate new_stranger = Video(6, 9, absl::Hours(5));
  EXPECT_GT(Score(old_followed, v, w, kNow, 0),
            Score(new_stranger, v, w, kNow, 0));
}

TEST(Ranker, PagesAreDiverseByAuthor) {
  const Weights w = NoJitter();
  std::vector<Candidate> cs;
  // Author 1 has the ten best videos; five others have one each.
  for (int i = 0; i < 10; ++i)
    cs.push_back(Video(100 + i, 1, absl::Hours(3), 1000));
  for (int i = 0; i < 5; ++i)
    cs.push_back(Video(200 + i, 2 + i, absl::Hours(3), 5));
  std::vector<Scored> page = RankPage(cs, Viewer(), {}, 6, w, kNow, 0);
  ASSERT_EQ(page.size(), 6u);
  int from_author_1 = 0;
  for (const Scored& s : page) from_author_1 += s.author_id == 1;
  EXPECT_EQ(from_author_1, w.max_per_author);
  EXPECT_EQ(page[0].author_id, 1);  // still leads with the best

  // With only one author left, the page is filled rather than cut short.
  std::vector<Candidate> mono(cs.begin(), cs.begin() + 10);
  EXPECT_EQ(RankPage(mono, Viewer(), {}, 5, w, kNow, 0).size(), 5u);
}

TEST(Ranker, NoRepeatsAcrossPagesOfASession) {
  Weights w;  // with jitter
  std::vector<Candidate> cs;
  for (int i = 0; i < 50; ++i) {
    cs.push_back(Video(i + 1, i % 7, absl::Hours(i % 30), (i * 37) % 200));
  }
  cs.push_back(cs[3]);  // the same video from a second source
  absl::flat_hash_set<int64_t> served;
  for (int page = 0; page < 6; ++page) {
    std::vector<Scored> got = RankPage(cs, Viewer(), served, 10, w, kNow, 42);
    for (const Scored& s : got) {
      EXPECT_TRUE(served.insert(s.video_id).second)
          << "repeated " << s.video_id;
    }
    if (page < 5) {
      EXPECT_EQ(got.size(), 10u);
    } else {
      EXPECT_TRUE(got.empty());  // all 50 served
    }
  }
  EXPECT_EQ(served.size(), 50u);
}

TEST(Ranker, DeterministicForASeed) {
  Weights w;
  w.jitter = 0.5;  // enough to reorder near-ties
  std::vector<Candidate> cs;
  for (int i = 0; i < 40; ++i)
    cs.push_back(Video(i + 1, i, absl::Hours(4), 20 + i % 3));
  auto ids = [&](uint64_t seed) {
    std::vector<int64_t> out;
    for (const Scored& s : RankPage(cs, Viewer(), {}, 20, w, kNow, seed)) {
      out.push_back(s.video_id);
    }
    return out;
  };
  EXPECT_EQ(ids(7), ids(7));
  EXPECT_NE(ids(7), ids(8));
  for (uint64_t seed : {0ull, 1ull, 99ull}) {
    for (int64_t id : {1, 2, 3}) {
      const double j = Jitter(seed, id);
      EXPECT_GE(j, -1.0);
      EXPECT_LE(j, 1.0);
    }
  }
}

// The page a full sort and a plain walk give: what RankPage's partial sort
// must reproduce exactly.
std::vector<int64_t> ReferencePage(const std::vector<Candidate>& candidates,
                                   const Viewer& viewer, int page_size,
                                   const Weights& w, absl::Time now,
                                   uint64_t seed) {
  std::vector<Scored> all;
  for (const Candidate& c : candidates) {
    all.push_back({c.video_id, c.author_id, Score(c, viewer, w, now, seed)});
  }
  std::sort(all.begin(), all.end(), [](const Scored& a, const Scored& b) {
    return a.score != b.score ? a.score > b.score : a.video_id > b.video_id;
  });
  std::vector<int64_t> page, held;
  absl::flat_hash_map<int64_t, int> per_author;
  for (const Scored& s : all) {
    if (static_cast<int>(page.size()) == page_size) break;
    if (per_author[s.author_id]++ >= w.max_per_author) {
      held.push_back(s.video_id);
    } else {
      page.push_back(s.video_id);
    }
  }
  for (int64_t id : held) {
    if (static_cast<int>(page.size()) == page_size) break;
    page.push_back(id);
  }
  return page;
}

TEST(Ranker, PartialSortGivesTheFullSortsPageEvenWhenOneAuthorDominates) {
  const absl::Time now = absl::FromUnixSeconds(1767225600);
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<Candidate> candidates;
    const int n = 1 + static_cast<int>(rng() % 400);
    // Few authors in some rounds, one dominant author in others: the cap
    // then skips far past the sorted prefix.
    const int authors = 1 + static_cast<int>(rng() % (round % 3 == 0 ? 3 : 60));
    for (int i = 0; i < n; ++i) {
      Candidate c;
      c.video_id = 1000 + i;
      c.author_id = (round % 2 == 0 && i < n * 3 / 4)
                        ? 1
                        : 1 + static_cast<int64_t>(rng() % authors);
      c.published_at = now - absl::Minutes(static_cast<int64_t>(rng() % 5000));
      c.likes = (c.author_id == 1) ? 100000 : static_cast<int64_t>(rng() % 50);
      candidates.push_back(c);
    }
    const int page_size = 1 + static_cast<int>(rng() % 30);
    Weights w;
    std::vector<int64_t> got;
    for (const Scored& s :
         RankPage(candidates, Viewer{}, {}, page_size, w, now, round)) {
      got.push_back(s.video_id);
    }
    ASSERT_EQ(got,
              ReferencePage(candidates, Viewer{}, page_size, w, now, round))
        << "round " << round;
  }
}

}  // namespace
}  // namespace tokkit::feed::ranking
