import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewRecord } from '@reer/trace-store';
import { StoreSink, createPostSink } from './sink.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reer-sink-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const post = (id: string, likes: number, created_at = '2024-01-05T14:03:00.000Z'): NewRecord => ({
  type: 'post',
  source: 'test',
  data: { platform: 'x', post_id: id, author: 'a', text: 't', created_at, is_reply: false, is_repost: false, metrics: { likes } },
  metadata: { file: 'f.csv', line: 2 },
});

describe('StoreSink', () => {
  it('keeps the valid posts of a batch the store refused, and reports the invalid ones by index', async () => {
    const sink = await StoreSink.open({ dataDir: dir, dryRun: false });
    try {
      const result = await sink.write([post('1', 1), post('2', 1, 'not a date'), post('3', 1)]);
      expect(result.counts).toEqual({ new: 2, updated: 0, unchanged: 0 });
      expect(result.invalid).toHaveLength(1);
      expect(result.invalid[0]).toMatchObject({ index: 1, reason: expect.stringContaining('created_at') });
    } finally {
      await sink.close();
    }
  });

  it('splits coalesced batches back: duplicates, new versions and new posts per batch', async () => {
    const sink = await StoreSink.open({ dataDir: dir, dryRun: false });
    try {
      await sink.write([post('1', 1), post('2', 1)]);
      const [a, b] = await sink.writeMany([[post('1', 1), post('2', 5)], [post('3', 1), post('1', 1)]]);
      expect(a?.counts).toEqual({ new: 0, updated: 1, unchanged: 1 });
      expect(b?.counts).toEqual({ new: 1, updated: 0, unchanged: 1 });
    } finally {
      await sink.close();
    }
  });

  it('a dry run classifies the same way and writes nothing', async () => {
    const real = await StoreSink.open({ dataDir: dir, dryRun: false });
    await real.write([post('1', 1)]);
    await real.close();
    const dry = await StoreSink.open({ dataDir: dir, dryRun: true });
    try {
      const result = await dry.write([post('1', 1), post('1', 2), post('2', 1), post('2', 1)]);
      expect(result.counts).toEqual({ new: 1, updated: 1, unchanged: 2 });
    } finally {
      await dry.close();
    }
  });
});

describe('the worker sink (store in a worker thread)', () => {
  it('counts like StoreSink and rejects the same invalid posts with the same reasons', async () => {
    const batch = () => [post('1', 1), post('2', 1, 'not a date'), post('3', 1)];
    const inThread = await StoreSink.open({ dataDir: join(dir, 'a'), dryRun: false });
    const worker = await createPostSink({ dataDir: join(dir, 'b'), dryRun: false, worker: true });
    try {
      const expected = await inThread.write(batch());
      const got = await worker.write(batch());
      expect(got.counts).toEqual(expected.counts);
      expect(got.invalid.map(({ index, reason }) => ({ index, reason }))).toEqual(expected.invalid.map(({ index, reason }) => ({ index, reason })));
      // Batches in flight together (the worker coalesces them into one upsert) still count per batch.
      const [x, y] = await Promise.all([worker.write([post('1', 1), post('3', 2)]), worker.write([post('4', 1), post('1', 1)])]);
      expect(x?.counts).toEqual({ new: 0, updated: 1, unchanged: 1 });
      expect(y?.counts).toEqual({ new: 1, updated: 0, unchanged: 1 });
    } finally {
      await inThread.close();
      await worker.close();
    }
  });

  it('writes every batch still queued when it is closed, and they are durable after', async () => {
    const sink = await createPostSink({ dataDir: join(dir, 'c'), dryRun: false, worker: true });
    // Fewer batches than the worker groups, and no await between them and close.
    const writes = [sink.write([post('1', 1)]), sink.write([post('2', 1)])];
    await sink.close();
    expect((await Promise.all(writes)).map((r) => r.counts.new)).toEqual([1, 1]);
    const store = await StoreSink.open({ dataDir: join(dir, 'c'), dryRun: false });
    try {
      expect((await store.write([post('1', 1), post('2', 1)])).counts).toEqual({ new: 0, updated: 0, unchanged: 2 });
    } finally {
      await store.close();
    }
  });
});
