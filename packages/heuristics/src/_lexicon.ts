import { syllable } from 'syllable';
import { FingerprintMap, fingerprintOf } from './_fingerprint.ts';
import type { TokenBuffer } from './_tokenize.ts';
import { AFINN, NEGATORS } from './sentiment.ts';

// One table for every per-token lookup of the features, keyed by token fingerprint: the AFINN
// rating (the `sentiment` package's data, applied as it does: a rating flips after a negator), the
// words of calls to action ("join", or the first word of "sign up", "let us know"…) and threads,
// and each word's syllable count once computed. One lookup per token; no string per word.
export const RATING_BIAS = 16;
export const RATING_MASK = 31;
export const HAS_RATING = 1 << 5;
export const NEGATOR = 1 << 6;
export const CTA_WORD = 1 << 7;
export const CTA_START = 1 << 8;
export const THREAD_WORD = 1 << 9;
/** Syllables sit above the flags; 0 there means not computed yet. */
export const SYLLABLE_SHIFT = 10;

export const CTA_WORDS = [
  'click', 'tap', 'register', 'join', 'subscribe', 'follow', 'retweet', 'share', 'reply', 'comment',
  'download', 'install', 'apply', 'submit', 'rsvp', 'watch', 'listen', 'grab', 'vote', 'book',
];
export const CTA_PAIRS: readonly (readonly [string, readonly string[]])[] = [
  ['check', ['it', 'this', 'out', 'them']],
  ['read', ['more', 'it', 'the', 'our', 'this']],
  ['learn', ['more']],
  ['find', ['out']],
  ['sign', ['up']],
  ['tell', ['us', 'me']],
  ['try', ['it', 'this', 'out']],
  ['dm', ['me', 'us']],
  ['get', ['started', 'yours', 'it']],
  ['save', ['this', 'it']],
];

function staticFlags(): Map<string, number> {
  const flags = new Map<string, number>();
  const add = (word: string, flag: number) => flags.set(word, (flags.get(word) ?? 0) | flag);
  for (const [word, rating] of AFINN) {
    if (!Number.isInteger(rating) || Math.abs(rating) >= RATING_BIAS) throw new Error(`AFINN rating of ${word} is not a small integer: ${rating}`);
    add(word, HAS_RATING | (rating + RATING_BIAS));
  }
  for (const word of NEGATORS) add(word, NEGATOR);
  for (const word of CTA_WORDS) add(word, CTA_WORD);
  for (const [word] of CTA_PAIRS) add(word, CTA_START);
  add('let', CTA_START);
  add('link', CTA_START);
  add('thread', THREAD_WORD);
  return flags;
}

// `syllable` costs ~10 µs a word; posts reuse a small vocabulary, so remembering counts makes it
// nearly free while keeping memory flat: past this many words the table is reset, not grown.
const SYLLABLE_WORDS = 50_000;
const STATIC: readonly (readonly [number, number, number])[] = [...staticFlags()].map(([word, flag]) => [...fingerprintOf(word), flag] as const);

/** Token fingerprint → flags and syllables (see the constants above). */
export const LEXICON = new FingerprintMap(STATIC.length + SYLLABLE_WORDS);

function reset(): void {
  LEXICON.clear();
  for (const [h1, h2, flag] of STATIC) LEXICON.set(h1, h2, flag);
}
reset();

/** Count, remember and return the syllables of a word whose fingerprint has no count yet. */
function learn(h1: number, h2: number, word: string): number {
  const n = Math.max(1, syllable(word));
  if (LEXICON.full) reset();
  LEXICON.set(h1, h2, LEXICON.get(h1, h2, 0) | (n << SYLLABLE_SHIFT));
  return n;
}

/** Syllables of word token `i`, whose lexicon entry is `entry`. */
export function syllablesOfEntry(tokens: TokenBuffer, i: number, entry: number): number {
  const n = entry >>> SYLLABLE_SHIFT;
  return n !== 0 ? n : learn(tokens.h1[i]!, tokens.h2[i]!, tokens.tokenText(i));
}

/** Syllables of one lowercased word, through the same table. */
export function syllablesOfWord(word: string): number {
  const [h1, h2] = fingerprintOf(word);
  const n = LEXICON.get(h1, h2, 0) >>> SYLLABLE_SHIFT;
  return n !== 0 ? n : learn(h1, h2, word);
}
