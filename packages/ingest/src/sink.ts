import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { METRIC_NAMES, POST_FIELDS, PostDataSchema, ReerError, formatZodIssues, isReerError, keysInOrder, postKey, type ErrorCode, type PostData, type PostMetrics } from '@reer/core';
import { TraceStore, contentHash, encodeRecords, type EncodedBatch, type NewRecord, type StoreOptions, type UpsertOutcome } from '@reer/trace-store';
import { reserveForImport } from './reserve.ts';

/**
 * The post with its keys in schema order: the store hashes data as the schema parses it, so a post
 * built in that order can be checked against the stored hash (`contentHash`) without the store (the in-thread sink's duplicate pre-check).
 */
export function canonicalPost(d: PostData): PostData {
  if (keysInOrder(d, POST_FIELDS) && keysInOrder(d.metrics, METRIC_NAMES)) return d;
  const out: PostData = { platform: d.platform, post_id: d.post_id, author: d.author, text: d.text, created_at: d.created_at } as PostData;
  if (d.url !== undefined) out.url = d.url;
  if (d.lang !== undefined) out.lang = d.lang;
  out.is_reply = d.is_reply;
  out.is_repost = d.is_repost;
  if (d.has_media !== undefined) out.has_media = d.has_media;
  const m = d.metrics;
  const metrics: PostMetrics = {};
  for (const name of METRIC_NAMES) {
    const v = m[name];
    if (v !== undefined) metrics[name] = v;
  }
  out.metrics = metrics;
  return out;
}

/** What the store did with one batch (the store's own upsert outcomes). */
export interface SinkCounts {
  new: number;
  updated: number;
  unchanged: number;
}

/** Records the store's schema refused, by index in the batch; the caller turns them into rejects. */
export interface SinkResult {
  counts: SinkCounts;
  /** `record` is the refused record itself, so callers need not keep their batch alive until the write resolves. */
  invalid: { index: number; reason: string; record: NewRecord }[];
}

/** Where normalized posts go: the store (upsert), in this thread or a worker, or nowhere (dry run). */
export interface PostSink {
  write(records: NewRecord[]): Promise<SinkResult>;
  /** Resolves when the sink can take another batch (back-pressure for the reader). */
  ready(): Promise<void>;
  close(): Promise<void>;
  /** Stop after a failure; whatever the store already confirmed stays. */
  abort(): Promise<void>;
  /**
   * Resolves once the store is open, rejects if it cannot be opened (lock timeout, corrupt store).
   * A worker opens its store while the reader starts; wait for this before writing anything else
   * (the rejects file), so a store that cannot be opened leaves nothing behind.
   */
  opened(): Promise<void>;
  /** A hint that about `rows` more posts are coming (the store sizes its index once). */
  reserve(rows: number): void;
}

export interface SinkOptions {
  dataDir: string;
  storeOptions?: StoreOptions | undefined;
  dryRun: boolean;
  /** Write through a worker thread so the store's validation and serialization overlap parsing. */
  worker: boolean;
}

/**
 * Upserts batches into the store. The store validates each batch as a whole; when one record
 * fails, the batch is split so the valid posts still land and only the failing ones are rejected.
 */
export class StoreSink {
  // Keys and content hashes seen during a dry run, so repeats inside the input count as duplicates.
  private readonly dryRunSeen = new Map<string, string>();

  private constructor(
    private readonly store: TraceStore,
    private readonly dryRun: boolean,
  ) {}

  static async open(options: { dataDir: string; storeOptions?: StoreOptions | undefined; dryRun: boolean }): Promise<StoreSink> {
    return new StoreSink(await TraceStore.open(options.dataDir, options.storeOptions), options.dryRun);
  }

  async write(records: NewRecord[]): Promise<SinkResult> {
    const [result] = await this.writeMany([records]);
    return result ?? { counts: { new: 0, updated: 0, unchanged: 0 }, invalid: [] };
  }

