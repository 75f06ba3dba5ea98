import { analyzeText } from '@reer/heuristics';

// Function words that say nothing about a post's topic (English, Portuguese, Spanish basics).
const STOPWORDS = new Set(
  (
    'the and for are but not you your with this that from have has had was were will would can could should our out ' +
    'all any its it’s it\'s they them their there here what when where which who why how about into over more most ' +
    'some such than then too very just also only been being does did doing get got new now one two via amp http https ' +
    'www com org we’re we\'re i’m i\'m let’s let\'s don’t don\'t these those his her him she he who’s isn’t isn\'t ' +
    'que para com uma por não mais como dos das nos nas del los las con una por para'
  ).split(/\s+/),
);

/** Topic words of one text, in order, without function words, links, mentions or numbers. */
export function contentWords(text: string): string[] {
  return analyzeText(text).tokens.filter((t) => !t.startsWith('<') && !STOPWORDS.has(t) && (t.startsWith('#') || [...t].length >= 3 || /\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}/u.test(t)));
}

/** The `k` words that occur in the most texts (ties: first seen first). */
export function topKeywords(texts: readonly string[], k: number): string[] {
  const counts = new Map<string, number>();
  for (const text of texts) for (const word of new Set(contentWords(text))) counts.set(word, (counts.get(word) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([word]) => word);
}
