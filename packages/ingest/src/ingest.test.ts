import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isReerError } from '@reer/core';
import { TraceStore } from '@reer/trace-store';
import { parseMapOption } from './detect.ts';
import { ingestPaths } from './ingest.ts';
import { computeStats } from './stats.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url));
const LEGACY = fixture('x-legacy/tweet_activity_metrics_fixture_acct_20240101_20240201_en.csv');
const CURRENT = fixture('x-current/account_analytics_content_2025-11-02_2025-11-09.csv');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reer-ingest-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function storedPosts(dataDir: string) {
  const store = await TraceStore.open(dataDir);
  try {
    const all = [];
    for await (const r of store.scan('posts')) all.push(r);
    return all;
  } finally {
    await store.close();
  }
}

describe('ingestPaths', () => {
  it('ingests, and a second run of the same files adds nothing', async () => {
    const dataDir = join(dir, 'data');
    const first = await ingestPaths([LEGACY, CURRENT], { dataDir });
    expect(first).toMatchObject({ files: 2, rows_read: 9, posts_ingested: 7, new_versions: 0, duplicates: 0, rejected: 2 });
    expect(first.by_format['x-legacy']).toMatchObject({ files: 1, posts_ingested: 5 });
    expect(first.by_format['x-current']).toMatchObject({ files: 1, posts_ingested: 2, rejected: 2 });
    const second = await ingestPaths([LEGACY, CURRENT], { dataDir });
    expect(second).toMatchObject({ rows_read: 9, posts_ingested: 0, new_versions: 0, duplicates: 7, rejected: 2 });
    const records = await storedPosts(dataDir);
    expect(records).toHaveLength(7);
    const one = records.find((r) => r.type === 'post' && r.data.post_id === '1750000000000000001');
    expect(one).toMatchObject({ type: 'post', source: 'social-collect:x-legacy', metadata: { file: LEGACY, line: 2, format: 'x-legacy' } });
    const day = records.find((r) => r.type === 'post' && r.data.post_id === '1980000000000000001');
    expect(day?.metadata).toMatchObject({ format: 'x-current', date_precision: 'day' });
  });

  it('a later export with fresher metrics adds a new version; readers see the newest', async () => {
    const dataDir = join(dir, 'data');
    await ingestPaths([LEGACY], { dataDir });
    const later = join(dir, 'tweet_activity_metrics_fixture_acct_20240101_20240301_en.csv');
    const text = await readFile(LEGACY, 'utf8');
    await writeFile(later, text.replace('"2633.0","40.0"', '"5000.0","90.0"'));
    const summary = await ingestPaths([later], { dataDir });
    expect(summary).toMatchObject({ posts_ingested: 0, new_versions: 1, duplicates: 4, rejected: 0 });
    const store = await TraceStore.open(dataDir);
    try {
      const latest = await store.latestByKey('posts', 'x:1750000000000000001');
      expect(latest?.type === 'post' && latest.data.metrics.impressions).toBe(5000);
      expect(await store.history('posts', 'x:1750000000000000001')).toHaveLength(2);
      expect(await store.count('posts', undefined, { latest: true })).toBe(5);
    } finally {
      await store.close();
    }
  });

  it('writes every rejected row to social/rejects.jsonl with file, line, reason and cells', async () => {
    const dataDir = join(dir, 'data');
    const summary = await ingestPaths([CURRENT], { dataDir });
    expect(summary.rejects_file).toBe(join(dataDir, 'social/rejects.jsonl'));
    const lines = (await readFile(join(dataDir, 'social/rejects.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ file: CURRENT, line: 4, format: 'x-current', reason: expect.stringContaining('empty post id'), row: { 'Post Link': 'https://x.com/nowacct/status/undefined' } });
    expect(typeof lines[0]?.run_id).toBe('string');
  });

  it('a dry run classifies but writes nothing', async () => {
    const dataDir = join(dir, 'data');
    const dry = await ingestPaths([LEGACY, CURRENT], { dataDir, dryRun: true });
    expect(dry).toMatchObject({ dry_run: true, posts_ingested: 7, rejected: 2 });
    expect(dry.rejects_file).toBeUndefined();
    await expect(readFile(join(dataDir, 'social/normalized.jsonl'))).rejects.toThrow();
    await expect(readFile(join(dataDir, 'social/rejects.jsonl'))).rejects.toThrow();
    await ingestPaths([LEGACY], { dataDir });
    const again = await ingestPaths([LEGACY], { dataDir, dryRun: true });
    expect(again).toMatchObject({ posts_ingested: 0, duplicates: 5 });
  });

  it('refuses the whole run before writing anything when one input is unusable', async () => {
    const dataDir = join(dir, 'data');
    const error = await ingestPaths([LEGACY, fixture('refused/unknown.csv')], { dataDir }).catch((e: unknown) => e);
    expect(isReerError(error, 'E_INPUT_FORMAT')).toBe(true);
    expect((error as Error).message).toContain('unknown.csv');
    await expect(readFile(join(dataDir, 'social/normalized.jsonl'))).rejects.toThrow();
  });

  it('walks folders: joins LinkedIn files, skips side files, warns about unknown authors', async () => {
    const dataDir = join(dir, 'data');
    const input = join(dir, 'input');
    await cp(fixture('linkedin'), join(input, 'linkedin'), { recursive: true });
    await cp(fixture('x-archive/tweets.js'), join(input, 'archive/tweets.js'));
    await writeFile(join(input, 'notes.md'), '# my notes\n');
    const summary = await ingestPaths([input], { dataDir });
    expect(summary).toMatchObject({ posts_ingested: 5 + 3, rejected: 1 });
    expect(summary.by_format['linkedin-shares']).toMatchObject({ files: 2, rows_read: 5, posts_ingested: 5 });
    expect(summary.warnings).toEqual([`skipped ${join(input, 'notes.md')}: not an export file`, expect.stringContaining('3 posts have no author')]);
    expect(summary.notes).toEqual(['LinkedIn: joined 1 posts with their analytics by id and 1 by publish day']);
    const store = await TraceStore.open(dataDir);
    try {
      const stats = await computeStats(store);
      expect(stats.posts).toBe(8);
      expect(stats.by_author.map((a) => [a.platform, a.author, a.posts])).toEqual([
        ['linkedin', 'Jane Fixture', 5],
        ['x', 'unknown', 3],
      ]);
      const linkedin = stats.by_author[0];
      expect(linkedin?.coverage).toEqual({ impressions: 3 / 5, engagements: 3 / 5, engagement_rate: 3 / 5 });
      expect(linkedin?.first).toBe('2024-01-15T14:32:10.000Z');
    } finally {
      await store.close();
    }
  });

  it('gives the same result through the worker thread as in-thread', async () => {
    const inThread = await ingestPaths([LEGACY, CURRENT], { dataDir: join(dir, 'a'), workerMinBytes: Number.POSITIVE_INFINITY });
    const worker = await ingestPaths([LEGACY, CURRENT], { dataDir: join(dir, 'b'), workerMinBytes: 0 });
    const strip = ({ seconds: _s, per_file: _p, rejects_file: _r, ...rest }: typeof inThread) => rest;
    expect(strip(worker)).toEqual(strip(inThread));
    const a = (await storedPosts(join(dir, 'a'))).map((r) => r.data);
    const b = (await storedPosts(join(dir, 'b'))).map((r) => r.data);
    expect(b).toEqual(a);
    const again = await ingestPaths([LEGACY, CURRENT], { dataDir: join(dir, 'b'), workerMinBytes: 0 });
    expect(again).toMatchObject({ posts_ingested: 0, duplicates: 7 });
  });

  it('fails the run when the worker cannot open the store, and writes no rejects (it reads while the store opens)', async () => {
    const dataDir = join(dir, 'broken');
    // An unreadable compaction journal: the store refuses to open (E_STORE_CORRUPT).
    const journal = join(dataDir, 'social/normalized.jsonl.compact.json');
    await mkdir(join(dataDir, 'social'), { recursive: true });
    await writeFile(journal, '{not json');
    const failure = await ingestPaths([LEGACY, CURRENT], { dataDir, workerMinBytes: 0 }).catch((error: unknown) => error);
    expect(isReerError(failure, 'E_STORE_CORRUPT')).toBe(true);
    // The fixtures have rejected rows, read before the open failed: none of them reached the rejects file.
    await expect(readFile(join(dataDir, 'social/rejects.jsonl'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});

describe('parseMapOption', () => {
  it.each([
    [['text=Post'], { text: 'Post' }],
    [['text="Post",impressions="Impr."'], { text: 'Post', impressions: 'Impr.' }],
    [['engagements=Reactions, Comments and Shares', 'post_id=ID'], { engagements: 'Reactions, Comments and Shares', post_id: 'ID' }],
  ])('%j', (values, expected) => expect(parseMapOption(values)).toEqual(expected));

  it.each([['nofield=X'], ['text'], ['text=']])('%j is a usage error', (value) => {
    expect(() => parseMapOption([value])).toThrow(/--map/);
  });
});