  /**
   * Several batches as one upsert (one lock, one fsync), results split back per batch. The worker
   * uses this to coalesce whatever queued up while the previous write was syncing.
   */
  async writeMany(batches: NewRecord[][]): Promise<SinkResult[]> {
    if (this.dryRun) {
      const results: SinkResult[] = [];
      for (const batch of batches) results.push(await this.classify(batch));
      return results;
    }
    const flat = batches.length === 1 ? batches[0]! : batches.flat();
    const results: SinkResult[] = batches.map(() => ({ counts: { new: 0, updated: 0, unchanged: 0 }, invalid: [] }));
    // Position of each record: which batch, which index in it.
    const owner = (i: number): [number, number] => {
      let b = 0;
      while (i >= batches[b]!.length) i -= batches[b++]!.length;
      return [b, i];
    };
    // Posts identical to their newest stored version are counted and dropped here, from the
    // in-memory index, so a re-ingest does not pay for validating and serializing them again.
    // The upsert below still decides under the lock for everything else.
    const { all, kept } = await this.withoutKnownDuplicates(flat, results, owner);
    if (all.length === 0) return results;
    const ownerOfKept = (i: number) => owner(kept[i]!);
    try {
      const { outcomes } = await this.store.upsert('posts', all);
      this.tally(outcomes, results, ownerOfKept);
      return results;
    } catch (error: unknown) {
      if (!isReerError(error, 'E_SCHEMA')) throw error;
    }
    const toWrite: NewRecord[] = [];
    const positions: number[] = [];
    all.forEach((record, j) => {
      const i = kept[j]!;
      const parsed = PostDataSchema.safeParse(record.data);
      if (parsed.success) {
        toWrite.push(record);
        positions.push(i);
      } else {
        const [b, index] = owner(i);
        results[b]!.invalid.push({ index, reason: `invalid post: ${formatZodIssues(parsed.error, 'data').join('; ')}`, record });
      }
    });
    if (toWrite.length > 0) {
      const { outcomes } = await this.store.upsert('posts', toWrite);
      this.tally(outcomes, results, (i) => owner(positions[i]!));
    }
    return results;
  }

  private async withoutKnownDuplicates(
    records: NewRecord[],
    results: SinkResult[],
    owner: (i: number) => [number, number],
  ): Promise<{ all: NewRecord[]; kept: number[] }> {
    const keys = records.map((r) => {
      const d = r.data as { platform?: unknown; post_id?: unknown };
      return typeof d.platform === 'string' && typeof d.post_id === 'string' ? `${d.platform}:${d.post_id}` : '';
    });
    const latest = await this.store.latestByKeys('posts', keys);
    const all: NewRecord[] = [];
    const kept: number[] = [];
    const seen = new Set<string>();
    records.forEach((record, i) => {
      const stored = latest[i];
      const key = keys[i]!;
      // A key repeated in this batch goes to the upsert, which orders the versions.
      if (stored && !seen.has(key) && stored.contentHash === contentHash(canonicalPost(record.data as PostData))) {
        results[owner(i)[0]]!.counts.unchanged++;
      } else {
        all.push(record);
        kept.push(i);
      }
      seen.add(key);
    });
    return { all, kept };
  }

  private tally(outcomes: readonly UpsertOutcome[], results: SinkResult[], owner: (i: number) => [number, number]): void {
    outcomes.forEach((outcome, i) => {
      results[owner(i)[0]]!.counts[outcome]++;
    });
  }

