import { syllable } from 'syllable';
import { FingerprintMap, fingerprintOf } from './_fingerprint.ts';
import type { TokenBuffer } from './_tokenize.ts';

// `syllable` costs ~10 µs a word; posts reuse a small vocabulary, so a bounded cache keyed by the
// word's fingerprint makes it nearly free (no string per word) while keeping memory flat: it is
// cleared, not grown, when full.
const CACHE_LIMIT = 50_000;
const cache = new FingerprintMap(CACHE_LIMIT);

/** Syllables in one lowercased word (the `syllable` package, cached). */
export function syllablesOf(word: string): number {
  const [h1, h2] = fingerprintOf(word);
  const n = cache.get(h1, h2, 0);
  return n !== 0 ? n : remember(h1, h2, word);
}

/** Syllables of word token `i` of a scanned text. */
export function syllablesOfToken(tokens: TokenBuffer, i: number): number {
  const h1 = tokens.h1[i]!;
  const h2 = tokens.h2[i]!;
  const n = cache.get(h1, h2, 0);
  return n !== 0 ? n : remember(h1, h2, tokens.tokenText(i));
}

function remember(h1: number, h2: number, word: string): number {
  const n = Math.max(1, syllable(word));
  if (cache.full) cache.clear();
  cache.set(h1, h2, n);
  return n;
}

/**
 * Flesch reading ease: 206.835 − 1.015·(words/sentences) − 84.6·(syllables/words). Higher is
 * easier (60–70 plain English, under 30 academic). Unreliable below ~100 words: treat as a hint.
 */
export function fleschReadingEase(words: number, sentences: number, syllables: number): number {
  if (words === 0) return 0;
  return 206.835 - 1.015 * (words / Math.max(1, sentences)) - 84.6 * (syllables / words);
}

/** Flesch–Kincaid grade level: 0.39·(words/sentences) + 11.8·(syllables/words) − 15.59. */
export function fleschKincaidGrade(words: number, sentences: number, syllables: number): number {
  if (words === 0) return 0;
  return 0.39 * (words / Math.max(1, sentences)) + 11.8 * (syllables / words) - 15.59;
}
