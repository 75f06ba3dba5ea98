import { createRequire } from 'node:module';
import type { Platform } from '@reer/core';
import twitterText from 'twitter-text';
import { z } from 'zod';

/** Options of `platformLength` and `checkPlatformRules`. */
export interface PlatformLengthOptions {
  /**
   * LinkedIn only: the text is already in the API's "little text" format (reserved characters
   * escaped). By default the text is plain and is measured as it will be sent, escaped.
   * @default false
   */
  linkedinEscaped?: boolean;
}

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Mastodon and X count every link as this many characters, whatever its real length. */
export const SHORT_URL_LENGTH = 23;

/** Characters LinkedIn's "little text" format reserves; they must be backslash-escaped. */
export const LINKEDIN_RESERVED = '\\|{}@[]()<>#*_~';
const LINKEDIN_RESERVED_RE = /[\\|{}@[\]()<>#*_~]/g;
const IS_LINKEDIN_RESERVED = new Uint8Array(128);
for (const c of LINKEDIN_RESERVED) IS_LINKEDIN_RESERVED[c.charCodeAt(0)] = 1;
/** 1 for each ASCII code of a LinkedIn reserved character. */
export const LINKEDIN_RESERVED_ASCII: Readonly<Uint8Array> = IS_LINKEDIN_RESERVED;

// The code unit counts of the text analyzeText saw last: scoring analyzes a post and then checks
// its rules, and the length bound then needs no pass of its own over the same text.
let countedText: string | undefined;
let countedAscii = 0;
let countedOther = 0;
let countedDots = 0;
let countedReserved = 0;

/** Record what `platformLengthBound` would count in `text` (from a pass made for other reasons). */
export function rememberUnitCounts(text: string, ascii: number, other: number, dots: number, reserved: number): void {
  countedText = text;
  countedAscii = ascii;
  countedOther = other;
  countedDots = dots;
  countedReserved = reserved;
}

// An emoji as users see it: a pictograph with its variation selector, skin tone and ZWJ
// continuations, a flag (two regional indicators) or a keycap.
const EMOJI_RE =
  /\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})*(?:\u200D\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})*)*|\p{Regional_Indicator}{2}|[0-9#*]\uFE0F?\u20E3/gu;
const MASTODON_URL_RE = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'’]/g;
const MASTODON_MENTION_RE = /(^|[^\w/@])@(\w+)@[\w.-]+\w/g;

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7e) return false;
  }
  return true;
}

/**
 * Printable ASCII without a dot followed by a letter or digit: twitter-text finds no URL in such
 * text (a link needs a host with a dot before its top-level domain), so every character weighs 1.
 */
function isAsciiWithoutHost(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e) return false;
    if (c === 46) {
      const next = text.charCodeAt(i + 1);
      if ((next >= 48 && next <= 57) || ((next | 32) >= 97 && (next | 32) <= 122)) return false;
    }
  }
  return true;
}

// Code points that can join the previous one into a cluster (marks, joiners, variation selectors,
// skin tones, flags, Hangul jamo, prepend and spacing marks): without any, clusters = code points.
// biome-ignore lint/suspicious/noMisleadingCharacterClass: each code point is tested on its own, ZWJ included, on purpose.
const CLUSTER_EXTENDER_RE = /[\p{M}\u200C\u200D\uFE00-\uFE0F\u{1F3FB}-\u{1F3FF}\u{1F1E6}-\u{1F1FF}\u{E0020}-\u{E007F}\u1100-\u11FF\uA960-\uA97F\uD7B0-\uD7FF\u0600-\u0605\u06DD\u070F\u0890\u0891\u08E2\u{110BD}\u{110CD}\u0D4E\u{111C2}\u{111C3}]/u;

/** User-perceived characters (extended grapheme clusters), via `Intl.Segmenter`. */
export function graphemeCount(text: string): number {
  let crlf = 0;
  for (let i = text.indexOf('\r\n'); i !== -1; i = text.indexOf('\r\n', i + 2)) crlf++;
  // Every ASCII character is its own cluster except CR LF, which is one; so is every code point
  // when nothing could extend a cluster. Segmenting costs ~10 µs a post, so only when needed.
  if (isPrintableAscii(text)) return text.length - crlf;
  if (!CLUSTER_EXTENDER_RE.test(text)) return codePointCount(text) - crlf;
  return crlf === 0 && !text.includes('\r') ? segmentedCount(text) : segmentCount(text);
}

