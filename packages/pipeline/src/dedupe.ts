import { wordNgrams } from './text-tokens.ts';

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const g of a) if (b.has(g)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * Indices of the texts to keep after collapsing near-duplicates (word-trigram Jaccard at or above
 * `threshold`). Texts are visited in the given order, so pass them best first to keep the best
 * of each group. Returns, for every dropped index, the index it duplicates.
 */
export function collapseNearDuplicates(
  texts: readonly string[],
  threshold = 0.6,
): { keep: number[]; duplicateOf: Map<number, number> } {
  const grams = texts.map((t) => wordNgrams(t, 3));
  const normalized = texts.map((t) => t.toLowerCase().replace(/\s+/g, ' ').trim());
  const keep: number[] = [];
  const duplicateOf = new Map<number, number>();
  for (let i = 0; i < texts.length; i++) {
    const match = keep.find(
      (k) => normalized[k] === normalized[i] || jaccard(grams[k] as Set<string>, grams[i] as Set<string>) >= threshold,
    );
    if (match === undefined) keep.push(i);
    else duplicateOf.set(i, match);
  }
  return { keep, duplicateOf };
}

export interface PastPostIndex {
  /** The largest share of the candidate's word 4-grams found in one past post, and that post's id. */
  overlap(text: string): { share: number; postId: string | null };
}

/**
 * Indexes the author's past posts by word 4-grams so a candidate that copies one of them can be
 * rejected: the generator is shown the author's posts as examples and small models echo them.
 */
export function indexPastPosts(posts: readonly { post_id: string; text: string }[]): PastPostIndex {
  const byGram = new Map<string, number[]>();
  posts.forEach((post, i) => {
    for (const g of wordNgrams(post.text, 4)) {
      const list = byGram.get(g);
      if (list) list.push(i);
      else byGram.set(g, [i]);
    }
  });
  return {
    overlap(text) {
      const grams = wordNgrams(text, 4);
      if (grams.size === 0) return { share: 0, postId: null };
      const hits = new Map<number, number>();
      for (const g of grams) for (const i of byGram.get(g) ?? []) hits.set(i, (hits.get(i) ?? 0) + 1);
      let best = -1;
      let bestHits = 0;
      for (const [i, n] of hits) if (n > bestHits) [best, bestHits] = [i, n];
      return { share: bestHits / grams.size, postId: best >= 0 ? (posts[best]?.post_id ?? null) : null };
    },
  };
}
