import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isReerError } from '@reer/core';
import lockfile from 'proper-lockfile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postRecord } from '../test/records.ts';
import { TraceStore, contentHash, isPostRecord, type StoreProblem, type StoredRecord } from './index.ts';

let dir: string;
const open: TraceStore[] = [];

async function openStore(options: Parameters<typeof TraceStore.open>[1] = {}, at = dir): Promise<TraceStore> {
  const store = await TraceStore.open(at, { lockStaleMs: 2000, ...options });
  open.push(store);
  return store;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function postIds(records: StoredRecord[]): string[] {
  return records.filter(isPostRecord).map((r) => r.data.post_id);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reer-store-'));
});

afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('append and read back', () => {
  it('assigns ids and timestamps, writes one line per record, and finds records by id and key', async () => {
    const store = await openStore();
    const written = await store.append('posts', [postRecord('1'), postRecord('2')]);
    expect(written).toHaveLength(2);
    expect(written[0]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(written[0]?.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const lines = readFileSync(store.fileOf('posts'), 'utf8').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0] ?? '')).toEqual(written[0]);
    expect(await store.get('posts', written[1]?.id ?? '')).toEqual(written[1]);
    expect(await store.get('posts', written[1]?.id.toUpperCase() ?? '')).toEqual(written[1]);
    expect(await store.get('posts', '00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(await store.get('posts', 'not-an-id')).toBeUndefined();
    expect((await store.latestByKey('posts', 'x:2'))?.id).toBe(written[1]?.id);
    expect(await store.latestByKey('posts', 'x:3')).toBeUndefined();
  });

  it('keeps caller-given ids and timestamps', async () => {
    const store = await openStore();
    const id = '6f1c2a4e-8b3d-4f5a-9c7e-0d1b2a3c4e5f';
    const [record] = await store.append('posts', [{ ...postRecord('1'), id, timestamp: '2020-01-01T00:00:00Z' }]);
    expect(record?.id).toBe(id);
    expect(record?.timestamp).toBe('2020-01-01T00:00:00Z');
    expect((await store.get('posts', id))?.timestamp).toBe('2020-01-01T00:00:00Z');
  });

  it('shows the newest version per key, keeps history, and counts both views', async () => {
    const store = await openStore();
    await store.append('posts', [postRecord('1', 1), postRecord('2', 1)]);
    await store.append('posts', [postRecord('1', 5)]);
    await store.append('posts', [postRecord('1', 9), postRecord('3', 1)]);
    const latest = await collect(store.latest('posts'));
    expect(postIds(latest)).toEqual(['2', '1', '3']);
    expect(latest.filter(isPostRecord).find((r) => r.data.post_id === '1')?.data.metrics.likes).toBe(9);
    const history = await store.history('posts', 'x:1');
    expect(history.filter(isPostRecord).map((r) => r.data.metrics.likes)).toEqual([1, 5, 9]);
    expect(await store.history('posts', 'x:404')).toEqual([]);
    expect(await store.count('posts')).toBe(5);
    expect(await store.count('posts', undefined, { latest: true })).toBe(3);
    expect(await store.count('posts', { type: 'post' }, { latest: true })).toBe(3);
    expect(await store.count('posts', { type: 'trace' })).toBe(0);
  });

  it('filters by type, source, time range and fields of data', async () => {
    const store = await openStore();
    const a = { ...postRecord('1'), source: 'export-a', timestamp: '2024-01-01T00:00:00.000Z' };
    const b = { ...postRecord('2'), source: 'export-b', timestamp: '2024-02-01T00:00:00.000Z' };
    const c = {
      ...postRecord('3'),
      timestamp: '2024-03-01T00:00:00.000Z',
      data: { ...(postRecord('3').data as object), author: 'someone-else', created_at: '2019-05-05T00:00:00.000Z' },
    };
    const evaluation = { type: 'evaluation' as const, source: 'eval', data: { kind: 'backtest', subject: 's', metrics: { auc: 0.7 } } };
    await store.append('posts', [a, b, c, evaluation]);
    expect(postIds(await collect(store.scan('posts', { source: 'export-b' })))).toEqual(['2']);
    expect(postIds(await collect(store.scan('posts', { since: '2024-01-15', until: new Date('2024-03-01T00:00:00Z') })))).toEqual(['2']);
    expect(postIds(await collect(store.scan('posts', { where: { platform: 'x', author: 'tester' } })))).toEqual(['1', '2']);
    expect(postIds(await collect(store.scan('posts', { where: { 'metrics.likes': 1, post_id: '3' } })))).toEqual(['3']);
    expect(postIds(await collect(store.scan('posts', { timeField: 'created_at', until: '2020-01-01' })))).toEqual(['3']);
    expect((await collect(store.scan('posts', { type: 'evaluation' }))).map((r) => r.type)).toEqual(['evaluation']);
    expect(await store.count('posts', { where: { author: 'tester' } })).toBe(2);
    await expect(collect(store.scan('posts', { since: 'yesterday-ish' }))).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('upsert skips unchanged posts, appends changed ones as new versions, and reports outcomes', async () => {
    const store = await openStore();
    const first = await store.upsert('posts', [postRecord('1', 1), postRecord('2', 1)]);
    expect(first.outcomes).toEqual(['new', 'new']);
    const again = await store.upsert('posts', [postRecord('1', 1), postRecord('2', 7), postRecord('2', 7), postRecord('3')]);
    expect(again.outcomes).toEqual(['unchanged', 'updated', 'unchanged', 'new']);
    expect(again.counts).toEqual({ new: 1, updated: 1, unchanged: 2 });
    expect(again.appended).toHaveLength(2);
    expect(await store.count('posts')).toBe(4);
    const [v1, v2, none] = await store.latestByKeys('posts', ['x:1', 'x:2', 'x:9']);
    expect(v1?.contentHash).toBe(contentHash(postRecord('1', 1).data));
    expect(v2?.contentHash).toBe(contentHash(postRecord('2', 7).data));
    expect(v2?.id).toBe(again.appended[0]?.id);
    expect(none).toBeUndefined();
  });

  it('reserve sizes the index ahead of a bulk write, and every record is still found by id and key', async () => {
    const store = await openStore();
    await store.append('posts', [postRecord('0')]);
    await store.reserve('posts', 5000);
    await store.reserve('posts', -3);
    const records = Array.from({ length: 3000 }, (_, i) => postRecord(String(i + 1), i % 5));
    const { appended } = await store.upsert('posts', records);
    expect(appended).toHaveLength(3000);
    for (const [i, record] of appended.entries()) {
      if (i % 97 !== 0) continue;
      expect((await store.get('posts', record.id))?.id).toBe(record.id);
      expect((await store.latestByKey('posts', `x:${i + 1}`))?.id).toBe(record.id);
    }
    expect(await store.count('posts')).toBe(3001);
    await expect(store.reserve('nope' as 'posts', 10)).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('sees what another store instance (another process) appended', async () => {
    const reader = await openStore();
    const writer = await openStore();
    const [record] = await writer.append('posts', [postRecord('1')]);
    expect((await reader.get('posts', record?.id ?? ''))?.id).toBe(record?.id);
    expect(await reader.count('posts')).toBe(1);
    await reader.append('posts', [postRecord('1', 3)]);
    expect((await writer.latestByKey('posts', 'x:1'))?.data).toMatchObject({ metrics: { likes: 3 } });
  });
});

describe('misuse and contention', () => {
  it('fails with E_STORE_LOCKED when another process holds the lock past lockTimeoutMs', async () => {
    const store = await openStore({ lockTimeoutMs: 300 });
    await store.append('posts', [postRecord('1')]);
    const file = store.fileOf('posts');
    const release = await lockfile.lock(file, { realpath: false, lockfilePath: `${file}.lock`, stale: 10_000 });
    try {
      await expect(store.append('posts', [postRecord('2')])).rejects.toMatchObject({ code: 'E_STORE_LOCKED' });
    } finally {
      await release();
    }
    await store.append('posts', [postRecord('2')]);
    expect(await store.count('posts')).toBe(2);
  });

  it('rejects unknown collections and use after close', async () => {
    const store = await openStore();
    await expect(store.append('tweets' as never, [postRecord('1')])).rejects.toMatchObject({ code: 'E_USAGE' });
    await store.close();
    await expect(store.count('posts')).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});

describe('schema rejection on write', () => {
  it('rejects the whole batch naming the record index and the data field', async () => {
    const store = await openStore();
    const bad = postRecord('2');
    (bad.data as { metrics: Record<string, unknown> }).metrics.likes = -3;
    const error = await store.append('posts', [postRecord('1'), bad]).catch((e: unknown) => e);
    expect(isReerError(error, 'E_SCHEMA')).toBe(true);
    expect((error as Error).message).toMatch(/record 1: data\.metrics\.likes/);
    expect(existsSync(store.fileOf('posts'))).toBe(false);
    expect(await store.count('posts')).toBe(0);
  });

  it.each([
    ['an unknown type', { type: 'tweet', source: 's', data: {} }, /record 0: type/],
    ['an empty source', { ...postRecord('1'), source: '' }, /source/],
    ['a missing data field', { type: 'post', source: 's', data: { platform: 'x' } }, /data\.post_id/],
    ['an unknown data field', { ...postRecord('1'), data: { ...(postRecord('1').data as object), color: 'red' } }, /data/],
    ['a bad id', { ...postRecord('1'), id: '1234' }, /id: expected a uuid v4/],
    ['a local timestamp', { ...postRecord('1'), timestamp: '2024-01-01T00:00:00+02:00' }, /timestamp/],
  ])('rejects %s', async (_name, record, message) => {
    const store = await openStore();
    await expect(store.append('posts', [record as never])).rejects.toThrow(message);
  });
});

describe('bad lines on read', () => {
  it('reports file and line for every bad line; scan stops unless onProblem takes it', async () => {
    const store = await openStore();
    await store.append('posts', [postRecord('1'), postRecord('2')]);
    const file = store.fileOf('posts');
    const badData = JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8').split('\n')[0] ?? ''), id: crypto.randomUUID() });
    appendFileSync(file, `{"id": "broken json\n${badData.replace('"likes":1', '"likes":"many"')}\n`);
    await store.append('posts', [postRecord('3')]);

    const problems = await store.validate('posts');
    expect(problems.map((p: StoreProblem) => [p.file, p.line])).toEqual([
      ['social/normalized.jsonl', 3],
      ['social/normalized.jsonl', 4],
    ]);
    expect(problems[0]?.message).toMatch(/not valid JSON/);
    expect(problems[1]?.message).toMatch(/data\.metrics\.likes/);
    expect(problems[0]?.offset).toBeGreaterThan(0);

    await expect(collect(store.scan('posts'))).rejects.toThrow(/social\/normalized\.jsonl:3: not valid JSON/);
    const seen: number[] = [];
    const records = await collect(store.scan('posts', undefined, { onProblem: (p) => seen.push(p.line) }));
    expect(postIds(records)).toEqual(['1', '2', '3']);
    expect(seen).toEqual([3, 4]);
    expect(await store.validate()).toHaveLength(2);
  });
});

describe('index sidecar', () => {
  it('is written on close, used on open, and rebuilt from the log when deleted or stale', async () => {
    const store = await openStore();
    const written = await store.append('posts', [postRecord('1'), postRecord('2'), postRecord('1', 4)]);
    await store.close();
    const sidecar = `${store.fileOf('posts')}.idx`;
    expect(existsSync(sidecar)).toBe(true);

    const check = async () => {
      const reopened = await openStore();
      expect((await reopened.get('posts', written[1]?.id ?? ''))?.id).toBe(written[1]?.id);
      expect((await reopened.latestByKey('posts', 'x:1'))?.id).toBe(written[2]?.id);
      expect(await reopened.count('posts', undefined, { latest: true })).toBe(2);
      // Content hashes survive the sidecar: re-ingesting the same versions adds nothing.
      expect((await reopened.upsert('posts', [postRecord('1', 4), postRecord('2')])).counts).toMatchObject({ unchanged: 2 });
      await reopened.close();
    };
    await check();

    rmSync(sidecar);
    await check();
    expect(existsSync(sidecar)).toBe(true);

    // Garbage in the sidecar, or a sidecar describing other content: both rebuilt from the log.
    writeFileSync(sidecar, 'REERIDX3\n{"version":3}\nnonsense');
    await check();
    // A sidecar whose header is right but whose rows are cut short.
    const good = readFileSync(sidecar);
    const head = good.subarray(0, good.indexOf(0x0a, 9) + 1).toString();
    const header = JSON.parse(head.slice(9));
    const truncated = Buffer.concat([Buffer.from(`REERIDX3\n${JSON.stringify({ ...header, bytes: good.length - 30 })}\n`), good.subarray(head.length, good.length - 30)]);
    writeFileSync(sidecar, truncated);
    expect(readFileSync(sidecar).length).toBe(good.length - 30);
    await check();
    expect(readFileSync(sidecar)).toEqual(good);
    const other = mkdtempSync(join(tmpdir(), 'reer-store-other-'));
    const otherStore = await openStore({}, other);
    await otherStore.append('posts', [postRecord('9'), postRecord('8'), postRecord('7')]);
    await otherStore.close();
    writeFileSync(sidecar, readFileSync(`${otherStore.fileOf('posts')}.idx`));
    await check();
    rmSync(other, { recursive: true, force: true });
  });

  it('catches up on records appended after the sidecar was written', async () => {
    const store = await openStore();
    await store.append('posts', [postRecord('1')]);
    await store.close();
    const writer = await openStore();
    const [late] = await writer.append('posts', [postRecord('2')]);
    // The writer never closes cleanly: its records are only in the log.
    const reader = await openStore();
    expect((await reader.get('posts', late?.id ?? ''))?.id).toBe(late?.id);
    expect(await reader.count('posts')).toBe(2);
  });
});

describe('rotation and compaction', () => {
  it('rotates past rotateBytes; reads, ids and history span the archives', async () => {
    const store = await openStore({ rotateBytes: 2000 });
    const first = await store.append('posts', [postRecord('1', 1, 2100)]);
    await store.append('posts', [postRecord('2', 1, 2100)]);
    await store.append('posts', [postRecord('1', 2, 100)]);
    const archives = readdirSync(join(dir, 'archives', 'posts')).filter((n) => n.endsWith('.jsonl'));
    expect(archives).toEqual(['normalized.000001.jsonl', 'normalized.000002.jsonl']);
    expect(statSync(store.fileOf('posts')).size).toBeLessThan(2000);
    expect(await store.count('posts')).toBe(3);
    expect(postIds(await collect(store.latest('posts')))).toEqual(['2', '1']);
    expect((await store.get('posts', first[0]?.id ?? ''))?.id).toBe(first[0]?.id);
    expect((await store.history('posts', 'x:1')).map((r) => r.id)[0]).toBe(first[0]?.id);

    expect(await store.rotate('posts')).toMatchObject({ archived: 'archives/posts/normalized.000003.jsonl' });
    expect(await store.rotate('posts')).toEqual({ archived: null, bytes: 0 });
    await store.close();
    const reopened = await openStore();
    expect(await reopened.count('posts')).toBe(3);
    expect((await reopened.get('posts', first[0]?.id ?? ''))?.id).toBe(first[0]?.id);
    expect((await reopened.stats('posts')).files).toHaveLength(3);
  });

  it('notices a rotation done by another process', async () => {
    const a = await openStore();
    const b = await openStore();
    const [record] = await a.append('posts', [postRecord('1')]);
    await b.rotate('posts');
    await b.append('posts', [postRecord('2')]);
    expect((await a.get('posts', record?.id ?? ''))?.id).toBe(record?.id);
    expect(await a.count('posts')).toBe(2);
  });

  it('notices a compaction done by another process', async () => {
    const a = await openStore();
    const b = await openStore();
    await a.append('posts', [postRecord('1', 1), postRecord('2', 1)]);
    await a.rotate('posts');
    const [newest] = await a.append('posts', [postRecord('1', 2)]);
    expect(await a.count('posts')).toBe(3);
    await b.compact('posts');
    expect(await a.count('posts')).toBe(2);
    expect((await a.latestByKey('posts', 'x:1'))?.id).toBe(newest?.id);
    expect(await a.history('posts', 'x:1')).toHaveLength(1);
    await a.append('posts', [postRecord('3')]);
    expect(postIds(await collect(b.latest('posts')))).toEqual(['2', '1', '3']);
  });

  it('compacts superseded versions into a new file and archives the old files untouched', async () => {
    const store = await openStore();
    await store.append('posts', [postRecord('1', 1), postRecord('2', 1)]);
    await store.rotate('posts');
    await store.append('posts', [postRecord('1', 2), postRecord('3', 1)]);
    const evaluation = await store.append('posts', [{ type: 'evaluation', source: 'e', data: { kind: 'k', subject: 's', metrics: {} } }]);
    await store.append('posts', [postRecord('1', 3)]);
    const before = readFileSync(store.fileOf('posts'));

    const result = await store.compact('posts');
    expect(result).toMatchObject({ kept: 4, dropped: 2, quarantined: 0 });
    expect(result.archivedTo).toMatch(/^archives\/posts\/compacted-\d{8}T\d{9}Z$/);
    const retired = join(dir, result.archivedTo ?? '');
    expect(readdirSync(retired).sort()).toEqual(['normalized.000001.jsonl', 'normalized.jsonl']);
    expect(readFileSync(join(retired, 'normalized.jsonl'))).toEqual(before);
    expect(readdirSync(join(dir, 'archives', 'posts')).filter((n) => n.endsWith('.jsonl'))).toEqual([]);

    const check = async (s: TraceStore) => {
      expect(await s.count('posts')).toBe(4);
      expect(postIds(await collect(s.scan('posts')))).toEqual(['2', '3', '1']);
      expect((await s.latestByKey('posts', 'x:1'))?.data).toMatchObject({ metrics: { likes: 3 } });
      expect(await s.history('posts', 'x:1')).toHaveLength(1);
      expect((await s.get('posts', evaluation[0]?.id ?? ''))?.type).toBe('evaluation');
      expect(await s.validate('posts')).toEqual([]);
    };
    await check(store);
    expect(await store.compact('posts')).toMatchObject({ dropped: 0, archivedTo: null });
    await store.close();
    await check(await openStore());
  });

  it('finishes a compaction interrupted after its journal was written', async () => {
    const store = await openStore();
    await store.append('posts', [postRecord('1', 1), postRecord('1', 2)]);
    await store.close();
    const file = store.fileOf('posts');
    const lines = readFileSync(file, 'utf8').split('\n');
    // What compact() leaves if killed between writing its journal and moving the files.
    writeFileSync(`${file}.compact.tmp`, `${lines[1]}\n`);
    const retired = join(dir, 'archives', 'posts', 'compacted-20240101T000000000Z');
    writeFileSync(`${file}.compact.json`, JSON.stringify({ temp: `${file}.compact.tmp`, target: file, moves: [[file, join(retired, 'normalized.jsonl')]] }));
    const reopened = await openStore();
    expect(await reopened.count('posts')).toBe(1);
    expect((await reopened.latestByKey('posts', 'x:1'))?.data).toMatchObject({ metrics: { likes: 2 } });
    expect(readFileSync(join(retired, 'normalized.jsonl'), 'utf8').split('\n')).toHaveLength(3);
    expect(existsSync(`${file}.compact.json`)).toBe(false);
    expect(existsSync(`${file}.compact.tmp`)).toBe(false);
  });

  it('quarantines unreadable lines during compaction instead of copying them', async () => {
    const store = await openStore();
    await store.append('posts', [postRecord('1', 1)]);
    appendFileSync(store.fileOf('posts'), 'not json at all\n');
    await store.append('posts', [postRecord('1', 2)]);
    const result = await store.compact('posts');
    expect(result).toMatchObject({ kept: 1, dropped: 1, quarantined: 1 });
    const quarantined = readFileSync(join(dir, 'social', 'normalized.quarantine.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(quarantined[0] ?? '')).toMatchObject({ file: 'social/normalized.jsonl', line: 2 });
    expect(Buffer.from(JSON.parse(quarantined[0] ?? '').fragment_base64, 'base64').toString()).toBe('not json at all');
    expect(await store.validate('posts')).toEqual([]);
  });
});

describe('backup', () => {
  it('copies every live file into a timestamped folder that opens as a store, keeping `retention` backups', async () => {
    const store = await openStore({ backupRetention: 2 });
    await store.append('posts', [postRecord('1')]);
    await store.rotate('posts');
    await store.append('posts', [postRecord('2')]);
    await store.append('traces', []);
    await store.append('evaluations', [{ type: 'evaluation', source: 'e', data: { kind: 'k', subject: 's', metrics: { m: 1 } } }]);

    const first = await store.backup();
    expect(first.files).toBe(3);
    expect(existsSync(join(first.dir, 'social', 'normalized.jsonl'))).toBe(true);
    expect(existsSync(join(first.dir, 'archives', 'posts', 'normalized.000001.jsonl'))).toBe(true);
    expect(JSON.parse(readFileSync(join(first.dir, 'manifest.json'), 'utf8')).files).toHaveLength(3);
    const copy = await openStore({}, first.dir);
    expect(await copy.count('posts')).toBe(2);
    expect(await copy.count('evaluations')).toBe(1);

    const second = await store.backup();
    const third = await store.backup();
    expect(third.removed).toEqual([first.dir]);
    expect(readdirSync(join(dir, 'backups')).sort()).toEqual([second.dir, third.dir].map((d) => d.split('/').pop()).sort());
    const fourth = await store.backup({ retention: 1 });
    expect(fourth.removed.sort()).toEqual([second.dir, third.dir].sort());
    await expect(store.backup({ retention: 0 })).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});
