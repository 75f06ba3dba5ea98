import { ReerError } from '@reer/core';
import type { ScoredPost } from './strategies.ts';

/** How many of each author's best posts to mine: a count, or a top fraction. */
export type ExemplarSelection = { topK: number } | { topQuantile: number };

/** Originals only: replies and reposts say little about what the author's own posts do. */
export function isOriginal(post: { is_reply: boolean; is_repost: boolean }): boolean {
  return !post.is_reply && !post.is_repost;
}

/**
 * The exemplars: per platform and author, the original posts ranked by reach-normalized engagement
 * within their period (ties by post id, so the choice is stable), cut at `topK` or at the top
 * `topQuantile` (at least one post).
 */
export function selectExemplars(posts: readonly ScoredPost[], selection: ExemplarSelection): ScoredPost[] {
  if ('topK' in selection && !(Number.isInteger(selection.topK) && selection.topK > 0)) {
    throw new ReerError('E_USAGE', `--top-k must be a positive integer, got ${selection.topK}`);
  }
  if ('topQuantile' in selection && !(selection.topQuantile > 0 && selection.topQuantile <= 1)) {
    throw new ReerError('E_USAGE', `--top-quantile must be in (0, 1], got ${selection.topQuantile}`);
  }
  const groups = new Map<string, ScoredPost[]>();
  for (const p of posts) {
    if (!isOriginal(p.post)) continue;
    const id = `${p.post.platform}:${p.post.author}`;
    const list = groups.get(id);
    if (list) list.push(p);
    else groups.set(id, [p]);
  }
  const out: ScoredPost[] = [];
  for (const list of groups.values()) {
    list.sort((a, b) => b.engagement - a.engagement || a.post.post_id.localeCompare(b.post.post_id));
    const count = 'topK' in selection ? selection.topK : Math.max(1, Math.ceil(selection.topQuantile * list.length));
    out.push(...list.slice(0, count));
  }
  return out;
}