  /** What an upsert would do, without writing: compare with the newest stored version of each key. */
  private async classify(records: NewRecord[]): Promise<SinkResult> {
    const counts: SinkCounts = { new: 0, updated: 0, unchanged: 0 };
    const invalid: SinkResult['invalid'] = [];
    const parsed = records.map((r) => PostDataSchema.safeParse(r.data));
    const keys = parsed.map((p) => (p.success ? postKey(p.data) : ''));
    const latest = await this.store.latestByKeys('posts', keys);
    parsed.forEach((p, index) => {
      if (!p.success) {
        invalid.push({ index, reason: `invalid post: ${formatZodIssues(p.error, 'data').join('; ')}`, record: records[index]! });
        return;
      }
      const key = keys[index]!;
      const hash = contentHash(p.data);
      const previous = this.dryRunSeen.get(key) ?? latest[index]?.contentHash;
      if (previous === undefined) counts.new++;
      else if (previous === hash) counts.unchanged++;
      else counts.updated++;
      this.dryRunSeen.set(key, hash);
    });
    return { counts, invalid };
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  reserve(rows: number): Promise<void> {
    return reserveForImport(this.store, rows);
  }
}

class InThreadSink implements PostSink {
  private inFlight = 0;
  private readonly drained: (() => void)[] = [];

  constructor(private readonly sink: StoreSink) {}

  async write(records: NewRecord[]): Promise<SinkResult> {
    this.inFlight++;
    try {
      return await this.sink.write(records);
    } finally {
      this.inFlight--;
      for (const wake of this.drained.splice(0)) wake();
    }
  }

  ready(): Promise<void> {
    if (this.inFlight < 2) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  abort(): Promise<void> {
    return this.sink.close();
  }

  opened(): Promise<void> {
    return Promise.resolve();
  }

  reserve(rows: number): void {
    // A hint: a failure here surfaces on the next write anyway.
    this.sink.reserve(rows).catch(() => undefined);
  }
}

/**
 * Messages between the reader thread and the store worker. A batch crosses as `encodeRecords`
 * output (UTF-8 bytes and typed arrays, transferred, plus one string of keys): the reader thread validates
 * and serializes, the worker hashes, dedupes, writes and fsyncs. Cloning record objects instead
 * (or JSON text the worker must parse again) cost more than the overlap saved.
 */
export type SinkRequest =
  | { kind: 'write'; seq: number; batch: EncodedBatch }
  | { kind: 'reserve'; rows: number }
  | { kind: 'close'; seq: number };
export type SinkReply =
  | { seq: number; ok: true; counts?: SinkCounts; buffer?: ArrayBuffer }
  | { seq: number; ok: false; error: { code?: ErrorCode; message: string; hint?: string } };

const MAX_IN_FLIGHT = 4;
/** Buffers kept for reuse (each ~0.5 MB). */
const SPARE_BUFFERS = 4;

/** Runs the store in a worker thread; batches are pipelined, at most a few in flight. */
class WorkerSink implements PostSink {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (r: SinkReply) => void }>();
  private readonly drained: (() => void)[] = [];
  private failure: Error | undefined;
  /** Batch buffers the worker handed back, reused for the next batches. */
  private readonly spare: ArrayBuffer[] = [];

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: SinkReply) => {
      if (reply.ok && reply.buffer !== undefined && this.spare.length < SPARE_BUFFERS) this.spare.push(reply.buffer);
      const entry = this.waiting.get(reply.seq);
      this.waiting.delete(reply.seq);
      entry?.resolve(reply);
      if (this.waiting.size < MAX_IN_FLIGHT) for (const wake of this.drained.splice(0)) wake();
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (this.waiting.size > 0) this.fail(new ReerError('E_INTERNAL', `the ingest worker exited (code ${code}) with batches pending`));
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const [seq, entry] of this.waiting) entry.resolve({ seq, ok: false, error: { message: error.message } });
    this.waiting.clear();
    for (const wake of this.drained.splice(0)) wake();
  }

  private request(message: Exclude<SinkRequest, { kind: 'reserve' }>): Promise<SinkReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve) => {
      this.waiting.set(message.seq, { resolve });
      if (message.kind === 'write') this.worker.postMessage(message, [message.batch.bytes.buffer as ArrayBuffer, message.batch.bounds.buffer as ArrayBuffer, message.batch.types.buffer as ArrayBuffer, message.batch.keyBounds.buffer as ArrayBuffer]);
      else this.worker.postMessage(message);
    });
  }

  private static unwrap(reply: SinkReply): SinkCounts {
    if (reply.ok) return reply.counts ?? { new: 0, updated: 0, unchanged: 0 };
    throw new ReerError(reply.error.code ?? 'E_INTERNAL', reply.error.message, { hint: reply.error.hint });
  }

  /**
   * Not `async`: an async function keeps its arguments alive until it returns, which here is when
   * the worker replies. Holding six batches of post objects across that wait got them promoted to
   * the old generation, where only a full collection frees them.
   */
  write(records: NewRecord[]): Promise<SinkResult> {
    const invalid: SinkResult['invalid'] = [];
    let batch: EncodedBatch;
    try {
      batch = encodeRecords('posts', records, this.spare.pop());
    } catch (error: unknown) {
      if (!isReerError(error, 'E_SCHEMA')) return Promise.reject(error);
      // As in `StoreSink`: keep the valid posts, reject the others one by one with zod's message.
      const valid: NewRecord[] = [];
      records.forEach((record, index) => {
        const parsed = PostDataSchema.safeParse(record.data);
        if (parsed.success) valid.push(record);
        else invalid.push({ index, reason: `invalid post: ${formatZodIssues(parsed.error, 'data').join('; ')}`, record });
      });
      try {
        batch = encodeRecords('posts', valid);
      } catch (second: unknown) {
        return Promise.reject(second);
      }
    }
    return this.send(batch, invalid);
  }

  private async send(batch: EncodedBatch, invalid: SinkResult['invalid']): Promise<SinkResult> {
    const counts = WorkerSink.unwrap(await this.request({ kind: 'write', seq: ++this.seq, batch }));
    return { counts, invalid };
  }

  ready(): Promise<void> {
    if (this.waiting.size < MAX_IN_FLIGHT || this.failure) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  async close(): Promise<void> {
    WorkerSink.unwrap(await this.request({ kind: 'close', seq: ++this.seq }));
    await this.worker.terminate();
  }

  async abort(): Promise<void> {
    await this.worker.terminate();
  }

  reserve(rows: number): void {
    if (!this.failure) this.worker.postMessage({ kind: 'reserve', rows } satisfies SinkRequest);
  }

  private open: Promise<void> | undefined;

  opened(): Promise<void> {
    this.open ??= this.request({ kind: 'write', seq: ++this.seq, batch: encodeRecords('posts', []) }).then((reply) => {
      WorkerSink.unwrap(reply);
    });
    return this.open;
  }
}

