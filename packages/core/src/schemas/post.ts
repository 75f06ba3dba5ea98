import { z } from 'zod';

export const PLATFORMS = [
  'x',
  'linkedin',
  'threads',
  'bluesky',
  'mastodon',
  'facebook',
  'instagram',
  'discord',
] as const;
export const PlatformSchema = z.enum(PLATFORMS);
export type Platform = z.infer<typeof PlatformSchema>;

const count = z.number().finite().nonnegative();

/** Per-post metrics. A metric the source lacks is absent, never zero. */
export const PostMetricsSchema = z
  .object({
    impressions: count,
    likes: count,
    reposts: count,
    replies: count,
    quotes: count,
    bookmarks: count,
    shares: count,
    clicks: count,
    profile_visits: count,
    follows: count,
    engagements: count,
    /** Fraction in [0, 1] (0.034 = 3.4%), as the export reports it or engagements / impressions. */
    engagement_rate: count,
  })
  .partial()
  .strict();
export type PostMetrics = z.infer<typeof PostMetricsSchema>;
export type MetricName = keyof PostMetrics;

/** A normalized post: the `data` of a `post` record in `social/normalized.jsonl`. */
export const PostDataSchema = z
  .object({
    platform: PlatformSchema,
    post_id: z.string().min(1),
    author: z.string(),
    text: z.string(),
    /** ISO 8601 UTC, e.g. `2019-01-31T23:32:00.000Z`. */
    created_at: z.iso.datetime({ offset: false }),
    url: z.string().optional(),
    lang: z.string().optional(),
    is_reply: z.boolean(),
    is_repost: z.boolean(),
    has_media: z.boolean().optional(),
    metrics: PostMetricsSchema,
  })
  .strict();
export type PostData = z.infer<typeof PostDataSchema>;

/**
 * A post's fields and its metrics' names in schema order: the order of a post's JSON in the store,
 * which its content hash depends on.
 */
export const POST_FIELDS: readonly string[] = Object.keys(PostDataSchema.shape);
export const METRIC_NAMES = Object.keys(PostMetricsSchema.shape) as readonly MetricName[];

/** True when every own key of `o` is in `order` and they come in that order (absent ones skipped). */
export function keysInOrder(o: object, order: readonly string[]): boolean {
  let k = 0;
  for (const key in o) {
    while (k < order.length && order[k] !== key) k++;
    if (k === order.length) return false;
    k++;
  }
  return true;
}

/** Stable identity of a post across exports: platform + post id. */
export function postKey(post: Pick<PostData, 'platform' | 'post_id'>): string {
  return `${post.platform}:${post.post_id}`;
}
