import { TokenKind, scanTokens } from './_tokenize.ts';
import { codePointCount } from './platform-length.ts';
import { fleschKincaidGrade, fleschReadingEase, syllablesOf } from './readability.ts';
import { sentimentOfTokens } from './sentiment.ts';

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

// Calls to action, matched on the token stream (one pass, no regex over long posts): single
// words, and first words whose next token completes the phrase.
const CTA_WORDS: ReadonlySet<string> = new Set([
  'click', 'tap', 'register', 'join', 'subscribe', 'follow', 'retweet', 'share', 'reply', 'comment',
  'download', 'install', 'apply', 'submit', 'rsvp', 'watch', 'listen', 'grab', 'vote', 'book',
]);
const CTA_PAIRS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['check', new Set(['it', 'this', 'out', 'them'])],
  ['read', new Set(['more', 'it', 'the', 'our', 'this'])],
  ['learn', new Set(['more'])],
  ['find', new Set(['out'])],
  ['sign', new Set(['up'])],
  ['tell', new Set(['us', 'me'])],
  ['try', new Set(['it', 'this', 'out'])],
  ['dm', new Set(['me', 'us'])],
  ['get', new Set(['started', 'yours', 'it'])],
  ['save', new Set(['this', 'it'])],
]);

function hasCallToAction(tokens: readonly string[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (CTA_WORDS.has(token)) return true;
    const next = tokens[i + 1];
    if (next === undefined) continue;
    if (CTA_PAIRS.get(token)?.has(next)) return true;
    // "let us know", "let me know", "link in bio"
    if (token === 'let' && (next === 'us' || next === 'me') && tokens[i + 2] === 'know') return true;
    if (token === 'link' && next === 'in' && tokens[i + 2] === 'bio') return true;
  }
  return false;
}

function isThread(text: string, tokens: readonly string[]): boolean {
  return text.includes('🧵') || tokens.includes('thread') || THREAD_NUMBER_START_RE.test(text.slice(0, 12)) || THREAD_NUMBER_END_RE.test(text.slice(-12));
}

const QUESTION_START_RE = /^(?:how|why|what|who|when|where|which|do|does|did|is|are|can|could|should|would|will|have|has|ever)\b/i;
const LIST_PROMISE_RE =
  /^\W*(?:\d+|two|three|four|five|six|seven|eight|nine|ten|a few)\s+(?:\w+\s+)?(?:ways|things|tips|reasons|lessons|steps|mistakes|ideas|tools|rules|habits|questions|books|examples|tricks|signs|facts|myths)\b|^\W*here(?:'s|’s| is| are)\b|🧵|\ba thread\b/i;
const BOLD_CLAIM_RE =
  /\b(?:never|always|nobody|everyone|everybody|stop|the (?:best|worst|only|biggest|real)|most people|unpopular opinion|hot take|truth is|myth|secret|nobody talks about|is dead|game[- ]changer)\b/i;
const YOU_RE = /\b(?:you|your|you're|you’re|yourself)\b/i;
const NUMBER_RE = /\d/;

function classifyHook(firstLine: string): HookType {
  // Only the opening matters; capping it keeps long first lines cheap.
  const line = firstLine.length > 200 ? firstLine.slice(0, 200) : firstLine;
  if (line.length === 0) return 'none';
  if (LIST_PROMISE_RE.test(line)) return 'list_promise';
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

/** Split a text once and compute every feature (see `TextFeatures`). Pure and allocation-light. */
export function analyzeText(text: string): TextAnalysis {
  const tokens: string[] = [];
  let words = 0;
  let letters = 0;
  let syllables = 0;
  let hashtags = 0;
  let mentions = 0;
  let links = 0;
  let emoji = 0;
  let numbers = 0;
  let lastKind = 0 as number;
  scanTokens(text, (kind, start, end) => {
    lastKind = kind;
    switch (kind) {
      case TokenKind.Url:
        tokens.push('<url>');
        links++;
        return;
      case TokenKind.Mention:
        tokens.push('<mention>');
        mentions++;
        return;
      case TokenKind.Hashtag:
        tokens.push(text.slice(start, end).toLowerCase());
        hashtags++;
        return;
      case TokenKind.Number:
        tokens.push('<num>');
        numbers++;
        words++;
        syllables += 2;
        letters += end - start;
        return;
      case TokenKind.Cjk:
        tokens.push(text.slice(start, end));
        words++;
        syllables += 1;
        letters += 1;
        return;
      case TokenKind.Word: {
        const word = text.slice(start, end).toLowerCase();
        tokens.push(word);
        words++;
        letters += end - start;
        syllables += syllablesOf(word);
        return;
      }
      case TokenKind.Emoji:
        tokens.push(text.slice(start, end).replaceAll('\uFE0F', ''));
        emoji++;
        return;
    }
  });

  let lineBreaks = 0;
  let blankLines = 0;
  let lines = 0;
  let listItems = 0;
  let firstLine: string | undefined;
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
  const endLine = (end: number) => {
    if (!lineHasText) {
      blankLines++;
      return;
    }
    lines++;
    sentences++;
    const trimmed = text.slice(lineStart, end).trim();
    firstLine ??= trimmed;
    const first = trimmed.charCodeAt(0);
    // Only lines opening with a bullet, a digit or a non-ASCII symbol can be list items.
    if ((first < 65 || first > 122) && LIST_ITEM_RE.test(trimmed)) listItems++;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) chars++;
    if (c === 10) {
      lineBreaks++;
      endLine(i);
      lineStart = i + 1;
      lineHasText = false;
      pendingTerminator = false;
      continue;
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
      if (i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next === 32 || next === 9 || next === 0xa0) pendingTerminator = true;
      }
      if (c === 63) questions++;
      else if (c === 33) exclamations++;
    } else if (c >= 65 && c <= 90) {
      upper++;
      lettersForCase++;
    } else if (c >= 97 && c <= 122) lettersForCase++;
  }
  endLine(text.length);
  // Blank "lines" before the first and after the last break are not gaps between paragraphs.
  blankLines = Math.max(0, blankLines - (text.startsWith('\n') || text.length === 0 ? 1 : 0) - (text.endsWith('\n') ? 1 : 0));
  if (lineBreaks === 0 && !lineHasText) blankLines = 0;

  const sentiment = sentimentOfTokens(tokens);
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
    sentiment: sentiment.score,
    sentiment_comparative: sentiment.comparative,
    hashtags,
    mentions,
    links,
    emoji,
    numbers,
    questions,
    exclamations,
    uppercase_ratio: lettersForCase === 0 ? 0 : upper / lettersForCase,
    hook: classifyHook(firstLine ?? ''),
    has_cta: hasCallToAction(tokens),
    list_items: listItems,
    is_list: listItems >= 2,
    is_thread: isThread(text, tokens),
    is_reply: /^\.?[@＠]\w/.test(trimmedStart),
    is_repost: /^RT\s+@\w/.test(trimmedStart),
    first_line_chars: firstLine === undefined ? 0 : codePointCount(firstLine),
    link_at_end: lastKind === TokenKind.Url,
  };
  return { features, tokens };
}

/** The features of a text (see `TextFeatures`). */
export function extractFeatures(text: string): TextFeatures {
  return analyzeText(text).features;
}
