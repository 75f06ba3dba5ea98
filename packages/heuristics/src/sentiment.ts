import { createRequire } from 'node:module';
import { z } from 'zod';
import { FingerprintMap, fingerprintOf } from './_fingerprint.ts';

const require = createRequire(import.meta.url);
const Lexicon = z.record(z.string(), z.number());

// The `sentiment` package's own data: AFINN-165, its emoji ratings and English negators. We apply
// them to our shared token stream instead of calling `analyze`, which re-tokenizes the text and
// builds arrays we do not need (about 18 µs a post; this is under 1 µs).
const AFINN: ReadonlyMap<string, number> = new Map(
  Object.entries({
    ...Lexicon.parse(require('sentiment/languages/en/labels.json')),
    ...Lexicon.parse(require('sentiment/build/emoji.json')),
  }),
);
const NEGATORS: ReadonlySet<string> = new Set(Object.keys(Lexicon.parse(require('sentiment/languages/en/negators.json'))));
// The same lexicon keyed by token fingerprint, for the tokenizer's strings-free path.
const AFINN_BY_FINGERPRINT = new FingerprintMap(AFINN.size);
for (const [word, rating] of AFINN) {
  const [h1, h2] = fingerprintOf(word);
  AFINN_BY_FINGERPRINT.set(h1, h2, rating);
}
const NEGATORS_BY_FINGERPRINT = new FingerprintMap(NEGATORS.size);
for (const word of NEGATORS) {
  const [h1, h2] = fingerprintOf(word);
  NEGATORS_BY_FINGERPRINT.set(h1, h2, 1);
}

export interface SentimentResult {
  /** Sum of AFINN ratings (-5..5 per word or emoji), negated after "not", "don't"… */
  score: number;
  /** `score` per token, comparable across lengths. */
  comparative: number;
}

/**
 * AFINN sentiment of lowercased word and emoji tokens, as the `sentiment` package scores them
 * (same lexicon, same negation rule: a rating flips when the previous token is a negator).
 */
export function sentimentOfTokens(tokens: readonly string[]): SentimentResult {
  let score = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    const rating = AFINN.get(token);
    if (rating === undefined) continue;
    score += i > 0 && NEGATORS.has(tokens[i - 1] ?? '') ? -rating : rating;
  }
  return { score, comparative: tokens.length === 0 ? 0 : score / tokens.length };
}

/** `sentimentOfTokens` over token fingerprints (see `analyzeTextFingerprints`). */
export function sentimentOfFingerprints(tokens: { readonly count: number; readonly h1: Int32Array; readonly h2: Int32Array }): SentimentResult {
  const { count, h1, h2 } = tokens;
  let score = 0;
  for (let i = 0; i < count; i++) {
    const rating = AFINN_BY_FINGERPRINT.get(h1[i]!, h2[i]!, Number.NaN);
    if (Number.isNaN(rating)) continue;
    score += i > 0 && NEGATORS_BY_FINGERPRINT.has(h1[i - 1]!, h2[i - 1]!) ? -rating : rating;
  }
  return { score, comparative: count === 0 ? 0 : score / count };
}
