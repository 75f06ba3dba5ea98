import type { MetricName, Platform } from '@reer/core';
import type { TraceStore } from '@reer/trace-store';

const METRICS: readonly MetricName[] = [
  'impressions', 'likes', 'reposts', 'replies', 'quotes', 'bookmarks', 'shares', 'clicks', 'profile_visits', 'follows', 'engagements', 'engagement_rate',
];

/** Posts of one author on one platform, newest version of each. */
export interface AuthorStats {
  platform: Platform;
  author: string;
  posts: number;
  replies: number;
  reposts: number;
  /** Earliest and latest `created_at`. */
  first: string;
  last: string;
  /** Share of posts (0–1) that have each metric; metrics no post has are left out. */
  coverage: Partial<Record<MetricName, number>>;
}

export interface StoreStats {
  /** Distinct posts (newest version of each key). */
  posts: number;
  /** Every stored version, superseded ones included. */
  versions: number;
  first: string | null;
  last: string | null;
  by_author: AuthorStats[];
}

/** Posts per platform and author, date range and metric coverage, over the "latest wins" view. */
export async function computeStats(store: TraceStore): Promise<StoreStats> {
  const groups = new Map<string, AuthorStats & { counts: Partial<Record<MetricName, number>> }>();
  let posts = 0;
  let first: string | null = null;
  let last: string | null = null;
  for await (const record of store.latest('posts', { type: 'post' })) {
    if (record.type !== 'post') continue;
    const post = record.data;
    posts++;
    const key = `${post.platform}\u0000${post.author}`;
    let group = groups.get(key);
    if (!group) {
      group = { platform: post.platform, author: post.author, posts: 0, replies: 0, reposts: 0, first: post.created_at, last: post.created_at, coverage: {}, counts: {} };
      groups.set(key, group);
    }
    group.posts++;
    if (post.is_reply) group.replies++;
    if (post.is_repost) group.reposts++;
    if (post.created_at < group.first) group.first = post.created_at;
    if (post.created_at > group.last) group.last = post.created_at;
    if (first === null || post.created_at < first) first = post.created_at;
    if (last === null || post.created_at > last) last = post.created_at;
    for (const metric of METRICS) {
      if (post.metrics[metric] !== undefined) group.counts[metric] = (group.counts[metric] ?? 0) + 1;
    }
  }
  const byAuthor: AuthorStats[] = [...groups.values()]
    .map(({ counts, ...group }) => {
      const coverage: Partial<Record<MetricName, number>> = {};
      for (const metric of METRICS) {
        const n = counts[metric];
        if (n) coverage[metric] = n / group.posts;
      }
      return { ...group, coverage };
    })
    .sort((a, b) => a.platform.localeCompare(b.platform) || b.posts - a.posts || a.author.localeCompare(b.author));
  const versions = await store.count('posts', { type: 'post' });
  return { posts, versions, first, last, by_author: byAuthor };
}