function segmentCount(text: string): number {
  let n = 0;
  for (const _ of graphemeSegmenter.segment(text)) n++;
  return n;
}

/**
 * Grapheme clusters of a text without CR, segmenting only its non-ASCII runs. Between two ASCII
 * characters other than CR LF there is always a boundary (no rule joins them, and no rule that
 * chains over several characters, emoji ZWJ sequences, flags or Indic conjuncts, passes through
 * one), so each run is segmented with one ASCII neighbour on each side (what it may join, a
 * prepended mark's base) and every other ASCII character is a cluster of its own. Segmenting
 * costs per character, and posts are mostly ASCII.
 */
function segmentedCount(text: string): number {
  const len = text.length;
  let n = 0;
  let counted = 0;
  let i = 0;
  while (i < len) {
    if (text.charCodeAt(i) < 0x80) {
      i++;
      continue;
    }
    const from = i > counted ? i - 1 : i;
    let j = i;
    for (;;) {
      while (j < len && text.charCodeAt(j) >= 0x80) j++;
      // Runs one ASCII character apart would share it: segment them together.
      if (j + 1 < len && text.charCodeAt(j + 1) >= 0x80) {
        j++;
        continue;
      }
      break;
    }
    const to = j < len ? j + 1 : len;
    n += from - counted + segmentCount(text.slice(from, to));
    counted = to;
    i = to;
  }
  return n + len - counted;
}

/** Length in UTF-8 bytes (what `TextEncoder` writes: a lone surrogate becomes U+FFFD, 3 bytes). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        // Two code units, four bytes.
        bytes += 2;
        i++;
        continue;
      }
    }
    bytes += 2;
  }
  return bytes;
}

/** Unicode code points (what most "characters" limits count). */
export function codePointCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * X's weighted length (twitter-text v3): NFC, most Latin and punctuation weigh 1, everything else
 * (CJK, emoji as whole sequences) 2, every URL 23. A final `https://t.co/…` link is an attached
 * photo, video or quoted post, and the @mentions that open a reply are reply metadata: neither counts.
 */
export function xWeightedLength(text: string): number {
  // twitter-text only finds URLs around a dot and weighs printable ASCII at 1, so such text's
  // weighted length is its length. This path is exact and avoids a 10 µs parse per candidate.
  if (text.charCodeAt(0) !== 64 && !text.startsWith('.@') && isAsciiWithoutHost(text)) return text.length;
  return tweetWeightedLength(stripAttachmentLink(stripReplyMentions(text)));
}

// twitter-text's own configuration and emoji pattern, so the weighting below is parseTweet's.
const TweetConfig = z.object({
  scale: z.number(),
  defaultWeight: z.number(),
  transformedURLLength: z.number(),
  emojiParsingEnabled: z.boolean(),
  ranges: z.array(z.object({ start: z.number(), end: z.number(), weight: z.number() })),
});
const TWEET_CONFIG = TweetConfig.parse(z.object({ configs: z.object({ defaults: z.unknown() }) }).parse(twitterText).configs.defaults);
/** parseTweet's weight of each UTF-16 code unit (`getCharacterWeight`: the first range holding it, else the default). */
const TWEET_UNIT_WEIGHT = (() => {
  const weights = new Float64Array(0x10000).fill(TWEET_CONFIG.defaultWeight);
  // Filled last to first, so where ranges overlap the first one wins, as in getCharacterWeight.
  for (let r = TWEET_CONFIG.ranges.length - 1; r >= 0; r--) {
    const { start, end, weight } = TWEET_CONFIG.ranges[r]!;
    if (end >= start && start <= 0xffff && end >= 0) weights.fill(weight, Math.max(0, start), Math.min(0xffff, end) + 1);
  }
  return weights;
})();
// The regular expression twemoji-parser's `parse` runs (twitter-text's own copy), without the
// image URL that `parse` builds for every emoji.
const TWEET_EMOJI_RE = z
  .object({ default: z.instanceof(RegExp) })
  .parse(createRequire(createRequire(import.meta.url).resolve('twitter-text'))('twemoji-parser/dist/lib/regex')).default;

/**
 * The URLs `twitterText.extractUrlsWithIndices` finds in `text` (start offsets and lengths of
 * their `url`), found one white-space-separated chunk at a time, and only in chunks where a dot is
 * followed by something: a URL never holds ASCII white space and needs a dot before its top-level
 * domain. Each chunk is searched with the white space around it, as the regex sees it in the post. Its regex, tried at
 * every position of a whole post, is what parseTweet spends most of its time on.
 */