/**
 * Workers do not inherit the parent's TypeScript loader on Node 20 (loader flags in a worker's
 * execArgv are ignored), so the worker starts from a tiny script that registers tsx itself and
 * then loads the worker module. It uses tsx's in-thread require hook: the ESM loader runs its hooks
 * in one more thread (another V8 isolate, ~15 MB and some CPU per import), and nothing the worker
 * loads needs ESM (checked with `--no-experimental-require-module`).
 */
function workerBootstrap(): string {
  const api = JSON.stringify(createRequire(import.meta.url).resolve('tsx/cjs/api'));
  const entry = JSON.stringify(fileURLToPath(new URL('./sink-worker.ts', import.meta.url)));
  return `require(${api}).register(); require(${entry});`;
}

export async function createPostSink(options: SinkOptions): Promise<PostSink> {
  if (!options.worker || options.dryRun) return new InThreadSink(await StoreSink.open(options));
  const { logger: _logger, ...storeOptions } = options.storeOptions ?? {};
  const worker = new Worker(workerBootstrap(), {
    eval: true,
    workerData: { dataDir: options.dataDir, storeOptions },
    // The worker's heap holds only in-flight batches (the index is off-heap typed arrays); a small
    // old generation makes V8 collect early instead of growing toward its default limit.
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
  });
  const sink = new WorkerSink(worker);
  // The worker starts (~0.3 s: tsx, the modules, the store's index) while the caller reads; the
  // first request asks for the open, and a failure surfaces through `opened` and every write.
  sink.opened().catch(() => undefined);
  return sink;
}
