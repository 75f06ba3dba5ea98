import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostDataSchema, PostMetricsSchema } from '@reer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postRecord } from '../test/records.ts';
import { TraceStore, contentHash, encodeRecords, isCanonicalPost, type NewRecord } from './index.ts';

const base = postRecord('7').data as Record<string, unknown>;
const withMetrics = (metrics: Record<string, unknown>) => ({ ...base, metrics });

describe('isCanonicalPost (the fast path of post validation)', () => {
  // Each case: the data, and whether zod accepts it. The fast path may say false where zod accepts
  // (zod then decides and reorders keys), never true where zod refuses or would serialize differently.
  it.each([
    ['a valid post', base],
    ['every optional field and metric', { platform: 'x', post_id: '7', author: 'a', text: 't', created_at: '2024-03-01T12:00:00.000Z', url: 'https://x.com/a/status/7', lang: 'en', is_reply: true, is_repost: false, has_media: true, metrics: { impressions: 1, likes: 2, reposts: 3, replies: 4, quotes: 5, bookmarks: 6, shares: 7, clicks: 8, profile_visits: 9, follows: 10, engagements: 11, engagement_rate: 0.25 } }],
    ['keys out of schema order', { text: 'hi', ...base }],
    ['metrics out of order', withMetrics({ likes: 1, impressions: 2 })],
    ['an unknown key', { ...base, color: 'red' }],
    ['an unknown metric', withMetrics({ views: 1 })],
    ['a negative metric', withMetrics({ likes: -1 })],
    ['NaN', withMetrics({ likes: Number.NaN })],
    ['Infinity', withMetrics({ likes: Number.POSITIVE_INFINITY })],
    ['a string metric', withMetrics({ likes: '1' })],
    ['an undefined metric', withMetrics({ likes: undefined })],
    ['an unknown platform', { ...base, platform: 'myspace' }],
    ['an empty post id', { ...base, post_id: '' }],
    ['a missing author', { platform: 'x', post_id: '1', text: 't', created_at: base.created_at, is_reply: false, is_repost: false, metrics: {} }],
    ['February 30th', { ...base, created_at: '2023-02-30T00:00:00.000Z' }],
    ['a leap day', { ...base, created_at: '2024-02-29T10:00:00.000Z' }],
    ['a date without seconds', { ...base, created_at: '2024-02-29T10:00Z' }],
    ['an offset', { ...base, created_at: '2024-02-29T10:00:00.000+02:00' }],
    ['hour 24', { ...base, created_at: '2024-02-28T24:00:00.000Z' }],
    ['a numeric is_reply', { ...base, is_reply: 0 }],
    ['a url that is not a string', { ...base, url: 7 }],
    ['an array', [base]],
    ['null', null],
  ])('%s', (_name, data) => {
    const zod = PostDataSchema.safeParse(data);
    const fast = isCanonicalPost(data);
    if (fast) {
      expect(zod.success).toBe(true);
      expect(JSON.stringify(data)).toBe(JSON.stringify(zod.data));
    }
    // The common shape must take the fast path, or the hot path is silently back on zod.
    if (_name === 'a valid post' || _name === 'every optional field and metric' || _name === 'a leap day') expect(fast).toBe(true);
  });
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reer-encoded-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('encodeRecords + upsertEncoded', () => {
  it('writes the same lines, outcomes and content hashes as upsert', async () => {
    const a = await TraceStore.open(join(dir, 'a'));
    const b = await TraceStore.open(join(dir, 'b'));
    const first = [postRecord('1'), postRecord('2'), { ...postRecord('3'), data: { ...(postRecord('3').data as object), text: 'naïve 👩‍💻 "quoted"\n日本語' }, metadata: { note: 'é "quoted"\n' } }];
    const second = [postRecord('1'), postRecord('2', 5), postRecord('4'), postRecord('4', 9)];
    const viaUpsert = [await a.upsert('posts', first), await a.upsert('posts', second)].map((r) => r.counts);
    const r1 = await b.upsertEncoded('posts', [encodeRecords('posts', first)]);
    // Two batches in one call (the worker coalesces batches this way).
    const r2 = await b.upsertEncoded('posts', [encodeRecords('posts', second.slice(0, 2)), encodeRecords('posts', second.slice(2))]);
    expect([r1.counts, r2.counts]).toEqual(viaUpsert);
    expect([...r2.outcomes]).toEqual([2, 1, 0, 1]);
    const strip = (line: string) => line.replace(/"id":"[^"]+","timestamp":"[^"]+"/, '');
    const lines = (s: TraceStore) => readFileSync(s.fileOf('posts'), 'utf8').trim().split('\n').map(strip);
    expect(lines(b)).toEqual(lines(a));
    for (const key of ['x:1', 'x:2', 'x:3', 'x:4']) {
      expect((await b.latestByKeys('posts', [key]))[0]?.contentHash).toBe((await a.latestByKeys('posts', [key]))[0]?.contentHash);
    }
    const latest = await b.latestByKey('posts', 'x:4');
    expect(latest?.data).toMatchObject({ metrics: { likes: 9 } });
    expect((await b.latestByKeys('posts', ['x:4']))[0]?.contentHash).toBe(contentHash(latest?.data));
    // Reopened from the log (and sidecar), the encoded lines are ordinary records.
    await b.close();
    const reopened = await TraceStore.open(join(dir, 'b'));
    expect(await reopened.validate('posts')).toEqual([]);
    expect(await reopened.count('posts', undefined, { latest: true })).toBe(4);
    await reopened.close();
    await a.close();
  });

  it('writes every post field and metric the schema has, byte for byte as JSON.stringify (fails when the schema grows)', () => {
    const metrics = Object.fromEntries(Object.keys(PostMetricsSchema.shape).map((k, i) => [k, k === 'engagement_rate' ? 0.0375 : i * 1001 + 0.5 * (i % 2)]));
    const full: Record<string, unknown> = { platform: 'x', post_id: '9', author: 'a "b"', text: 'naïve 👩‍💻\n\u0001', created_at: '2024-03-01T12:00:00.000Z', url: 'https://x.com/a/status/9', lang: 'en', is_reply: true, is_repost: false, has_media: true, metrics };
    expect(Object.keys(full)).toEqual(Object.keys(PostDataSchema.shape));
    const sparse = { platform: 'bluesky', post_id: '10', author: '', text: '', created_at: '2024-03-01T12:00:00.000Z', is_reply: false, is_repost: true, metrics: { likes: 0 } };
    const empty = { ...sparse, metrics: {} };
    for (const data of [full, sparse, empty]) {
      const batch = encodeRecords('posts', [{ type: 'post', source: 'test', data }]);
      expect(Buffer.from(batch.bytes.subarray(batch.bounds[1], batch.bounds[2])).toString('utf8')).toBe(JSON.stringify(data));
    }
  });

  it('keeps caller ids and refuses an invalid record with the same E_SCHEMA message as upsert', async () => {
    const id = '6f1c2a4e-8b3d-4f5a-9c7e-0d1b2a3c4e5f';
    const store = await TraceStore.open(dir);
    await store.upsertEncoded('posts', [encodeRecords('posts', [{ ...postRecord('1'), id: id.toUpperCase() }])]);
    expect((await store.get('posts', id))?.data).toMatchObject({ post_id: '1' });
    const bad: NewRecord = postRecord('2');
    (bad.data as { metrics: Record<string, unknown> }).metrics.likes = -3;
    const viaEncode = (() => {
      try {
        encodeRecords('posts', [postRecord('3'), bad]);
      } catch (error) {
        return error as Error;
      }
      return undefined;
    })();
    const viaUpsert = (await store.upsert('posts', [postRecord('3'), bad]).catch((e: unknown) => e)) as Error;
    expect(viaEncode?.message).toMatch(/record 1: data\.metrics\.likes/);
    expect(viaEncode?.message).toBe(viaUpsert.message);
    await store.close();
  });
});
