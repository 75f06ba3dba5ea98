import { syllablesOfWord } from './_lexicon.ts';

/** Syllables in one lowercased word (the `syllable` package, cached). */
export function syllablesOf(word: string): number {
  return syllablesOfWord(word);
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
