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

const HASHTAG_RE = /(?:^|[^\p{L}\p{N}_&/])[#＃][\p{L}\p{M}\p{N}_]*\p{L}[\p{L}\p{M}\p{N}_]*/gu;

// Above this many hashtags, short-form posts read as spam; a soft rule, not the platform's.
const SOFT_HASHTAG_LIMIT: Partial<Record<Platform, number>> = { x: 3, threads: 3, bluesky: 3, mastodon: 5, linkedin: 5 };

function countHashtags(text: string): number {
  let n = 0;
  for (const _ of text.matchAll(HASHTAG_RE)) n++;
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

  if (text.trim().length === 0) violations.push({ rule: 'empty', reason: 'empty: the post has no text', hard: true });
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
  return { valid: !violations.some((v) => v.hard), violations, length, limit, exact };
}
