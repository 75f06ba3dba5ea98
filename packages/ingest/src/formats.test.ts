import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isReerError, PostDataSchema, type PostData } from '@reer/core';
import { detectFormat } from './detect.ts';
import { canonicalPost } from './sink.ts';
import { readExport, readLinkedinGroup } from './read-export.ts';
import type { FormatId, ParsedPost, ReadOptions, RejectedRow } from './types.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url));

async function readAll(name: string, options: ReadOptions = {}) {
  const detection = await detectFormat(fixture(name), options);
  const posts: ParsedPost[] = [];
  const rejects: RejectedRow[] = [];
  let rows = 0;
  for await (const batch of readExport(detection, options)) {
    posts.push(...batch.posts);
    rejects.push(...batch.rejects);
    rows += batch.rows;
  }
  return { detection, posts, rejects, rows };
}

interface Case {
  file: string;
  options?: ReadOptions;
  format: FormatId;
  posts: number;
  rejects?: number;
  /** Checks on the post with this id. */
  expect?: Record<string, Partial<PostData> & { line?: number; precision?: string; repairs?: string[] }>;
}

const cases: Case[] = [
  {
    file: 'x-legacy/tweet_activity_metrics_fixture_acct_20240101_20240201_en.csv',
    format: 'x-legacy',
    posts: 5,
    expect: {
      // float counts, HTML entities, multi-line text, rate as a fraction, media from media views
      '1750000000000000001': {
        text: 'Shipping v2 today & it is fast.\nRelease notes: https://t.co/abc',
        author: 'fixture_acct',
        created_at: '2024-01-05T14:03:00.000Z',
        metrics: { impressions: 2633, likes: 25, reposts: 5, replies: 3, clicks: 0, profile_visits: 1, follows: 0, engagements: 40, engagement_rate: 40 / 2633 },
        has_media: true,
        is_reply: false,
        line: 2,
        precision: 'minute',
      },
      '1750000000000000002': { is_reply: true, line: 4 },
      // 1.75E+18 and a 15-digit-rounded id, both recovered from the permalink
      '1750000000000000003': { text: 'An id a spreadsheet mangled, "quoted" words', repairs: ['id-from-permalink'] },
      '1750000000000000004': { repairs: ['id-from-permalink'] },
      '1750000000000000005': { is_repost: true },
    },
  },
  {
    file: 'x-legacy/tweet_activity_metrics_oldtimer_20141201_20150101_en.csv',
    format: 'x-legacy',
    posts: 1,
    expect: { '550000000000000001': { text: 'Old days <3', author: 'oldtimer', metrics: { impressions: 100, engagements: 5, engagement_rate: 0.05, reposts: 1, replies: 0, likes: 4, profile_visits: 0, clicks: 0, follows: 0 } } },
  },
  {
    file: 'tweet_activity_metrics_vozfixture_20220301_20220401_pt.csv',
    format: 'x-legacy',
    posts: 1,
    expect: { '1500000000000000001': { text: 'Olá, mundo! Ação & reação', author: 'vozfixture', created_at: '2022-03-12T03:20:00.000Z' } },
  },
  {
    file: 'header-last.csv',
    format: 'x-legacy',
    posts: 2,
    expect: {
      '1600000000000000001': { text: 'Don’t miss it 📌 café', author: 'brokenacct', repairs: ['mojibake'], line: 1 },
      '1600000000000000002': { text: 'plain text, no damage' },
    },
  },
  {
    file: 'x-current/account_analytics_content_2025-11-02_2025-11-09.csv',
    format: 'x-current',
    posts: 2,
    rejects: 2,
    expect: {
      '1980000000000000001': {
        text: 'Big news, with a comma',
        author: 'nowacct',
        created_at: '2025-11-09T00:00:00.000Z',
        precision: 'day',
        metrics: { impressions: 1234, likes: 56, engagements: 78, bookmarks: 2, shares: 1, follows: 0, replies: 3, reposts: 4, profile_visits: 5, clicks: 7, engagement_rate: 78 / 1234 },
      },
      '1980000000000000002': { is_reply: true },
    },
  },
  {
    file: 'x-current/account_analytics_content_2026-02-01_2026-02-13.csv',
    format: 'x-current',
    posts: 1,
    expect: { '2019000000000000001': { text: 'こんにちは世界', author: 'jaacct', metrics: { impressions: 90, likes: 1, engagements: 5, bookmarks: 0, shares: 2, follows: 0, replies: 1, reposts: 0, profile_visits: 0, clicks: 0, engagement_rate: 5 / 90 } } },
  },
  {
    // a header language we have no aliases for: the export's fixed column order
    file: 'x-current/account_analytics_content_2026-01-01_2026-01-31.csv',
    format: 'x-current',
    posts: 1,
    expect: { '2020000000000000001': { text: 'Bonjour à tous', created_at: '2026-01-15T00:00:00.000Z' } },
  },
  {
    file: 'x-archive/tweets.js',
    format: 'x-archive',
    posts: 3,
    rejects: 1,
    expect: {
      '1582825767519809536': { author: 'archive_owner', is_reply: true, text: '@pal Does it work with .qmd files? & more', lang: 'en', metrics: { likes: 1, reposts: 0 }, created_at: '2022-10-19T20:07:25.000Z', line: 2 },
      '1580000000000000002': { is_repost: true },
      '1580000000000000003': { has_media: true },
    },
  },
  {
    file: 'x-archive/tweets.js',
    options: { author: 'override' },
    format: 'x-archive',
    posts: 3,
    rejects: 1,
    expect: { '1580000000000000003': { author: 'override', url: 'https://x.com/override/status/1580000000000000003' } },
  },
  {
    file: 'meta/Sep-01-2025_Sep-30-2025_100064197037001.csv',
    format: 'meta-facebook',
    posts: 2,
    expect: {
      '1168834171933001': {
        platform: 'facebook',
        author: 'Fixture Page',
        text: 'New build done 𝐁𝐎𝐋𝐃\nsecond line',
        created_at: '2025-09-01T21:13:00.000Z',
        has_media: true,
        metrics: { impressions: 1628, likes: 6, replies: 1, shares: 0, engagements: 7, engagement_rate: 7 / 1628 },
      },
      '1168834171933002': { is_repost: true, has_media: false },
    },
  },
  {
    file: 'meta/instagram-posts.csv',
    format: 'meta-instagram',
    posts: 2,
    expect: { '18000000000000001': { platform: 'instagram', author: 'fixture.ig', has_media: true, metrics: { impressions: 2500, likes: 140, shares: 5, follows: 2, replies: 9, bookmarks: 11 } } },
  },
  {
    file: 'linkedin-company/acme-fixture_content_1710000000000.xlsx',
    format: 'linkedin-company',
    posts: 2,
    expect: {
      '7200000000000000001': { platform: 'linkedin', author: 'acme-fixture', text: 'Our Q1 report is out', metrics: { impressions: 4200, clicks: 130, likes: 88, replies: 6, reposts: 9, follows: 3, engagement_rate: 0.0562 } },
      '7200000000000000002': { created_at: '2024-03-12T09:30:00.000Z', metrics: { impressions: 1500, clicks: 20, likes: 40, replies: 2, reposts: 1, follows: 0, engagement_rate: 0.042 } },
    },
  },
  {
    file: 'generic/buffer-export.csv',
    options: { platform: 'linkedin', author: 'jane', map: { post_id: 'ID', text: 'Post', created_at: 'Sent at', impressions: 'Impr.', likes: 'Likes', replies: 'Comments' } },
    format: 'generic',
    posts: 2,
    rejects: 2,
    expect: {
      'b-1': { platform: 'linkedin', author: 'jane', text: 'Hello from a scheduler, with a comma', metrics: { impressions: 1000, likes: 10, replies: 2 } },
      // `-` and empty cells are missing metrics, not zeros
      'b-2': { metrics: { likes: 3 }, created_at: '2024-05-02T11:30:00.000Z' },
    },
  },
  {
    file: 'generic/posts.jsonl',
    format: 'generic',
    posts: 2,
    rejects: 1,
    expect: { 'bs-2': { platform: 'bluesky', author: 'jane.bsky.social', metrics: { likes: 9, reposts: 2 }, line: 2 } },
  },
  {
    file: 'generic/nested.json',
    options: { platform: 'mastodon', map: { post_id: 'id', text: 'content', created_at: 'meta.published', likes: 'meta.favs' } },
    format: 'generic',
    posts: 1,
    expect: { 'm-1': { platform: 'mastodon', text: 'toot', metrics: { likes: 3 }, author: 'unknown' } },
  },
];

