/** Leak check: how much of the post a trajectory reproduces, by n-gram overlap. */

export interface LeakOptions {
  /** Word n-gram size. @default 4 */
  ngram: number;
  /** Fraction of y's n-grams found in z at or above which z is flagged. @default 0.3 */
  threshold: number;
}

export const DEFAULT_LEAK_OPTIONS: LeakOptions = { ngram: 4, threshold: 0.3 };

/** Character n-gram size for posts too short (or too unspaced, e.g. Japanese) for word n-grams. */
const CHAR_NGRAM = 8;

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function ngrams(items: readonly string[], n: number, joiner: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + n <= items.length; i++) out.add(items.slice(i, i + n).join(joiner));
  return out;
}

/**
 * Fraction of the post's n-grams that also occur in the trajectory, in [0, 1]. Word n-grams when
 * the post has at least 2n words; otherwise character n-grams of its normalized letters.
 */
export function ngramOverlap(trajectory: string, post: string, n = DEFAULT_LEAK_OPTIONS.ngram): number {
  const postWords = words(post);
  let postGrams: Set<string>;
  let trajectoryGrams: Set<string>;
  if (postWords.length >= 2 * n) {
    postGrams = ngrams(postWords, n, ' ');
    trajectoryGrams = ngrams(words(trajectory), n, ' ');
  } else {
    const chars = (text: string) => [...words(text).join(' ')];
    postGrams = ngrams(chars(post), CHAR_NGRAM, '');
    trajectoryGrams = ngrams(chars(trajectory), CHAR_NGRAM, '');
  }
  if (postGrams.size === 0) return 0;
  let shared = 0;
  for (const gram of postGrams) if (trajectoryGrams.has(gram)) shared++;
  return shared / postGrams.size;
}

export interface LeakResult {
  flagged: boolean;
  overlap: number;
}

export function checkLeak(trajectory: string, post: string, options: LeakOptions = DEFAULT_LEAK_OPTIONS): LeakResult {
  const overlap = ngramOverlap(trajectory, post, options.ngram);
  return { flagged: overlap >= options.threshold, overlap };
}
