import { FingerprintMap, fingerprintOf, pairH1, pairH2 } from './_fingerprint.ts';
import { TokenBuffer, TokenKind, scanTokens } from './_tokenize.ts';
import { LINKEDIN_RESERVED_ASCII, rememberUnitCounts } from './platform-length.ts';
import { CTA_PAIRS, CTA_START, CTA_WORD, HAS_RATING, LEXICON, NEGATOR, RATING_BIAS, RATING_MASK, THREAD_WORD, syllablesOfEntry } from './_lexicon.ts';
import { fleschKincaidGrade, fleschReadingEase } from './readability.ts';

/** What the first line does to make people read on. */
export const HOOK_TYPES = ['none', 'question', 'number', 'you', 'bold_claim', 'list_promise'] as const;
export type HookType = (typeof HOOK_TYPES)[number];

/**
 * Deterministic features of a post's text. Every field is pure in the text; see
 * `FEATURE_DESCRIPTIONS` for what each one measures.
 */
export interface TextFeatures {
  chars: number;
  words: number;
  sentences: number;
  lines: number;
  line_breaks: number;
  blank_lines: number;
  avg_word_length: number;
  syllables_per_word: number;
  flesch_reading_ease: number;
  flesch_kincaid_grade: number;
  reading_time_s: number;
  sentiment: number;
  sentiment_comparative: number;
  hashtags: number;
  mentions: number;
  links: number;
  emoji: number;
  numbers: number;
  questions: number;
  exclamations: number;
  uppercase_ratio: number;
  hook: HookType;
  has_cta: boolean;
  list_items: number;
  is_list: boolean;
  is_thread: boolean;
  is_reply: boolean;
  is_repost: boolean;
  first_line_chars: number;
  link_at_end: boolean;
}

/** One sentence per feature, shown in docs and in explanations. */
export const FEATURE_DESCRIPTIONS: Readonly<Record<keyof TextFeatures, string>> = {
  chars: 'length in Unicode code points',
  words: 'word and number tokens, excluding links, mentions, hashtags and emoji',
  sentences: 'sentences, ended by . ! ? or a line break',
  lines: 'non-empty lines',
  line_breaks: 'newline characters (white space that makes a post scannable)',
  blank_lines: 'empty lines between paragraphs',
  avg_word_length: 'mean letters per word',
  syllables_per_word: 'mean syllables per word (the `syllable` package)',
  flesch_reading_ease: 'Flesch reading ease, higher is easier (weak on posts under ~100 words)',
  flesch_kincaid_grade: 'Flesch–Kincaid school grade needed to read it',
  reading_time_s: 'seconds to read at 238 words per minute',
  sentiment: 'AFINN sentiment sum over words and emoji (the `sentiment` lexicon), negation-aware',
  sentiment_comparative: 'sentiment per token',
  hashtags: '#hashtags',
  mentions: '@mentions',
  links: 'links (with or without http)',
  emoji: 'emoji sequences (a ZWJ family or a flag counts once)',
  numbers: 'numbers written with digits',
  questions: 'question marks',
  exclamations: 'exclamation marks',
  uppercase_ratio: 'share of letters in upper case (shouting)',
  hook: 'what the first line does: question, number, "you", bold claim, list promise or none',
  has_cta: 'asks the reader to act: read, reply, share, join, sign up, try…',
  list_items: 'lines that start with a bullet, a number or an emoji marker',
  is_list: 'at least two list items',
  is_thread: 'announces or continues a thread (🧵, "1/", "thread")',
  is_reply: 'starts with an @mention, so platforms show it as a reply',
  is_repost: 'a manual retweet ("RT @user")',
  first_line_chars: 'length of the first line, the part shown before "see more"',
  link_at_end: 'the last token is a link',
};

/** A text split once into lowercased tokens, shared by the features and the engagement model. */
export interface TextAnalysis {
  features: TextFeatures;
  /**
   * Lowercased tokens in order. Links become `<url>`, mentions `<mention>`, numbers `<num>`;
   * hashtags keep their `#`; emoji are their own tokens; Han and kana characters one each.
   */
  tokens: string[];
}

const LIST_ITEM_RE = /^\s*(?:[-•*▪◦‣→>]|\d{1,2}[.)]|\p{Extended_Pictographic}\uFE0F?)\s*\S/u;
// Thread numbering such as "1/" or "(2/5)" at the very start or end of the post.
const THREAD_NUMBER_START_RE = /^\s*\(?\d{1,2}\/\d{0,2}\)?\s/;
const THREAD_NUMBER_END_RE = /\s\(?\d{1,2}\/\d{0,2}\)?\s*$/;