describe('readers on synthetic fixtures', () => {
  it.each(cases)('$file → $format, $posts posts', async (c) => {
    const { detection, posts, rejects, rows } = await readAll(c.file, c.options);
    expect(detection.format).toBe(c.format);
    expect(posts).toHaveLength(c.posts);
    expect(rejects).toHaveLength(c.rejects ?? 0);
    expect(rows).toBe(posts.length + rejects.length);
    for (const post of posts) {
      const parsed = PostDataSchema.safeParse(post.data);
      expect(parsed.success, JSON.stringify(post.data)).toBe(true);
      // The store hashes data as the schema parses it; ingest's pre-check relies on the same bytes.
      expect(JSON.stringify(canonicalPost(post.data))).toBe(JSON.stringify(parsed.data));
      // Readers build posts in schema order already: the store's validation takes its fast path.
      expect(canonicalPost(post.data)).toBe(post.data);
    }
    for (const [id, want] of Object.entries(c.expect ?? {})) {
      const post = posts.find((p) => p.data.post_id === id);
      expect(post, `post ${id}`).toBeDefined();
      const { line, precision, repairs, metrics, ...data } = want;
      expect(post?.data).toMatchObject(data);
      // metrics must match exactly: a metric the source lacks is absent, never zero
      if (metrics) {
        expect(Object.keys(post?.data.metrics ?? {}).sort()).toEqual(Object.keys(metrics).sort());
        for (const [k, v] of Object.entries(metrics)) expect(post?.data.metrics[k as keyof typeof metrics]).toBeCloseTo(v as number, 12);
      }
      if (line !== undefined) expect(post?.line).toBe(line);
      if (precision !== undefined) expect(post?.datePrecision).toBe(precision);
      if (repairs !== undefined) expect(post?.repairs).toEqual(repairs);
    }
    for (const reject of rejects) {
      expect(reject.file).toBe(fixture(c.file));
      expect(reject.line).toBeGreaterThan(0);
      expect(reject.reason.length).toBeGreaterThan(0);
    }
  });

  it('reports why each junk row was rejected, with its line', async () => {
    const { rejects } = await readAll('x-current/account_analytics_content_2025-11-02_2025-11-09.csv');
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [4, 'empty post id (junk row; link https://x.com/nowacct/status/undefined)'],
      [5, 'empty post id (junk row; link https://x.com/nowacct/status/undefined)'],
    ]);
    expect(rejects[0]?.row).toMatchObject({ 'Post Link': 'https://x.com/nowacct/status/undefined' });
    const generic = await readAll('generic/buffer-export.csv', cases.find((c) => c.file.startsWith('generic/buffer'))?.options);
    expect(generic.rejects.map((r) => r.reason)).toEqual(['empty post id (junk row)', 'impressions: "lots" is not a count']);
  });

  it('marks the header-as-last-row file', async () => {
    const { detection } = await readAll('header-last.csv');
    expect(detection.headerAtEnd).toBe(true);
  });
});

