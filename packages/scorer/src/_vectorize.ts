import type { TextFeatures } from '@reer/heuristics';
import { clip } from './_clip.ts';

/** Numeric features of the engagement model: name, words when above average, words when below. */
export const DENSE_FEATURES = [
  ['log_length', 'a longer post', 'a shorter post'],
  ['log_words', 'more words', 'fewer words'],
  ['line_breaks', 'line breaks', 'few line breaks'],
  ['hashtags', 'hashtags', 'few or no hashtags'],
  ['mentions', 'mentions', 'few or no mentions'],
  ['links', 'links', 'no link'],
  ['emoji', 'emoji', 'no emoji'],
  ['numbers', 'numbers', 'few numbers'],
  ['question', 'a question', 'no question'],
  ['exclamation', 'an exclamation', 'no exclamation'],
  ['uppercase_ratio', 'capital letters', 'few capital letters'],
  ['hook_question', 'a question as the hook', 'no question hook'],
  ['hook_number', 'a number in the hook', 'no number in the hook'],
  ['hook_you', 'addressing "you" in the hook', 'not addressing "you" in the hook'],
  ['hook_bold_claim', 'a bold claim as the hook', 'no bold claim'],
  ['hook_list_promise', 'a list promise as the hook', 'no list promise'],
  ['cta', 'a call to action', 'no call to action'],
  ['list', 'list structure', 'no list structure'],
  ['thread', 'thread markers', 'no thread markers'],
  ['reply', 'reading as a reply', 'not reading as a reply'],
  ['first_line_length', 'a longer first line', 'a shorter first line'],
  ['link_at_end', 'ending with a link', 'not ending with a link'],
  ['sentiment', 'a positive tone', 'a negative or neutral tone'],
  ['reading_ease', 'easier reading', 'harder reading'],
  ['grade', 'a higher reading grade', 'a lower reading grade'],
  ['word_length', 'longer words', 'shorter words'],
  ['hour_sin', 'the time of day', 'the time of day'],
  ['hour_cos', 'the time of day', 'the time of day'],
  ['weekend', 'posting at the weekend', 'posting on a weekday'],
] as const;
export type DenseFeatureName = (typeof DENSE_FEATURES)[number][0];
export const DENSE_COUNT = DENSE_FEATURES.length;
/**
 * Features the ridge penalty leaves alone. Length is the one signal that predicts engagement on
 * every account we have seen (in a direction that differs by account) and is the baseline the
 * model must beat; shrinking it with 1,500 word indicators would, at the heavy penalties small
 * histories need, leave a model worse than its own baseline.
 */
export const UNPENALIZED_FEATURES: readonly DenseFeatureName[] = ['log_length'];
/** Index of the first time feature; they are NaN (then imputed to the mean) without a date. */
export const TIME_FEATURES_FROM = DENSE_FEATURES.findIndex(([name]) => name === 'hour_sin');


/** Writes the dense features of one post into `out` (length `DENSE_COUNT`). */
export function denseFeatures(f: TextFeatures, createdAt: string | undefined, out: Float64Array): void {
  out[0] = Math.log1p(f.chars);
  out[1] = Math.log1p(f.words);
  out[2] = Math.log1p(f.line_breaks);
  out[3] = Math.min(f.hashtags, 6);
  out[4] = Math.min(f.mentions, 6);
  out[5] = Math.min(f.links, 3);
  out[6] = Math.log1p(f.emoji);
  out[7] = Math.min(f.numbers, 5);
  out[8] = f.questions > 0 ? 1 : 0;
  out[9] = f.exclamations > 0 ? 1 : 0;
  out[10] = f.uppercase_ratio;
  out[11] = f.hook === 'question' ? 1 : 0;
  out[12] = f.hook === 'number' ? 1 : 0;
  out[13] = f.hook === 'you' ? 1 : 0;
  out[14] = f.hook === 'bold_claim' ? 1 : 0;
  out[15] = f.hook === 'list_promise' ? 1 : 0;
  out[16] = f.has_cta ? 1 : 0;
  out[17] = f.is_list ? 1 : 0;
  out[18] = f.is_thread ? 1 : 0;
  out[19] = f.is_reply ? 1 : 0;
  out[20] = Math.log1p(f.first_line_chars);
  out[21] = f.link_at_end ? 1 : 0;
  out[22] = clip(f.sentiment, -10, 10);
  out[23] = clip(f.flesch_reading_ease, -50, 120);
  out[24] = clip(f.flesch_kincaid_grade, -5, 25);
  out[25] = clip(f.avg_word_length, 0, 15);
  const t = createdAt === undefined ? Number.NaN : Date.parse(createdAt);
  if (Number.isNaN(t)) {
    out[26] = Number.NaN;
    out[27] = Number.NaN;
    out[28] = Number.NaN;
  } else {
    const date = new Date(t);
    const hour = (date.getUTCHours() + date.getUTCMinutes() / 60) / 24;
    out[26] = Math.sin(2 * Math.PI * hour);
    out[27] = Math.cos(2 * Math.PI * hour);
    const day = date.getUTCDay();
    out[28] = day === 0 || day === 6 ? 1 : 0;
  }
}

/** Words and adjacent word pairs of a token stream (pairs joined by a space), deduplicated. */
export function termsOf(tokens: readonly string[]): Set<string> {
  const terms = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    terms.add(token);
    const next = tokens[i + 1];
    if (next !== undefined) terms.add(`${token} ${next}`);
  }
  return terms;
}
