/** Lower-cased word tokens without URLs, mentions' @ or hashtags' #; shared by retrieval and dedupe. */
export function wordTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/https?:\/\/\S+/g, ' ')
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}']+/u)
    .map((t) => t.replace(/^'+|'+$/g, ''))
    .filter((t) => t.length > 1 && !STOPWORDS.has(t));
}

/** Word n-grams (as joined strings) of a text, for overlap checks. */
export function wordNgrams(text: string, n: number): Set<string> {
  const words = text
    .toLowerCase()
    .replace(/https?:\/\/\S+/g, ' ')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  const grams = new Set<string>();
  for (let i = 0; i + n <= words.length; i++) grams.add(words.slice(i, i + n).join(' '));
  return grams;
}

// A short English list: enough to keep retrieval from matching on glue words.
const STOPWORDS = new Set(
  'a an and are as at be but by for from has have i if in into is it its of on or our so that the their this to was we were will with you your not can do how what when which who why new more about just than then them they'.split(
    ' ',
  ),
);
