import { syllable } from 'syllable';

// `syllable` costs ~10 µs a word; posts reuse a small vocabulary, so a bounded cache makes it
// nearly free while keeping memory flat (it is cleared, not grown, when full).
const CACHE_LIMIT = 50_000;
const cache = new Map<string, number>();

/** Syllables in one lowercased word (the `syllable` package, cached). */
export function syllablesOf(word: string): number {
  let n = cache.get(word);
  if (n === undefined) {
    n = Math.max(1, syllable(word));
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(word, n);
  }
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
