import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, POST_FIELDS, PostDataSchema, keysInOrder } from './post.ts';

describe('keysInOrder', () => {
  it.each([
    [{ a: 1, c: 1 }, true],
    [{}, true],
    [{ c: 1, a: 1 }, false],
    [{ a: 1, z: 1 }, false],
    [{ a: 1, b: 1, c: 1 }, true],
  ])('%j in the order a, b, c → %s', (o, expected) => {
    expect(keysInOrder(o, ['a', 'b', 'c'])).toBe(expected);
  });

  it('agrees with what zod returns for a post built out of order', () => {
    const parsed = PostDataSchema.parse({ metrics: { likes: 1, impressions: 2 }, is_repost: false, is_reply: false, created_at: '2024-01-01T00:00:00.000Z', text: 't', author: 'a', post_id: '1', platform: 'x' });
    expect(keysInOrder(parsed, POST_FIELDS)).toBe(true);
    expect(keysInOrder(parsed.metrics, METRIC_NAMES)).toBe(true);
    expect(Object.keys(parsed.metrics)).toEqual(['impressions', 'likes']);
  });
});
