import { postKey, type PostData, type PostMetrics } from '@reer/core';

/**
 * How much each interaction counts. Replies and saves/shares signal more intent than a like
 * (see the scoring signals in the platform notes); clicks are the weakest signal.
 */
export const ENGAGEMENT_WEIGHTS: Readonly<Partial<Record<keyof PostMetrics, number>>> = {
  likes: 3,
  replies: 5,
  reposts: 4,
  quotes: 4,
  bookmarks: 5,
  shares: 5,
};

/** The weighted engagement of a post, or null when it has none of the counted metrics. */
export function weightedEngagement(metrics: PostMetrics): number | null {
  let total = 0;
  let seen = false;
  for (const [name, weight] of Object.entries(ENGAGEMENT_WEIGHTS)) {
    const value = metrics[name as keyof PostMetrics];
    if (value === undefined) continue;
    total += weight * value;
    seen = true;
  }
  return seen ? total : null;
}

/**
 * Reach-normalized engagement: `log1p(1000 · weighted / impressions)` (weighted engagement per
 * thousand impressions) where impressions exist, else `log1p(weighted)`. Null when the post has
 * no engagement metrics. Posts with and without impressions are on different scales: compare
 * within one source.
 */
export function engagementOf(post: Pick<PostData, 'metrics'>): number | null {
  const weighted = weightedEngagement(post.metrics);
  if (weighted === null) return null;
  const impressions = post.metrics.impressions;
  if (impressions !== undefined && impressions > 0) return Math.log1p((1000 * weighted) / impressions);
  return Math.log1p(weighted);
}

export interface PeriodNormalizeOptions {
  /**
   * Width of the centered time window, in days, whose median engagement is the post's baseline.
   * @default 60
   */
  windowDays?: number;
  /**
   * Fewest neighbours a window needs; smaller windows widen to this many nearest posts.
   * @default 10
   */
  minNeighbours?: number;
}

/** First index in ascending `sorted` whose value is not below `value`. */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Engagement relative to the same author's typical post at the time: `engagementOf(post)` minus the
 * median over the author's original posts on the same platform within a centered window. This
 * removes follower growth and platform-wide drift so posts from different years compare fairly.
 * Replies, reposts and posts without metrics are left out. Keys are `postKey(post)`.
 */
export function periodNormalizedEngagement(posts: readonly PostData[], options: PeriodNormalizeOptions = {}): Map<string, number> {
  const halfWindow = ((options.windowDays ?? 60) * 86_400_000) / 2;
  const minNeighbours = options.minNeighbours ?? 10;
  const groups = new Map<string, { t: number; e: number; key: string }[]>();
  for (const post of posts) {
    if (post.is_reply || post.is_repost) continue;
    const e = engagementOf(post);
    if (e === null) continue;
    const group = `${post.platform}\u0000${post.author}`;
    let list = groups.get(group);
    if (!list) {
      list = [];
      groups.set(group, list);
    }
    list.push({ t: Date.parse(post.created_at), e, key: postKey(post) });
  }
  const out = new Map<string, number>();
  for (const list of groups.values()) {
    list.sort((a, b) => a.t - b.t);
    // The window [lo, hi) slides forward; `sorted` holds its values in order, updated by binary
    // search as posts enter and leave (a full sort per post made 10,000 posts take seconds).
    const sorted: number[] = [];
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < list.length; i++) {
      const item = list[i]!;
      while (hi < list.length && list[hi]!.t - item.t <= halfWindow) {
        const e = list[hi]!.e;
        sorted.splice(lowerBound(sorted, e), 0, e);
        hi++;
      }
      while (lo < i && item.t - list[lo]!.t > halfWindow) {
        sorted.splice(lowerBound(sorted, list[lo]!.e), 1);
        lo++;
      }
      let baseline: number;
      if (hi - lo - 1 >= Math.min(minNeighbours, list.length - 1)) {
        // Median of the neighbours: the window without the post itself.
        const at = lowerBound(sorted, item.e);
        sorted.splice(at, 1);
        baseline = median(sorted);
        sorted.splice(at, 0, item.e);
      } else {
        // Sparse period: widen to the nearest posts so the baseline is not one neighbour.
        let from = lo;
        let to = hi;
        while (to - from < Math.min(minNeighbours + 1, list.length)) {
          const left = from > 0 ? item.t - list[from - 1]!.t : Number.POSITIVE_INFINITY;
          const right = to < list.length ? list[to]!.t - item.t : Number.POSITIVE_INFINITY;
          if (left <= right) from--;
          else to++;
        }
        const window: number[] = [];
        for (let j = from; j < to; j++) if (j !== i) window.push(list[j]!.e);
        window.sort((a, b) => a - b);
        baseline = median(window);
      }
      out.set(item.key, item.e - baseline);
    }
  }
  return out;
}
