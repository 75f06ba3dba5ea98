import type { Platform } from '@reer/core';
import { PLATFORM_LIMITS } from './platform-limits.ts';
import { findUnescapedLinkedInChars, platformLength, platformLengthBound, utf8Length, type PlatformLengthOptions } from './platform-length.ts';

/** One broken rule. `hard` rules make the post unpublishable; soft ones are advice. */
export interface RuleViolation {
  /** Stable rule id, e.g. `too_long`. */
  rule: string;
  /** Rule id plus the numbers, e.g. `too_long: 312/280 weighted`. */
  reason: string;
  hard: boolean;
}

export interface PlatformCheck {
  /** No hard rule is broken. */
  valid: boolean;
  violations: RuleViolation[];
  /** `platformLength(text, platform)`, or an estimate of it when `exact` is false. */
  length: number;
  /** False when `exactLength: false` let a cheap bound prove the post within the limit. */
  exact: boolean;
  /** The limit applied (the default or `options.limit`). */
  limit: number;
}

export interface PlatformRuleOptions extends PlatformLengthOptions {
  /** Override the platform's length limit (X long posts for paid accounts, a Mastodon instance's limit). */
  limit?: number;
  /**
   * When false, skip the exact count (twitter-text, grapheme segmentation) for posts that a cheap
   * upper bound already proves short enough; `length` is then an estimate. For bulk scoring.
   * @default true
   */
  exactLength?: boolean;
}

const LETTER_RE = /[\p{L}\p{M}]/u;
const LETTER_OR_DIGIT_RE = /[\p{L}\p{M}\p{N}]/u;

function isWordChar(c: number, ch: string): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  return LETTER_OR_DIGIT_RE.test(ch);
}

// Above this many hashtags, short-form posts read as spam; a soft rule, not the platform's.
const SOFT_HASHTAG_LIMIT: Partial<Record<Platform, number>> = { x: 3, threads: 3, bluesky: 3, mastodon: 5, linkedin: 5 };

/** Hashtags as platforms link them: `#` after a non-word character, then word characters with a letter. */
export function countHashtags(text: string): number {
  let n = 0;
  // Jump from one # (or fullwidth ＃) to the next: a post has few, and indexOf is much faster than a loop.
  let hash = text.indexOf('#');
  let wide = text.indexOf('＃');
  for (let i = 0; ; i++) {
    if (hash !== -1 && hash < i) hash = text.indexOf('#', i);
    if (wide !== -1 && wide < i) wide = text.indexOf('＃', i);
    if (hash === -1 && wide === -1) break;
    i = hash === -1 ? wide : wide === -1 ? hash : Math.min(hash, wide);
    if (i > 0) {
      const p = text.charCodeAt(i - 1);
      if (p === 38 || p === 47 || isWordChar(p, text[i - 1] ?? '')) continue;
    }
    let j = i + 1;
    let letter = false;
    while (j < text.length) {
      const cp = text.codePointAt(j) ?? 0;
      if (cp < 128) {
        // ASCII without building a string per character.
        const lower = cp | 32;
        if (!((cp >= 48 && cp <= 57) || (lower >= 97 && lower <= 122) || cp === 95)) break;
        if (lower >= 97 && lower <= 122) letter = true;
        j++;
        continue;
      }
      const ch = String.fromCodePoint(cp);
      if (!isWordChar(cp, ch)) break;
      if (cp >= 128 ? LETTER_RE.test(ch) : (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122)) letter = true;
      j += ch.length;
    }
    if (letter) n++;
    i = j - 1;
  }
  return n;
}

/**
 * Check `text` against the platform's rules: its length limit in the platform's own unit, Bluesky's
 * byte limit, Instagram's hashtag cap, LinkedIn's escaping (for escaped input), an empty post, and
 * soft advice (hashtag-heavy posts, X posts that start with a mention and so read as replies).
 */
export function checkPlatformRules(text: string, platform: Platform, options: PlatformRuleOptions = {}): PlatformCheck {
  const spec = PLATFORM_LIMITS[platform];
  const limit = options.limit ?? spec.limit;
  let length: number;
  let exact = true;
  const bound = options.exactLength === false ? platformLengthBound(text, platform, options) : undefined;
  if (bound && bound.upper <= limit) {
    length = Math.min(bound.estimate, bound.upper);
    exact = false;
  } else {
    length = platformLength(text, platform, options);
  }
  const violations: RuleViolation[] = [];
  const unit = spec.unit === 'characters' ? 'chars' : spec.unit;

  if (!/\S/.test(text)) violations.push({ rule: 'empty', reason: 'empty: the post has no text', hard: true });
  if (length > limit) violations.push({ rule: 'too_long', reason: `too_long: ${length}/${limit} ${unit}`, hard: true });
  if (spec.maxBytes !== undefined) {
    const bytes = utf8Length(text);
    if (bytes > spec.maxBytes) {
      violations.push({ rule: 'too_many_bytes', reason: `too_many_bytes: ${bytes}/${spec.maxBytes} UTF-8 bytes`, hard: true });
    }
  }
  const hashtags = text.includes('#') || text.includes('＃') ? countHashtags(text) : 0;
  if (spec.maxHashtags !== undefined && hashtags > spec.maxHashtags) {
    violations.push({ rule: 'too_many_hashtags', reason: `too_many_hashtags: ${hashtags}/${spec.maxHashtags}`, hard: true });
  } else {
    const soft = SOFT_HASHTAG_LIMIT[platform];
    if (soft !== undefined && hashtags > soft) {
      violations.push({ rule: 'hashtag_heavy', reason: `hashtag_heavy: ${hashtags} hashtags (more than ${soft} reads as spam)`, hard: false });
    }
  }
  if (platform === 'linkedin' && options.linkedinEscaped) {
    const unescaped = findUnescapedLinkedInChars(text);
    const first = unescaped[0];
    if (first !== undefined) {
      violations.push({
        rule: 'linkedin_unescaped',
        reason: `linkedin_unescaped: ${unescaped.length} reserved character(s), first '${text[first]}' at ${first}; LinkedIn truncates the post there`,
        hard: true,
      });
    }
  }
  if (platform === 'x' && /^[@＠]\w/.test(text)) {
    violations.push({ rule: 'starts_with_mention', reason: 'starts_with_mention: shown as a reply, only to people who follow both accounts', hard: false });
  }
  let valid = true;
  for (const v of violations) if (v.hard) valid = false;
  return { valid, violations, length, limit, exact };
}
