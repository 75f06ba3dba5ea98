// A hand-written scanner: one pass over char codes, no regex on the ASCII path. It replaced a
// single alternation regex that cost ~16 µs a post, a third of the scoring budget. Tokens go into
// reusable typed arrays with their fingerprints (see _fingerprint.ts): scoring a post builds no
// string per token.
import { H1_SEED, H2_SEED, finish, fingerprintOf, stepH1, stepH2 } from './_fingerprint.ts';

/** What a token is. Only `word`, `number` and `cjk` are read as words. */
export const TokenKind = {
  Url: 1,
  Mention: 2,
  Hashtag: 3,
  Number: 4,
  Cjk: 5,
  Word: 6,
  Emoji: 7,
} as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

/** The text a token stands for when it is not its own lowercased text. */
const PLACEHOLDER: Readonly<Partial<Record<TokenKind, string>>> = { [TokenKind.Url]: '<url>', [TokenKind.Mention]: '<mention>', [TokenKind.Number]: '<num>' };
const PLACEHOLDER_H1 = new Int32Array(8);
const PLACEHOLDER_H2 = new Int32Array(8);
for (const [kind, token] of Object.entries(PLACEHOLDER)) {
  const [h1, h2] = fingerprintOf(token);
  PLACEHOLDER_H1[Number(kind)] = h1;
  PLACEHOLDER_H2[Number(kind)] = h2;
}

/**
 * The tokens of the last scanned text: kind, UTF-16 range and the fingerprint of the token's text
 * (lowercased words and hashtags, emoji without U+FE0F, `<url>` `<mention>` `<num>` placeholders).
 * Reused from text to text; only the first `count` entries are valid.
 */
export class TokenBuffer {
  count = 0;
  text = '';
  kind = new Uint8Array(64);
  start = new Int32Array(64);
  end = new Int32Array(64);
  h1 = new Int32Array(64);
  h2 = new Int32Array(64);

  private grow(): void {
    const n = this.kind.length * 2;
    const kind = new Uint8Array(n);
    kind.set(this.kind);
    this.kind = kind;
    for (const key of ['start', 'end', 'h1', 'h2'] as const) {
      const a = new Int32Array(n);
      a.set(this[key]);
      this[key] = a;
    }
  }

  /** Add a token whose fingerprint the scanner already computed. */
  pushFingerprinted(kind: TokenKind, start: number, end: number, h1: number, h2: number): void {
    if (this.count === this.kind.length) this.grow();
    const i = this.count++;
    this.kind[i] = kind;
    this.start[i] = start;
    this.end[i] = end;
    this.h1[i] = h1;
    this.h2[i] = h2;
  }

  push(kind: TokenKind, start: number, end: number): void {
    if (this.count === this.kind.length) this.grow();
    const i = this.count++;
    this.kind[i] = kind;
    this.start[i] = start;
    this.end[i] = end;
    if (kind === TokenKind.Url || kind === TokenKind.Mention || kind === TokenKind.Number) {
      this.h1[i] = PLACEHOLDER_H1[kind]!;
      this.h2[i] = PLACEHOLDER_H2[kind]!;
      return;
    }
    const text = this.text;
    let h1 = H1_SEED;
    let h2 = H2_SEED;
    if (kind === TokenKind.Word || kind === TokenKind.Hashtag) {
      for (let j = start; j < end; j++) {
        let c = text.charCodeAt(j);
        if (c >= 128) {
          // Lowercasing beyond ASCII depends on context (final sigma) and may change the length.
          const [a, b] = fingerprintOf(text.slice(start, end).toLowerCase());
          this.h1[i] = a;
          this.h2[i] = b;
          return;
        }
        if (c >= 65 && c <= 90) c += 32;
        h1 = stepH1(h1, c);
        h2 = stepH2(h2, c);
      }
    } else {
      for (let j = start; j < end; j++) {
        const c = text.charCodeAt(j);
        if (c === 0xfe0f && kind === TokenKind.Emoji) continue;
        h1 = stepH1(h1, c);
        h2 = stepH2(h2, c);
      }
    }
    this.h1[i] = finish(h1);
    this.h2[i] = finish(h2);
  }

  /** Token `i` as a string (what `analyzeText` returns in `tokens`). */
  tokenText(i: number): string {
    const kind = this.kind[i]! as TokenKind;
    const placeholder = PLACEHOLDER[kind];
    if (placeholder !== undefined) return placeholder;
    const raw = this.text.slice(this.start[i], this.end[i]);
    if (kind === TokenKind.Emoji) return raw.replaceAll('\uFE0F', '');
    return kind === TokenKind.Cjk ? raw : raw.toLowerCase();
  }
}

