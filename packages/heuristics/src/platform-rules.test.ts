import { PLATFORMS } from '@reer/core';
import { describe, expect, it } from 'vitest';
import { PLATFORM_LIMITS } from './platform-limits.ts';
import { checkPlatformRules } from './platform-rules.ts';

const rules = (check: ReturnType<typeof checkPlatformRules>) => check.violations.map((v) => v.rule);

describe('checkPlatformRules', () => {
  it.each([
    ['x', 'a'.repeat(312), 'too_long: 312/280 weighted'],
    ['x', '日'.repeat(150), 'too_long: 300/280 weighted'],
    ['bluesky', 'a'.repeat(301), 'too_long: 301/300 graphemes'],
    ['threads', '🎉'.repeat(126), 'too_long: 504/500 weighted'],
    ['mastodon', 'a'.repeat(501), 'too_long: 501/500 weighted'],
    ['linkedin', '#'.repeat(1501), 'too_long: 3002/3000 chars'],
    ['facebook', 'a'.repeat(63_207), 'too_long: 63207/63206 chars'],
    ['instagram', 'a'.repeat(2201), 'too_long: 2201/2200 chars'],
    ['discord', 'a'.repeat(2001), 'too_long: 2001/2000 chars'],
  ] as const)('%s rejects an over-long post with the numbers in the reason', (platform, text, reason) => {
    const check = checkPlatformRules(text, platform);
    expect(check.valid).toBe(false);
    expect(check.violations).toContainEqual({ rule: 'too_long', reason, hard: true });
  });

  it.each(PLATFORMS)('%s accepts a post exactly at its limit', (platform) => {
    const limit = PLATFORM_LIMITS[platform].limit;
    const check = checkPlatformRules('a'.repeat(limit), platform);
    expect(check.length).toBe(limit);
    expect(check.limit).toBe(limit);
    expect(check.valid).toBe(true);
  });

  it('honours a per-account or per-instance limit', () => {
    expect(checkPlatformRules('a'.repeat(600), 'mastodon', { limit: 1000 }).valid).toBe(true);
    expect(checkPlatformRules('a'.repeat(600), 'mastodon').valid).toBe(false);
    expect(checkPlatformRules('a'.repeat(4000), 'x', { limit: 25_000 }).valid).toBe(true);
  });

  it('bluesky also limits UTF-8 bytes', () => {
    const check = checkPlatformRules('👨‍👩‍👧‍👦'.repeat(121), 'bluesky');
    expect(check.length).toBe(121);
    expect(check.violations).toContainEqual({ rule: 'too_many_bytes', reason: 'too_many_bytes: 3025/3000 UTF-8 bytes', hard: true });
  });

  it('instagram caps hashtags at 30', () => {
    const text = Array.from({ length: 31 }, (_, i) => `#tag${i}`).join(' ');
    expect(checkPlatformRules(text, 'instagram').violations).toContainEqual({ rule: 'too_many_hashtags', reason: 'too_many_hashtags: 31/30', hard: true });
  });

  it('linkedin little text must escape reserved characters', () => {
    const check = checkPlatformRules('Big news (really) #ai', 'linkedin', { linkedinEscaped: true });
    expect(check.valid).toBe(false);
    expect(check.violations[0]?.reason).toMatch(/^linkedin_unescaped: 3 reserved character\(s\), first '\(' at 9/);
    expect(checkPlatformRules('Big news \\(really\\) \\#ai', 'linkedin', { linkedinEscaped: true }).valid).toBe(true);
    expect(checkPlatformRules('Big news (really) #ai', 'linkedin').valid).toBe(true);
  });

  it.each([
    ['empty', '', ['empty'], false],
    ['blank', '  \n ', ['empty'], false],
    ['hashtag heavy is advice only', 'post #a #b #c #d', ['hashtag_heavy'], true],
    ['starting with a mention is advice on x', '@bob look at this', ['starts_with_mention'], true],
    ['a clean post', 'Shipped v2 today. What should we build next?', [], true],
  ] as const)('%s', (_name, text, expected, valid) => {
    const check = checkPlatformRules(text, 'x');
    expect(rules(check)).toEqual(expected);
    expect(check.valid).toBe(valid);
  });
});

describe('exactLength: false', () => {
  it.each([
    ['x', 'a short post with a link https://example.org/abc 🎉'],
    ['bluesky', 'short 👨‍👩‍👧‍👦'],
    ['threads', 'short 🎉'],
    ['mastodon', 'hi @a@b.social'],
  ] as const)('skips the exact count on %s when the bound proves it fits, with the same verdict', (platform, text) => {
    const fast = checkPlatformRules(text, platform, { exactLength: false });
    const exact = checkPlatformRules(text, platform);
    expect(fast.exact).toBe(false);
    expect(exact.exact).toBe(true);
    expect(fast.valid).toBe(exact.valid);
    expect(fast.violations).toEqual(exact.violations);
  });

  it('counts exactly when the bound does not prove the post fits', () => {
    const text = `${'a'.repeat(250)} https://a.io`;
    const check = checkPlatformRules(text, 'x', { exactLength: false });
    expect(check.exact).toBe(true);
    expect(check.length).toBe(274);
    expect(check.valid).toBe(true);
  });
});