describe('LinkedIn member data: Shares.csv joined with the analytics workbook', () => {
  it('joins by id, falls back to the publish day, and keeps unjoined posts on both sides', async () => {
    const shares = await detectFormat(fixture('linkedin/Shares.csv'));
    const analytics = await detectFormat(fixture('linkedin/Content_2024-01-01_2024-03-31_JaneFixture.xlsx'));
    expect([shares.format, analytics.format]).toEqual(['linkedin-shares', 'linkedin-analytics']);
    const group = await readLinkedinGroup([shares], [analytics]);
    expect(group.joined).toEqual({ id: 1, day: 1 });
    const byId = new Map(group.posts.map((p) => [p.data.post_id, p]));
    expect(group.posts).toHaveLength(5);
    // Author from Profile.csv next to Shares.csv
    for (const p of group.posts) expect(p.data.author).toBe('Jane Fixture');
    // Different URNs (share vs activity), same day: joined by day, keeps the archive's id and text
    expect(byId.get('7150000000000000001')?.data).toMatchObject({
      text: 'Three lessons from shipping a CLI:\n1. errors with hints\n2. exit codes\n3. tests',
      metrics: { impressions: 9000, engagements: 120, engagement_rate: 120 / 9000 },
    });
    expect(byId.get('7150000000000000001')?.metadata).toMatchObject({ joined_by: 'day' });
    expect(byId.get('7170000000000000003')?.metadata).toMatchObject({ joined_by: 'id' });
    expect(byId.get('7170000000000000003')?.data.metrics).toEqual({ impressions: 5000, engagements: 80, engagement_rate: 0.016 });
    // In the archive only: no metrics at all (absent, not zero)
    expect(byId.get('7180000000000000004')?.data.metrics).toEqual({});
    expect(byId.get('7160000000000000002')?.data).toMatchObject({ has_media: true, text: 'We are hiring! "Senior" engineers welcome' });
    // In the analytics only: a post without text
    expect(byId.get('7190000000000000005')?.data).toMatchObject({ text: '', created_at: '2024-03-10T00:00:00.000Z', metrics: { impressions: 300, engagements: 7 } });
  });

  it('reads the analytics workbook alone (author from the file name)', async () => {
    const analytics = await detectFormat(fixture('linkedin/Content_2024-01-01_2024-03-31_JaneFixture.xlsx'));
    const group = await readLinkedinGroup([], [analytics]);
    expect(group.posts).toHaveLength(3);
    for (const p of group.posts) expect(p.data).toMatchObject({ author: 'JaneFixture', text: '' });
  });
});