const LETTER_RE = /[\p{L}\p{M}]/u;
const CJK_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const PICTO_RE = /\p{Extended_Pictographic}/u;
const MODIFIER_RE = /\p{Emoji_Modifier}/u;
const LETTER_OR_DIGIT_RE = /[\p{L}\p{M}\p{N}]/u;
const TLDS = new Set(['com', 'org', 'net', 'io', 'dev', 'co', 'ly', 'me', 'app', 'ai', 'edu', 'gov', 'gl', 'be', 'ms', 'uk', 'de', 'fr', 'jp']);

function isAsciiAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAsciiWord(c: number): boolean {
  return isAsciiAlpha(c) || isDigit(c) || c === 95;
}
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a);
}

function codePointAt(text: string, i: number): number {
  return text.codePointAt(i) ?? 0;
}
function charLen(cp: number): number {
  return cp > 0xffff ? 2 : 1;
}

function isLetterOrDigit(text: string, i: number, c: number): boolean {
  if (c < 128) return isAsciiAlpha(c) || isDigit(c);
  return LETTER_OR_DIGIT_RE.test(String.fromCodePoint(codePointAt(text, i)));
}
function isPictographic(cp: number): boolean {
  return cp >= 0xa9 && PICTO_RE.test(String.fromCodePoint(cp));
}
function isRegionalIndicator(cp: number): boolean {
  return cp >= 0x1f1e6 && cp <= 0x1f1ff;
}

/** End of an emoji sequence starting with a pictograph at `i`: variation selectors, skin tones, ZWJ chains. */
function emojiEnd(text: string, i: number): number {
  let j = i + charLen(codePointAt(text, i));
  for (;;) {
    const c = text.charCodeAt(j);
    if (c === 0xfe0f) {
      j++;
      continue;
    }
    const cp = codePointAt(text, j);
    if (cp >= 0x1f3fb && cp <= 0x1f3ff && MODIFIER_RE.test(String.fromCodePoint(cp))) {
      j += 2;
      continue;
    }
    if (c === 0x200d) {
      const next = codePointAt(text, j + 1);
      if (isPictographic(next)) {
        j += 1 + charLen(next);
        continue;
      }
    }
    return j;
  }
}

function endOfNonSpace(text: string, i: number): number {
  let j = i;
  while (j < text.length && !isSpace(text.charCodeAt(j))) j++;
  // Trailing sentence punctuation is not part of a link.
  while (j > i && '.,;:!?)]\'"’”'.includes(text[j - 1] ?? '')) j--;
  return j;
}