function findTweetUrls(text: string, starts: number[], lengths: number[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) {
      i++;
      continue;
    }
    let j = i;
    let dot = false;
    for (; j < n; j++) {
      const d = text.charCodeAt(j);
      if (d === 32 || (d >= 9 && d <= 13)) break;
      if (d === 46 && j + 1 < n) {
        const e = text.charCodeAt(j + 1);
        if (!(e === 32 || (e >= 9 && e <= 13))) dot = true;
      }
    }
    if (dot) {
      // With the white space on either side: the regex reads the character before a URL.
      const from = i > 0 ? i - 1 : 0;
      for (const url of twitterText.extractUrlsWithIndices(text.slice(from, j < n ? j + 1 : n))) {
        starts.push(from + url.indices[0]);
        lengths.push(url.url.length);
      }
    }
    i = j;
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

/**
 * `twitterText.parseTweet(text).weightedLength`, computed as parseTweet does (NFC, URL entities
 * from `extractUrlsWithIndices`, twemoji entities, per code unit weights) without the per
 * character validity checks and entity objects parseTweet builds, which cost most of its time.
 * ASCII text is its own NFC form and holds no emoji.
 */
function tweetWeightedLength(text: string): number {
  const ascii = isAscii(text);
  const normalized = ascii ? text : text.normalize();
  const urlStarts: number[] = [];
  const urlLengths: number[] = [];
  findTweetUrls(normalized, urlStarts, urlLengths);
  let nextUrl = 0;
  const emojiStarts: number[] = [];
  const emojiLengths: number[] = [];
  if (!ascii && TWEET_CONFIG.emojiParsingEnabled) {
    TWEET_EMOJI_RE.lastIndex = 0;
    for (let m = TWEET_EMOJI_RE.exec(normalized); m !== null; m = TWEET_EMOJI_RE.exec(normalized)) {
      emojiStarts.push(m.index);
      emojiLengths.push(m[0].length);
    }
  }
  let nextEmoji = 0;
  const { scale, defaultWeight, transformedURLLength } = TWEET_CONFIG;
  const n = normalized.length;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    // Entities are in text order; parseTweet looks them up by start index.
    while (nextUrl < urlStarts.length && urlStarts[nextUrl]! < i) nextUrl++;
    if (nextUrl < urlStarts.length && urlStarts[nextUrl] === i) {
      weighted += transformedURLLength * scale;
      i += urlLengths[nextUrl]! - 1;
      continue;
    }
    while (nextEmoji < emojiStarts.length && emojiStarts[nextEmoji]! < i) nextEmoji++;
    if (nextEmoji < emojiStarts.length && emojiStarts[nextEmoji] === i) {
      weighted += defaultWeight;
      i += emojiLengths[nextEmoji]! - 1;
      continue;
    }
    // A surrogate pair weighs as its low surrogate (parseTweet moves to it before weighing).
    const c = normalized.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i < n - 1) {
      const d = normalized.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    weighted += TWEET_UNIT_WEIGHT[normalized.charCodeAt(i)]!;
  }
  return weighted / scale;
}

// The @mentions that open a reply are metadata on X (outside the display range) and do not count;
// exports keep them in the text, so replies to several people exceed 280 there.
const REPLY_MENTIONS_RE = /^(?:\.?@\w{1,15}\s+)+/;

function stripReplyMentions(text: string): string {
  return text.charCodeAt(0) === 64 /* @ */ || text.startsWith('.@') ? text.replace(REPLY_MENTIONS_RE, '') : text;
}

// X appends a photo, video or quoted post to the text as a final t.co link that lies outside the
// post's display range and does not count (exports include it, so published posts exceed 280).
const ATTACHMENT_LINK_RE = /\s*https:\/\/t\.co\/[A-Za-z0-9]{6,}\s*$/;

function stripAttachmentLink(text: string): string {
  return text.includes('t.co/') ? text.replace(ATTACHMENT_LINK_RE, '') : text;
}

/** Threads: characters, except that an emoji counts as its UTF-8 byte length. */
export function threadsLength(text: string): number {
  if (isPrintableAscii(text)) return graphemeCount(text);
  let emojiBytes = 0;
  let emojiClusters = 0;
  for (const match of text.matchAll(EMOJI_RE)) {
    emojiBytes += utf8Length(match[0]);
    emojiClusters++;
  }
  return graphemeCount(text) - emojiClusters + emojiBytes;
}