describe('unusable input is refused with a message naming the file', () => {
  it.each([
    ['refused/daily_tweet_activity_metrics_acct_20240101_20240201_en.csv', /per-day totals/],
    ['refused/account_overview_analytics.csv', /per-day totals/],
    ['refused/per-day-renamed.csv', /per-day totals/],
    ['refused/unknown.csv', /unknown export format \(header: alpha, beta, gamma\)/],
    ['refused/account.js', /archive's account file/],
  ])('%s', async (name, message) => {
    const error = await detectFormat(fixture(name)).catch((e: unknown) => e);
    expect(isReerError(error, 'E_INPUT_FORMAT')).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(fixture(name));
  });

  it('--format skips detection: the file must then match that format', async () => {
    const legacy = fixture('x-legacy/tweet_activity_metrics_fixture_acct_20240101_20240201_en.csv');
    expect((await detectFormat(legacy, { format: 'x-legacy' })).format).toBe('x-legacy');
    const error = await detectFormat(legacy, { format: 'meta-facebook' }).catch((e: unknown) => e);
    expect(isReerError(error, 'E_INPUT_FORMAT')).toBe(true);
  });

  it('a missing file is E_INPUT_NOT_FOUND', async () => {
    const error = await detectFormat(fixture('nope.csv')).catch((e: unknown) => e);
    expect(isReerError(error, 'E_INPUT_NOT_FOUND')).toBe(true);
  });

  it('--map naming a column the file lacks is refused, listing the columns', async () => {
    const error = await detectFormat(fixture('generic/buffer-export.csv'), { platform: 'x', map: { post_id: 'Nope', created_at: 'Sent at' } }).catch((e: unknown) => e);
    expect(isReerError(error, 'E_INPUT_FORMAT')).toBe(true);
    expect((error as Error).message).toContain('--map post_id=Nope');
    expect((error as { hint?: string }).hint).toContain('Columns in this file: ID, Post, Sent at');
  });
});