/** Split `text` into `out` (tokens in order). */
export function scanTokens(text: string, out: TokenBuffer): void {
  out.text = text;
  out.count = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      if (isSpace(c)) {
        i++;
        continue;
      }
      const prev = i > 0 ? text.charCodeAt(i - 1) : 32;
      // Links with a scheme or www.
      if ((c === 104 || c === 72) && (text.startsWith('http://', i) || text.startsWith('https://', i) || text.startsWith('HTTP', i))) {
        const end = endOfNonSpace(text, i);
        if (end > i + 8) {
          out.push(TokenKind.Url, i, end);
          i = end;
          continue;
        }
      }
      if (c === 119 && text.startsWith('www.', i) && !isAsciiWord(prev)) {
        const end = endOfNonSpace(text, i);
        out.push(TokenKind.Url, i, end);
        i = end;
        continue;
      }
      if (c === 64 /* @ */ && !isAsciiWord(prev) && isAsciiWord(text.charCodeAt(i + 1))) {
        let j = i + 1;
        while (j < n && isAsciiWord(text.charCodeAt(j))) j++;
        out.push(TokenKind.Mention, i, j);
        i = j;
        continue;
      }
      if (c === 35 /* # */ && !isAsciiWord(prev) && prev !== 38 /* & */) {
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === 95 || isLetterOrDigit(text, j, d)) j += d >= 0xd800 && d <= 0xdbff ? 2 : 1;
          else break;
        }
        if (j > i + 1) {
          out.push(TokenKind.Hashtag, i, j);
          i = j;
          continue;
        }
        i++;
        continue;
      }
      if (isDigit(c)) {
        const next = text.charCodeAt(i + 1);
        if (next === 0xfe0f || next === 0x20e3) {
          let j = i + 1;
          while (j < n && (text.charCodeAt(j) === 0xfe0f || text.charCodeAt(j) === 0x20e3)) j++;
          out.push(TokenKind.Emoji, i, j);
          i = j;
          continue;
        }
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (isDigit(d)) j++;
          else if ((d === 46 || d === 44 || d === 58 || d === 47) && isDigit(text.charCodeAt(j + 1))) j += 2;
          else break;
        }
        if (text.charCodeAt(j) === 37 /* % */) j++;
        out.push(TokenKind.Number, i, j);
        i = j;
        continue;
      }
      if (isAsciiAlpha(c)) {
        i = scanWord(text, i, out);
        continue;
      }
      i++;
      continue;
    }
    // Non-ASCII.
    const cp = codePointAt(text, i);
    const len = charLen(cp);
    if (c === 0xff20 /* ＠ */ || c === 0xff03 /* ＃ */) {
      let j = i + 1;
      while (j < n && (isLetterOrDigit(text, j, text.charCodeAt(j)) || text.charCodeAt(j) === 95)) j++;
      if (j > i + 1) {
        out.push(c === 0xff20 ? TokenKind.Mention : TokenKind.Hashtag, i, j);
        i = j;
        continue;
      }
    }
    if (isRegionalIndicator(cp)) {
      const next = codePointAt(text, i + 2);
      const end = isRegionalIndicator(next) ? i + 4 : i + 2;
      out.push(TokenKind.Emoji, i, end);
      i = end;
      continue;
    }
    if (isPictographic(cp)) {
      const end = emojiEnd(text, i);
      out.push(TokenKind.Emoji, i, end);
      i = end;
      continue;
    }
    const ch = String.fromCodePoint(cp);
    if (CJK_RE.test(ch)) {
      out.push(TokenKind.Cjk, i, i + len);
      i += len;
      continue;
    }
    if (LETTER_RE.test(ch)) {
      i = scanWord(text, i, out);
      continue;
    }
    i += len;
  }
}

/** ASCII units that continue a word (letters, digits, `_`, `-`), lowercased; 0 for the rest. */
const WORD_UNIT_LOWER = (() => {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    if (isAsciiAlpha(c) || isDigit(c) || c === 95 || c === 45) table[c] = c >= 65 && c <= 90 ? c + 32 : c;
  }
  return table;
})();

function scanWord(text: string, start: number, out: TokenBuffer): number {
  const n = text.length;
  let j = start;
  // The fingerprint of the lowercased word, while the word is ASCII (then lowercasing is per character).
  let ascii = true;
  let h1 = H1_SEED;
  let h2 = H2_SEED;
  while (j < n) {
    const d = text.charCodeAt(j);
    if (d < 128) {
      const lower = WORD_UNIT_LOWER[d]!;
      if (lower !== 0) {
        j++;
        h1 = stepH1(h1, lower);
        h2 = stepH2(h2, lower);
      } else if (d === 39 && isAsciiAlpha(text.charCodeAt(j + 1))) {
        j++;
        h1 = stepH1(h1, d);
        h2 = stepH2(h2, d);
      } else break;
    } else if (d === 0x2019 && isAsciiAlpha(text.charCodeAt(j + 1))) {
      j++;
      ascii = false;
    } else {
      const cp = codePointAt(text, j);
      const ch = String.fromCodePoint(cp);
      if (LETTER_OR_DIGIT_RE.test(ch) && !CJK_RE.test(ch)) j += charLen(cp);
      else break;
      ascii = false;
    }
  }
  const scanned = j;
  while (j > start + 1 && text.charCodeAt(j - 1) === 45) j--;
  // A bare domain such as example.org/path is a link.
  if (text.charCodeAt(j) === 46) {
    let k = j + 1;
    while (k < n && isAsciiAlpha(text.charCodeAt(k))) k++;
    if (k > j + 1 && TLDS.has(text.slice(j + 1, k).toLowerCase()) && !isAsciiWord(text.charCodeAt(k))) {
      const end = text.charCodeAt(k) === 47 ? endOfNonSpace(text, k) : k;
      out.push(TokenKind.Url, start, end);
      return end;
    }
  }
  if (ascii && j === scanned) out.pushFingerprinted(TokenKind.Word, start, j, finish(h1), finish(h2));
  else out.push(TokenKind.Word, start, j);
  return j;
}