/** Mastodon: graphemes, with each link counted as 23 and `@user@domain` counted as `@user`. */
export function mastodonLength(text: string): number {
  const counted = text
    .replace(MASTODON_URL_RE, 'x'.repeat(SHORT_URL_LENGTH))
    .replace(MASTODON_MENTION_RE, (_m, before: string, user: string) => `${before}@${user}`);
  return graphemeCount(counted);
}

/** Escape LinkedIn's reserved characters for the API's "little text" format. */
export function escapeLinkedInText(text: string): string {
  return text.replace(LINKEDIN_RESERVED_RE, (c) => `\\${c}`);
}

/**
 * Reserved characters in already-escaped little text that lack their backslash: LinkedIn
 * silently truncates the post at the first one. Returns their UTF-16 offsets.
 */
export function findUnescapedLinkedInChars(text: string): number[] {
  const found: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '\\') {
      // A backslash escapes whatever follows; a lone trailing backslash is itself unescaped.
      if (i + 1 < text.length) i++;
      else found.push(i);
      continue;
    }
    if (LINKEDIN_RESERVED.includes(c)) found.push(i);
  }
  return found;
}

/** Count emoji sequences (a ZWJ family, a flag or a keycap counts once). */
export function countEmoji(text: string): number {
  if (isPrintableAscii(text)) return 0;
  let n = 0;
  for (const _ of text.matchAll(EMOJI_RE)) n++;
  return n;
}

/**
 * A cheap upper bound of `platformLength(text, platform)` and a rough estimate of it, from one pass
 * over the UTF-16 code units. A post whose bound is within the limit needs no exact count.
 */
export function platformLengthBound(text: string, platform: Platform, options: PlatformLengthOptions = {}): { upper: number; estimate: number } {
  let ascii = 0;
  let other = 0;
  let dots = 0;
  let reserved = 0;
  if (text === countedText) {
    ascii = countedAscii;
    other = countedOther;
    dots = countedDots;
    reserved = countedReserved;
  } else {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        ascii++;
        // Only a dot followed by a letter or digit can be inside a URL's host ("example.org").
        if (c === 46) {
          const next = text.charCodeAt(i + 1);
          if ((next >= 48 && next <= 57) || ((next | 32) >= 97 && (next | 32) <= 122) || next > 127) dots++;
        }
        else reserved += IS_LINKEDIN_RESERVED[c]!;
      } else if (c < 0xdc00 || c > 0xdfff) {
        other++;
      }
    }
  }
  switch (platform) {
    case 'x':
      // Each URL holds a dot followed by a letter or digit and weighs 23; other code points weigh at most 2.
      return { upper: ascii + 2 * other + 23 * dots, estimate: ascii + 2 * other };
    case 'threads':
      return { upper: ascii + 4 * other, estimate: ascii + other };
    case 'mastodon':
      return { upper: ascii + other + 23 * countOccurrences(text, 'http'), estimate: ascii + other };
    case 'bluesky':
      return { upper: ascii + other, estimate: ascii + other };
    case 'linkedin': {
      const n = ascii + other + (options.linkedinEscaped ? 0 : reserved);
      return { upper: n, estimate: n };
    }
    case 'facebook':
    case 'instagram':
    case 'discord':
      return { upper: ascii + other, estimate: ascii + other };
  }
}

function countOccurrences(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

/**
 * The length of `text` in the unit the platform enforces its limit in (see `PLATFORM_LIMITS`):
 * X weighted length via twitter-text; Bluesky graphemes; Threads graphemes with emoji counted as
 * bytes; Mastodon graphemes with links as 23 and remote mentions as local; LinkedIn code points of
 * the escaped text; Facebook, Instagram and Discord code points.
 */
export function platformLength(text: string, platform: Platform, options: PlatformLengthOptions = {}): number {
  switch (platform) {
    case 'x':
      return xWeightedLength(text);
    case 'bluesky':
      return graphemeCount(text);
    case 'threads':
      return threadsLength(text);
    case 'mastodon':
      return mastodonLength(text);
    case 'linkedin':
      return codePointCount(options.linkedinEscaped ? text : escapeLinkedInText(text));
    case 'facebook':
    case 'instagram':
    case 'discord':
      return codePointCount(text);
  }
}