const CTA_PAIR_SET = (() => {
  const set = new FingerprintMap(CTA_PAIRS.reduce((n, [, next]) => n + next.length, 0));
  for (const [first, nexts] of CTA_PAIRS) {
    const [a1, a2] = fingerprintOf(first);
    for (const next of nexts) {
      const [b1, b2] = fingerprintOf(next);
      set.set(pairH1(a1, b1), pairH2(a2, b2), 1);
    }
  }
  return set;
})();
const [LET1, LET2] = fingerprintOf('let');
const [US1, US2] = fingerprintOf('us');
const [ME1, ME2] = fingerprintOf('me');
const [KNOW1, KNOW2] = fingerprintOf('know');
const [LINK1, LINK2] = fingerprintOf('link');
const [IN1, IN2] = fingerprintOf('in');
const [BIO1, BIO2] = fingerprintOf('bio');

function isToken(t: TokenFingerprints, i: number, h1: number, h2: number): boolean {
  return i < t.count && t.h1[i] === h1 && t.h2[i] === h2;
}

/** Whether token `i`, a first word of a call-to-action phrase, starts one. */
function startsCallToAction(t: TokenFingerprints, i: number): boolean {
  if (i + 1 >= t.count) return false;
  const a1 = t.h1[i]!;
  const a2 = t.h2[i]!;
  if (CTA_PAIR_SET.has(pairH1(a1, t.h1[i + 1]!), pairH2(a2, t.h2[i + 1]!))) return true;
  // "let us know", "let me know", "link in bio"
  if (a1 === LET1 && a2 === LET2) return (isToken(t, i + 1, US1, US2) || isToken(t, i + 1, ME1, ME2)) && isToken(t, i + 2, KNOW1, KNOW2);
  return a1 === LINK1 && a2 === LINK2 && isToken(t, i + 1, IN1, IN2) && isToken(t, i + 2, BIO1, BIO2);
}

/**
 * Thread numbering at the start or end, or the thread emoji (the word "thread" is a token).
 * `nonAscii` and `slashes` come from the feature pass: without them neither can match.
 */
function threadMarked(text: string, nonAscii: boolean, slashes: boolean): boolean {
  if (nonAscii && text.includes('🧵')) return true;
  return slashes && (THREAD_NUMBER_START_RE.test(text.slice(0, 12)) || THREAD_NUMBER_END_RE.test(text.slice(-12)));
}

