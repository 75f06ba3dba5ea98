import type { PostData } from '@reer/core';
import { wordTokens } from './text-tokens.ts';

export interface ExamplePost {
  post: PostData;
  /** BM25 relevance to the topic. */
  relevance: number;
  /** The post's reach-normalized engagement (higher is better), when known. */
  engagement: number | null;
}

interface Bm25Options {
  k1?: number;
  b?: number;
}

/**
 * BM25 over a small corpus. Built per call: an author's history is thousands of posts at most,
 * which indexes in milliseconds.
 */
export function bm25Scores(query: string, documents: readonly string[], options: Bm25Options = {}): number[] {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  const docs = documents.map(wordTokens);
  const avgLength = docs.reduce((sum, d) => sum + d.length, 0) / Math.max(1, docs.length);
  const documentFrequency = new Map<string, number>();
  for (const doc of docs) for (const term of new Set(doc)) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  const terms = [...new Set(wordTokens(query))];
  return docs.map((doc) => {
    const tf = new Map<string, number>();
    for (const t of doc) tf.set(t, (tf.get(t) ?? 0) + 1);
    let score = 0;
    for (const term of terms) {
      const f = tf.get(term);
      if (!f) continue;
      const df = documentFrequency.get(term) ?? 0;
      const idf = Math.log(1 + (docs.length - df + 0.5) / (df + 0.5));
      score += (idf * f * (k1 + 1)) / (f + k1 * (1 - b + (b * doc.length) / (avgLength || 1)));
    }
    return score;
  });
}

export interface SelectExamplesOptions {
  /** How many examples to give the program. @default 3 */
  count?: number;
  /** Engagement of a post (higher is better); from the scorer. */
  engagementOf: (post: PostData) => number | null;
}

/**
 * The author's best-performing original posts most related to the topic: relevance and
 * engagement are each turned into ranks so neither scale dominates, then combined. With no
 * related post at all the best performers stand in, so the voice still comes through.
 */
export function selectExamples(posts: readonly PostData[], topic: string, options: SelectExamplesOptions): ExamplePost[] {
  const count = options.count ?? 3;
  const originals = posts.filter((p) => !p.is_reply && !p.is_repost && p.text.trim().length > 0);
  if (originals.length === 0) return [];
  const relevance = bm25Scores(topic, originals.map((p) => p.text));
  const engagement = originals.map((p) => options.engagementOf(p));
  const relevanceRank = percentileRanks(relevance);
  const engagementRank = percentileRanks(engagement.map((e) => e ?? Number.NEGATIVE_INFINITY));
  const scored = originals.map((post, i) => ({
    post,
    relevance: relevance[i] ?? 0,
    engagement: engagement[i] ?? null,
    combined: (relevance[i] ?? 0) > 0 ? 0.6 * (relevanceRank[i] ?? 0) + 0.4 * (engagementRank[i] ?? 0) + 1 : (engagementRank[i] ?? 0),
  }));
  scored.sort((a, b) => b.combined - a.combined || a.post.post_id.localeCompare(b.post.post_id));
  return scored.slice(0, count).map(({ post, relevance: r, engagement: e }) => ({ post, relevance: r, engagement: e }));
}

/** Ranks scaled to [0, 1] (ties share the mean rank). */
function percentileRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length).fill(0);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.v === order[start]?.v) end++;
    const rank = (start + end) / 2 / Math.max(1, values.length - 1);
    for (let k = start; k <= end; k++) ranks[order[k]?.i ?? 0] = rank;
    start = end + 1;
  }
  return ranks;
}