const QUESTION_START_RE = /^(?:how|why|what|who|when|where|which|do|does|did|is|are|can|could|should|would|will|have|has|ever)\b/i;
// A list promise opens the line, or the line holds 🧵 or "a thread" (three tests: one regex
// with unanchored alternatives retries the anchored ones at every position).
const LIST_PROMISE_START_RE =
  /^\W*(?:\d+|two|three|four|five|six|seven|eight|nine|ten|a few)\s+(?:\w+\s+)?(?:ways|things|tips|reasons|lessons|steps|mistakes|ideas|tools|rules|habits|questions|books|examples|tricks|signs|facts|myths)\b|^\W*here(?:'s|’s| is| are)\b/i;
const A_THREAD_RE = /\ba thread\b/i;
const BOLD_CLAIM_RE =
  /\b(?:never|always|nobody|everyone|everybody|stop|the (?:best|worst|only|biggest|real)|most people|unpopular opinion|hot take|truth is|myth|secret|nobody talks about|is dead|game[- ]changer)\b/i;
const YOU_RE = /\b(?:you|your|you're|you’re|yourself)\b/i;
const NUMBER_RE = /\d/;

function classifyHook(firstLine: string): HookType {
  // Only the opening matters; capping it keeps long first lines cheap.
  const line = firstLine.length > 200 ? firstLine.slice(0, 200) : firstLine;
  if (line.length === 0) return 'none';
  if (LIST_PROMISE_START_RE.test(line) || line.includes('🧵') || A_THREAD_RE.test(line)) return 'list_promise';
  let end = line.length;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if ((c === 46 || c === 33 || c === 63) && (i + 1 === line.length || line.charCodeAt(i + 1) === 32)) {
      end = i + 1;
      break;
    }
  }
  const firstSentence = end === line.length ? line : line.slice(0, end);
  if (firstSentence.includes('?') || QUESTION_START_RE.test(line)) return 'question';
  if (NUMBER_RE.test(firstSentence)) return 'number';
  if (BOLD_CLAIM_RE.test(firstSentence) || firstSentence.endsWith('!')) return 'bold_claim';
  if (YOU_RE.test(firstSentence)) return 'you';
  return 'none';
}

/** White space as String.prototype.trim() removes it. */
function isTrimmedSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * The token fingerprints of the last analyzed text (see `analyzeTextFingerprints`): token `i` has
 * the 64-bit key `(h1[i], h2[i])`, equal to `tokenFingerprint` of its text in `TextAnalysis.tokens`.
 */
export interface TokenFingerprints {
  readonly count: number;
  readonly h1: Int32Array;
  readonly h2: Int32Array;
}

// One buffer for the process: analysis is synchronous, so calls never interleave.
const buffer = new TokenBuffer();

/** Split a text once and compute every feature (see `TextFeatures`). Pure and allocation-light. */
export function analyzeText(text: string): TextAnalysis {
  const features = featuresOf(text, buffer);
  const tokens: string[] = new Array(buffer.count);
  for (let i = 0; i < buffer.count; i++) tokens[i] = buffer.tokenText(i);
  return { features, tokens };
}

/**
 * `analyzeText` without token strings: the features, and the tokens' fingerprints for lookups
 * (an engagement model's words). The fingerprints are overwritten by the next analysis.
 */
export function analyzeTextFingerprints(text: string): { features: TextFeatures; fingerprints: TokenFingerprints } {
  return { features: featuresOf(text, buffer), fingerprints: buffer };
}

function featuresOf(text: string, tokens: TokenBuffer): TextFeatures {
  scanTokens(text, tokens);
  let words = 0;
  let letters = 0;
  let syllables = 0;
  let hashtags = 0;
  let mentions = 0;
  let links = 0;
  let emoji = 0;
  let numbers = 0;
  let sentiment = 0;
  let hasCta = false;
  let threadWord = false;
  let afterNegator = false;
  const count = tokens.count;
  const kinds = tokens.kind;
  const h1 = tokens.h1;
  const h2 = tokens.h2;
  for (let i = 0; i < count; i++) {
    const entry = LEXICON.get(h1[i]!, h2[i]!, 0);
    if (entry !== 0) {
      if ((entry & HAS_RATING) !== 0) {
        const rating = (entry & RATING_MASK) - RATING_BIAS;
        sentiment += afterNegator ? -rating : rating;
      }
      if (!hasCta && ((entry & CTA_WORD) !== 0 || ((entry & CTA_START) !== 0 && startsCallToAction(tokens, i)))) hasCta = true;
      if ((entry & THREAD_WORD) !== 0) threadWord = true;
    }
    afterNegator = (entry & NEGATOR) !== 0;
    switch (kinds[i]) {
      case TokenKind.Url:
        links++;
        break;
      case TokenKind.Mention:
        mentions++;
        break;
      case TokenKind.Hashtag:
        hashtags++;
        break;
      case TokenKind.Number:
        numbers++;
        words++;
        syllables += 2;
        letters += tokens.end[i]! - tokens.start[i]!;
        break;
      case TokenKind.Cjk:
        words++;
        syllables += 1;
        letters += 1;
        break;
      case TokenKind.Word:
        words++;
        letters += tokens.end[i]! - tokens.start[i]!;
        syllables += syllablesOfEntry(tokens, i, entry);
        break;
      case TokenKind.Emoji:
        emoji++;
        break;
    }
  }
  const lastKind = count === 0 ? 0 : kinds[count - 1];

  let lineBreaks = 0;
  let blankLines = 0;
  let lines = 0;
  let listItems = 0;
  let firstLine: string | undefined;
  let firstLineChars = 0;
  let sentences = 0;
  let upper = 0;
  let lettersForCase = 0;
  let questions = 0;
  let exclamations = 0;
  let chars = 0;
  // One pass over the code units: lines, sentences, case, punctuation and code points.
  let lineStart = 0;
  let lineHasText = false;
  let pendingTerminator = false;
  // Code points as codePointCount counts them (a lone surrogate is one), for the first line's length.
  let codePoints = 0;
  let codePointsAtLineStart = 0;
  // What platformLengthBound counts, so checkPlatformRules on this text needs no pass of its own.
  let ascii = 0;
  let dots = 0;
  let reserved = 0;
  let slashes = 0;
  const n = text.length;
  // i === n ends the last line; the line-end code is inline (a closure per call costs more).
  for (let i = 0; i <= n; i++) {
    const c = i === n ? 10 : text.charCodeAt(i);
    if (c === 10) {
      if (i < n) {
        chars++;
        lineBreaks++;
      }
      if (!lineHasText) {
        blankLines++;
      } else {
        lines++;
        sentences++;
        // The line as String.prototype.trim() would leave it, without building it.
        let from = lineStart;
        let to = i;
        while (from < to && isTrimmedSpace(text.charCodeAt(from))) from++;
        while (to > from && isTrimmedSpace(text.charCodeAt(to - 1))) to--;
        if (firstLine === undefined) {
          firstLine = text.slice(from, to);
          // The trimmed white space is one code unit and one code point per character.
          firstLineChars = codePoints - codePointsAtLineStart - (from - lineStart) - (i - to);
        }
        const first = from < to ? text.charCodeAt(from) : Number.NaN;
        // Only lines opening with a bullet, a digit or a non-ASCII symbol can be list items.
        if ((first < 65 || first > 122) && LIST_ITEM_RE.test(text.slice(from, to))) listItems++;
      }
      lineStart = i + 1;
      codePointsAtLineStart = codePoints;
      lineHasText = false;
      pendingTerminator = false;
      if (i < n) ascii++;
      continue;
    }
    if (c < 0x80) {
      ascii++;
      if (c === 46) {
        const next = text.charCodeAt(i + 1);
        if ((next >= 48 && next <= 57) || ((next | 32) >= 97 && (next | 32) <= 122) || next > 127) dots++;
      } else {
        reserved += LINKEDIN_RESERVED_ASCII[c]!;
        if (c === 47) slashes++;
      }
    }
    if (c < 0xdc00 || c > 0xdfff) {
      chars++;
      codePoints++;
    } else {
      const before = text.charCodeAt(i - 1);
      if (!(before >= 0xd800 && before <= 0xdbff)) codePoints++;
    }
    const space = c === 32 || c === 9 || c === 13 || c === 0xa0;
    if (!space) {
      // A terminator followed by white space and more text on the same line ends a sentence.
      if (pendingTerminator && lineHasText && text.charCodeAt(i - 1) !== 46 && text.charCodeAt(i - 1) !== 33 && text.charCodeAt(i - 1) !== 63) {
        sentences++;
      }
      pendingTerminator = false;
      lineHasText = true;
    }
    if (c === 46 || c === 33 || c === 63) {
      if (i + 1 < n) {
        const next = text.charCodeAt(i + 1);
        if (next === 32 || next === 9 || next === 0xa0) pendingTerminator = true;
      }
      if (c === 63) questions++;
      else if (c === 33) exclamations++;
    } else if (c >= 65 && c <= 90) {
      upper++;
      lettersForCase++;
    } else if (c >= 97 && c <= 122) {
      lettersForCase++;
      // The rest of a run of lowercase letters only adds to these counts (this letter already
      // settled any pending terminator and marked the line as text): skip it in one step.
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d < 97 || d > 122) break;
        j++;
      }
      const run = j - i - 1;
      ascii += run;
      chars += run;
      codePoints += run;
      lettersForCase += run;
      i = j - 1;
    }
  }
  rememberUnitCounts(text, ascii, chars - ascii, dots, reserved);
  // Blank "lines" before the first and after the last break are not gaps between paragraphs.
  blankLines = Math.max(0, blankLines - (text.startsWith('\n') || text.length === 0 ? 1 : 0) - (text.endsWith('\n') ? 1 : 0));
  if (lineBreaks === 0 && !lineHasText) blankLines = 0;

  const trimmedStart = text.trimStart();
  const features: TextFeatures = {
    chars,
    words,
    sentences: words === 0 ? 0 : Math.max(1, sentences),
    lines,
    line_breaks: lineBreaks,
    blank_lines: blankLines,
    avg_word_length: words === 0 ? 0 : letters / words,
    syllables_per_word: words === 0 ? 0 : syllables / words,
    flesch_reading_ease: fleschReadingEase(words, sentences, syllables),
    flesch_kincaid_grade: fleschKincaidGrade(words, sentences, syllables),
    reading_time_s: (words / 238) * 60,
    sentiment,
    sentiment_comparative: count === 0 ? 0 : sentiment / count,
    hashtags,
    mentions,
    links,
    emoji,
    numbers,
    questions,
    exclamations,
    uppercase_ratio: lettersForCase === 0 ? 0 : upper / lettersForCase,
    hook: classifyHook(firstLine ?? ''),
    has_cta: hasCta,
    list_items: listItems,
    is_list: listItems >= 2,
    is_thread: threadWord || threadMarked(text, chars > ascii, slashes > 0),
    is_reply: /^\.?[@＠]\w/.test(trimmedStart),
    is_repost: /^RT\s+@\w/.test(trimmedStart),
    first_line_chars: firstLineChars,
    link_at_end: lastKind === TokenKind.Url,
  };
  return features;
}

/** The features of a text (see `TextFeatures`). */
export function extractFeatures(text: string): TextFeatures {
  return featuresOf(text, buffer);
}
