import { readSync } from 'node:fs';
import { appendFile, copyFile, mkdir, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import {
  DATA_LAYOUT,
  RECORD_TYPES,
  ReerError,
  errorMessage,
  silentLogger,
  type CollectionName,
  type Logger,
} from '@reer/core';
import { CollectionIndex } from './_collection-index.ts';
import { compileFilter, matches } from './_record-filter.ts';
import type { EncodedBatch } from './encoded-batch.ts';
import { fileStamp, fsyncDir, statOrNull } from './_fs.ts';
import { readLines } from './_line-reader.ts';
import { acquireLock, type HeldLock } from './_lock.ts';
import { SidecarCorrupt, loadSidecar, removeSidecar, writeSidecar } from './_sidecar.ts';
import {
  decodeLine,
  formatHash,
  hashBytes,
  writeIdHead,
  hashString,
  keyOf,
  prepareRecord,
  serializeRecord,
  toStored,
  typeIndex,
  type PreparedRecord,
} from './record-codec.ts';
import type {
  BackupResult,
  CollectionStats,
  CompactResult,
  LatestVersion,
  NewRecord,
  ReadOptions,
  RecordFilter,
  RecoveryReport,
  RotateResult,
  StoreOptions,
  StoreProblem,
  StoredRecord,
  EncodedUpsertResult,
  UpsertOutcome,
  UpsertResult,
} from './types.ts';

const OUTCOME_NAMES: readonly UpsertOutcome[] = ['new', 'updated', 'unchanged'];

/** Every collection the store manages, in a fixed order. */
export const COLLECTIONS: readonly CollectionName[] = ['posts', 'traces', 'strategies', 'candidates', 'evaluations'];

const DEFAULT_ROTATE_BYTES = 256 * 1024 * 1024;
/** The most `reserve` sizes for at once (~16 bytes of tables per record). */
const MAX_RESERVE = 16_000_000;
const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
const DEFAULT_LOCK_STALE_MS = 10_000;
const DEFAULT_BACKUP_RETENTION = 7;
/** Writes go out in pieces of at most this many bytes, so a huge batch never needs one huge buffer. */
const WRITE_CHUNK_BYTES = 4 * 1024 * 1024;
/** Re-save the active file's sidecar on open when this many records had to be read from the log. */
const RESAVE_SIDECAR_AFTER = 10_000;

interface Segment {
  /** Absolute path. */
  file: string;
  /** Inode the index was built from; 0 when the file does not exist yet. */
  ino: number;
  /** Bytes indexed: always just past a newline. */
  end: number;
  /** First ordinal of this segment in the collection index. */
  first: number;
  archived: boolean;
}

interface CollectionState {
  name: CollectionName;
  /** The active file (absolute). */
  file: string;
  archiveDir: string;
  /** `mtime:ino` of the archive folder when segments were listed; a change means another process rotated or compacted. */
  archiveSignature: string;
  index: CollectionIndex;
  /** Archives oldest first, then the active file. */
  segments: Segment[];
  /** Records of the active file not yet in its sidecar. */
  unsaved: number;
  handles: Map<number, FileHandle>;
  /** Serializes index changes inside this process. */
  queue: Promise<unknown>;
  /** Reused by every append of this collection (appends of one collection never overlap: see `queue`). */
  writeBuffer: Buffer | undefined;
}

const CompactJournalSchema = z.object({
  temp: z.string(),
  target: z.string(),
  moves: z.array(z.tuple([z.string(), z.string()])),
});

function active(state: CollectionState): Segment {
  const segment = state.segments[state.segments.length - 1];
  if (!segment) throw new ReerError('E_INTERNAL', `${state.name}: collection has no active segment`);
  return segment;
}

/**
 * The append-only JSONL store. Each collection is a log file under the data dir (see
 * `DATA_LAYOUT`) plus rotated archives; writers in several processes serialize through a lock
 * file, and readers keep an in-memory index (loaded from a sidecar, caught up from the log).
 */
export class TraceStore {
  readonly dataDir: string;
  /** Torn tails quarantined since the store was opened (on open, or found before an append). */
  readonly recovered: RecoveryReport[] = [];
  private readonly logger: Logger;
  private readonly rotateBytes: number;
  private readonly lockTimeoutMs: number;
  private readonly lockStaleMs: number;
  private readonly backupRetention: number;
  private readonly states = new Map<CollectionName, CollectionState>();
  private closed = false;

  private constructor(dataDir: string, options: StoreOptions) {
    this.dataDir = resolve(dataDir);
    this.logger = options.logger ?? silentLogger;
    this.rotateBytes = options.rotateBytes ?? DEFAULT_ROTATE_BYTES;
    this.lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    this.lockStaleMs = Math.max(2000, options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS);
    this.backupRetention = options.backupRetention ?? DEFAULT_BACKUP_RETENTION;
  }

  /**
   * Open the store at `dataDir` (created on first write): finish an interrupted compaction,
   * quarantine torn tails left by killed writers (see `recovered`), and load every collection's index.
   */
  static async open(dataDir: string, options: StoreOptions = {}): Promise<TraceStore> {
    const store = new TraceStore(dataDir, options);
    for (const name of COLLECTIONS) {
      const state = store.stateOf(name);
      await store.recoverOnOpen(state);
      await store.exclusive(state, () => store.loadAll(state));
    }
    return store;
  }

  /** Absolute path of a collection's active file. */
  fileOf(collection: CollectionName): string {
    return join(this.dataDir, DATA_LAYOUT[collection]);
  }

  private rel(file: string): string {
    return relative(this.dataDir, file);
  }

  private stateOf(collection: CollectionName): CollectionState {
    if (this.closed) throw new ReerError('E_USAGE', 'the store is closed', { hint: 'Open it again with TraceStore.open.' });
    let state = this.states.get(collection);
    if (!state) {
      if (!COLLECTIONS.includes(collection)) {
        throw new ReerError('E_USAGE', `unknown collection ${JSON.stringify(collection)}`, {
          hint: `Use one of ${COLLECTIONS.join(', ')}.`,
        });
      }
      const file = this.fileOf(collection);
      state = {
        name: collection,
        file,
        archiveDir: join(this.dataDir, DATA_LAYOUT.archives, collection),
        archiveSignature: '',
        index: new CollectionIndex(),
        segments: [{ file, ino: 0, end: 0, first: 0, archived: false }],
        unsaved: 0,
        handles: new Map(),
        queue: Promise.resolve(),
        writeBuffer: undefined,
      };
      this.states.set(collection, state);
    }
    return state;
  }

  /** Run `task` after every earlier index change of this collection in this process. */
  private exclusive<T>(state: CollectionState, task: () => Promise<T>): Promise<T> {
    const run = state.queue.then(task, task);
    state.queue = run.catch(() => undefined);
    return run;
  }

  private async withLock<T>(state: CollectionState, task: (lock: HeldLock) => Promise<T>): Promise<T> {
    const lock = await acquireLock(state.file, {
      timeoutMs: this.lockTimeoutMs,
      staleMs: this.lockStaleMs,
      logger: this.logger,
    });
    try {
      return await task(lock);
    } finally {
      await lock.release();
    }
  }

  // ---- loading and catching up ------------------------------------------------------------

  private async archiveSignature(state: CollectionState): Promise<string> {
    const st = await statOrNull(state.archiveDir);
    return st ? `${st.mtimeMs}:${st.ino}` : 'none';
  }

  private archivePattern(state: CollectionState): RegExp {
    const stem = basename(state.file, '.jsonl').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`^${stem}\\.(\\d+)\\.jsonl$`);
  }

  private async listArchives(state: CollectionState): Promise<{ file: string; seq: number }[]> {
    let names: string[];
    try {
      names = await readdir(state.archiveDir);
    } catch (cause) {
      if ((cause as { code?: unknown }).code === 'ENOENT') return [];
      throw cause;
    }
    const pattern = this.archivePattern(state);
    const out: { file: string; seq: number }[] = [];
    for (const name of names) {
      const match = pattern.exec(name);
      if (match?.[1]) out.push({ file: join(state.archiveDir, name), seq: Number(match[1]) });
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  private async closeHandles(state: CollectionState): Promise<void> {
    const handles = [...state.handles.values()];
    state.handles.clear();
    await Promise.all(handles.map((h) => h.close()));
  }

  /** (Re)build the whole index of a collection: sidecars where valid, the log elsewhere. */
  private async loadAll(state: CollectionState): Promise<void> {
    await this.closeHandles(state);
    state.archiveSignature = await this.archiveSignature(state);
    state.index = new CollectionIndex();
    state.segments = [];
    state.unsaved = 0;
    const files = [...(await this.listArchives(state)).map((a) => a.file), state.file];
    for (const [i, file] of files.entries()) {
      const isActive = i === files.length - 1;
      const segment: Segment = { file, ino: 0, end: 0, first: state.index.count, archived: !isActive };
      state.segments.push(segment);
      const st = await statOrNull(file);
      if (!st) continue;
      segment.ino = st.ino;
      let fromSidecar: number;
      try {
        fromSidecar = await loadSidecar(file, st.ino, st.size, i, state.index);
      } catch (cause) {
        if (!(cause instanceof SidecarCorrupt)) throw cause;
        // Rows were already loaded from it: drop the sidecar and start over from the logs.
        this.logger.warn({ file: this.rel(file), err: cause.message }, 'store index sidecar is damaged; rebuilding it from the log');
        await removeSidecar(file);
        return this.loadAll(state);
      }
      segment.end = Math.max(0, fromSidecar);
      const before = state.index.count;
      if (st.size > segment.end) await this.indexTail(state, segment, i, st.size);
      const fromLog = state.index.count - before;
      if (fromSidecar < 0 || (fromLog >= RESAVE_SIDECAR_AFTER && isActive) || (fromLog > 0 && !isActive)) {
        await this.saveSidecar(state, i);
      } else if (isActive) {
        state.unsaved = fromLog;
      }
    }
  }

  /** Index the complete lines of `segment` between its `end` and `size`; stops at the last newline. */
  private async indexTail(state: CollectionState, segment: Segment, segmentIndex: number, size: number): Promise<void> {
    const handle = await open(segment.file, 'r');
    const tail = { offset: segment.end, bytes: 0 };
    let added = 0;
    try {
      for await (const batch of readLines(handle, segment.end, size, tail)) {
        for (let j = 0; j < batch.starts.length; j++) {
          const start = batch.starts[j] ?? 0;
          const end = batch.ends[j] ?? 0;
          const decoded = decodeLine(batch.buf.toString('utf8', start, end), false);
          // Bad lines stay unindexed; every reader meets them again and reports them.
          if (!decoded.ok) continue;
          const { record } = decoded;
          const ordinal = state.index.add(
            segmentIndex,
            batch.offsets[j] ?? 0,
            end - start,
            typeIndex(record.type),
            hashString(JSON.stringify(record.data) ?? 'null'),
            keyOf(record.type, record.data),
            record.id.toLowerCase(),
          );
          if (ordinal >= 0) added++;
        }
      }
    } finally {
      await handle.close();
    }
    segment.end = tail.offset;
    if (!segment.archived) state.unsaved += added;
  }

  private async saveSidecar(state: CollectionState, segmentIndex: number): Promise<void> {
    const segment = state.segments[segmentIndex];
    if (!segment || segment.ino === 0) return;
    const next = state.segments[segmentIndex + 1];
    const to = next ? next.first : state.index.count;
    try {
      await writeSidecar(segment.file, segment.ino, segment.end, state.index, segment.first, to);
      if (!segment.archived) state.unsaved = 0;
    } catch (cause) {
      // The sidecar only speeds up the next open; the log stays the source of truth.
      this.logger.warn({ file: this.rel(segment.file), err: errorMessage(cause) }, 'could not save the store index sidecar');
    }
  }

  /**
   * Bring the index up to date with what other processes wrote, rotated or compacted. Growth is
   * read from the tail without the lock; a rotation or compaction (a new inode or a changed archive
   * folder) reloads under the lock when `locked` is false, so a compaction's renames are never seen
   * half done.
   */
  private async refresh(state: CollectionState, locked: boolean): Promise<void> {
    const current = active(state);
    const [st, signature] = await Promise.all([statOrNull(current.file), this.archiveSignature(state)]);
    const moved =
      signature !== state.archiveSignature ||
      (!st && (current.end > 0 || current.ino !== 0)) ||
      (st !== null && current.ino !== 0 && st.ino !== current.ino) ||
      (st !== null && st.size < current.end);
    if (moved) {
      if (locked) await this.loadAll(state);
      else await this.withLock(state, () => this.loadAll(state));
      return;
    }
    if (!st) return;
    current.ino = st.ino;
    if (st.size > current.end) await this.indexTail(state, current, state.segments.length - 1, st.size);
  }

  private ready(collection: CollectionName): Promise<CollectionState> {
    const state = this.stateOf(collection);
    return this.exclusive(state, async () => {
      await this.refresh(state, false);
      return state;
    });
  }

  // ---- crash recovery ----------------------------------------------------------------------

  private quarantineFile(state: CollectionState): string {
    return join(dirname(state.file), `${basename(state.file, '.jsonl')}.quarantine.jsonl`);
  }

  private journalFile(state: CollectionState): string {
    return `${state.file}.compact.json`;
  }

  private async recoverOnOpen(state: CollectionState): Promise<void> {
    const journal = await statOrNull(this.journalFile(state));
    const temp = await statOrNull(`${state.file}.compact.tmp`);
    if (journal || temp) await this.withLock(state, () => this.finishCompaction(state));
    const st = await statOrNull(state.file);
    if (!st || st.size === 0) return;
    if ((await this.lastByte(state.file, st.size)) === 0x0a) return;
    // Unterminated: a writer died mid-line, or one is writing right now. Only the lock tells which.
    await this.withLock(state, async () => {
      const now = await statOrNull(state.file);
      if (now && now.size > 0) await this.quarantineTail(state, now.size);
    });
  }

  private async lastByte(file: string, size: number): Promise<number> {
    const handle = await open(file, 'r');
    try {
      const buf = Buffer.alloc(1);
      await handle.read(buf, 0, 1, size - 1);
      return buf[0] ?? -1;
    } finally {
      await handle.close();
    }
  }

  /**
   * Under the lock: if the active file does not end with a newline, copy the bytes after its last
   * newline to the quarantine file (with their offset), fsync it, then cut the file back.
   */
  private async quarantineTail(state: CollectionState, size: number): Promise<void> {
    const handle = await open(state.file, 'r+');
    try {
      let cut = -1;
      const step = 64 * 1024;
      const buf = Buffer.alloc(step);
      for (let pos = size; pos > 0 && cut < 0; pos -= step) {
        const from = Math.max(0, pos - step);
        const { bytesRead } = await handle.read(buf, 0, pos - from, from);
        const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
        if (nl >= 0) cut = from + nl + 1;
      }
      const offset = Math.max(cut, 0);
      if (offset >= size) return;
      const fragment = Buffer.alloc(size - offset);
      await handle.read(fragment, 0, fragment.length, offset);
      const decoded = decodeLine(fragment.toString('utf8'), true);
      if (decoded.ok && decoded.dataValid) {
        // The whole record made it to disk, only its newline did not: finish the line, keep the record.
        await handle.write('\n', size);
        await handle.sync();
        this.logger.warn({ collection: state.name, file: this.rel(state.file), offset }, 'completed a store line that lacked its newline');
        return;
      }
      const quarantineFile = this.quarantineFile(state);
      const entry = {
        file: this.rel(state.file),
        offset,
        bytes: fragment.length,
        quarantined_at: new Date().toISOString(),
        reason: 'torn last line (a writer stopped mid-line)',
        fragment_base64: fragment.toString('base64'),
      };
      await appendFile(quarantineFile, `${JSON.stringify(entry)}\n`);
      const q = await open(quarantineFile, 'r');
      await q.sync().finally(() => q.close());
      await handle.truncate(offset);
      await handle.sync();
      const report: RecoveryReport = { collection: state.name, file: entry.file, offset, bytes: fragment.length, quarantineFile };
      this.recovered.push(report);
      this.logger.warn(report, 'quarantined a torn line at the end of the store');
    } finally {
      await handle.close();
    }
  }

  // ---- writing ----------------------------------------------------------------------------

  /**
   * Validate and append records as one batch: all or none pass validation, then the batch is
   * written under the cross-process lock and fsynced before the promise resolves.
   * Throws `E_SCHEMA` (naming the record index and `data.field`) or `E_STORE_LOCKED`.
   */
  async append(collection: CollectionName, records: readonly NewRecord[]): Promise<StoredRecord[]> {
    const state = this.stateOf(collection);
    this.assertBatch(collection, records);
    if (records.length === 0) return [];
    return this.exclusive(state, () =>
      this.withLock(state, async (lock) => {
        await this.refresh(state, true);
        // Validating here rather than before the lock keeps each record's intermediates (its JSON)
        // short-lived: nothing awaits between serializing and buffering, so the GC never promotes them.
        const prepared = this.prepare(collection, records);
        await this.write(state, prepared, lock);
        return prepared.map(toStored);
      }),
    );
  }

  /**
   * Idempotent append: a record whose key already has a newest version with the same `data`
   * (by `contentHash`) is skipped; the check and the write happen under one lock, so concurrent
   * ingests of the same files never add duplicates. Records without a key are always appended.
   */
  async upsert(collection: CollectionName, records: readonly NewRecord[]): Promise<UpsertResult> {
    const state = this.stateOf(collection);
    this.assertBatch(collection, records);
    const counts: Record<UpsertOutcome, number> = { new: 0, updated: 0, unchanged: 0 };
    if (records.length === 0) return { appended: [], outcomes: [], counts };
    return this.exclusive(state, () =>
      this.withLock(state, async (lock) => {
        await this.refresh(state, true);
        const prepared = this.prepare(collection, records);
        const outcomes: UpsertOutcome[] = [];
        const toWrite: PreparedRecord[] = [];
        const inBatch = new Map<string, number>();
        for (const record of prepared) {
          let outcome: UpsertOutcome = 'new';
          if (record.key !== undefined) {
            let latestHash = inBatch.get(record.key);
            if (latestHash === undefined) latestHash = state.index.latestVersionOf(record.key)?.hash;
            if (latestHash !== undefined) outcome = latestHash === record.hash ? 'unchanged' : 'updated';
            inBatch.set(record.key, record.hash);
          }
          outcomes.push(outcome);
          counts[outcome]++;
          if (outcome !== 'unchanged') toWrite.push(record);
        }
        if (toWrite.length > 0) await this.write(state, toWrite, lock);
        return { appended: toWrite.map(toStored), outcomes, counts };
      }),
    );
  }

  /**
   * `upsert` for batches that `encodeRecords` already validated and serialized (typically in another
   * thread): several batches go in as one lock and one fsync. Outcomes are in input order across
   * the batches, as codes (0 new, 1 updated, 2 unchanged), to cross threads cheaply.
   */
  async upsertEncoded(collection: CollectionName, batches: readonly EncodedBatch[]): Promise<EncodedUpsertResult> {
    const state = this.stateOf(collection);
    const total = batches.reduce((sum, b) => sum + b.count, 0);
    const outcomes = new Uint8Array(total);
    const counts: Record<UpsertOutcome, number> = { new: 0, updated: 0, unchanged: 0 };
    if (total === 0) return { outcomes, counts };
    return this.exclusive(state, () =>
      this.withLock(state, async (lock) => {
        await this.refresh(state, true);
        const toWrite: PreparedRecord[] = [];
        const inBatch = new Map<string, number>();
        let at = 0;
        for (const batch of batches) {
          const { bytes, bounds, types, keys, keyBounds, ids } = batch;
          const source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          let start = 0;
          for (let i = 0; i < batch.count; i++, at++) {
            const end = bounds[i * 3] ?? 0;
            const hash = hashBytes(bytes, bounds[i * 3 + 1], bounds[i * 3 + 2]);
            const keyStart = keyBounds[i * 2] ?? -1;
            const key = keyStart < 0 ? undefined : keys.slice(keyStart, keyBounds[i * 2 + 1]);
            let code = 0;
            if (key !== undefined) {
              let latestHash = inBatch.get(key);
              if (latestHash === undefined) latestHash = state.index.latestVersionOf(key)?.hash;
              if (latestHash !== undefined) code = latestHash === hash ? 2 : 1;
              inBatch.set(key, hash);
            }
            outcomes[at] = code;
            counts[OUTCOME_NAMES[code] ?? 'new']++;
            if (code !== 2) {
              toWrite.push({
                id: ids?.[i] ?? undefined,
                idBytes: undefined,
                idAt: 0,
                timestamp: '',
                type: RECORD_TYPES[types[i] ?? 0] ?? 'post',
                source: '',
                data: undefined,
                metadata: {},
                key,
                dataJson: '',
                tail: source,
                tailStart: start,
                tailEnd: end,
                line: '',
                hash,
              });
            }
            start = end;
          }
        }
        if (toWrite.length > 0) await this.write(state, toWrite, lock);
        return { outcomes, counts };
      }),
    );
  }

  private assertBatch(collection: CollectionName, records: readonly NewRecord[]): void {
    if (!Array.isArray(records)) {
      throw new ReerError('E_SCHEMA', `${collection}: append expects an array of records`, { hint: 'Pass an array.' });
    }
  }

  private prepare(collection: CollectionName, records: readonly NewRecord[]): PreparedRecord[] {
    const now = new Date().toISOString();
    return records.map((record, i) => prepareRecord(collection, i, record, now));
  }

  /** Under the lock, with the index caught up: cut a torn tail, write, fsync, index, maybe rotate. */
  private async write(state: CollectionState, prepared: PreparedRecord[], lock: HeldLock): Promise<void> {
    let segment = active(state);
    const st = await statOrNull(state.file);
    if (st && st.size > segment.end) {
      await this.quarantineTail(state, st.size);
      await this.refresh(state, true);
      segment = active(state);
    }
    const created = !st;
    if (created) await mkdir(dirname(state.file), { recursive: true });
    const handle = await open(state.file, 'a');
    const start = segment.end;
    let written = 0;
    const lengths = new Uint32Array(prepared.length);
    const idBytes = new Uint8Array(prepared.length * 16);
    try {
      state.writeBuffer ??= Buffer.allocUnsafe(WRITE_CHUNK_BYTES);
      let buf = state.writeBuffer;
      let used = 0;
      for (const [i, record] of prepared.entries()) {
        // Each line is built, encoded straight into one reused buffer (no joined copy of the batch,
        // and the exact byte length of every line) and dropped at once.
        serializeRecord(record, idBytes, i * 16);
        const tail = record.tail;
        if (tail !== undefined) {
          // Already UTF-8 (an encoded batch): the id, then the bytes as they are.
          const tailLength = record.tailEnd - record.tailStart;
          if (used + tailLength + 48 > buf.length) {
            if (used > 0) {
              await this.writeAll(handle, buf, used);
              written += used;
              used = 0;
            }
            if (tailLength + 48 > buf.length) buf = Buffer.allocUnsafe(tailLength + 48);
          }
          const head = writeIdHead(idBytes, i * 16, buf, used);
          tail.copy(buf, used + head, record.tailStart, record.tailEnd);
          record.tail = undefined;
          const length = head + tailLength;
          lengths[i] = length;
          buf[used + length] = 0x0a;
          used += length + 1;
          continue;
        }
        const line = record.line;
        record.line = '';
        record.dataJson = '';
        const worst = line.length * 3 + 1;
        if (used + worst > buf.length) {
          if (used > 0) {
            await this.writeAll(handle, buf, used);
            written += used;
            used = 0;
          }
          if (worst > buf.length) buf = Buffer.allocUnsafe(worst);
        }
        const length = buf.write(line, used, 'utf8');
        lengths[i] = length;
        buf[used + length] = 0x0a;
        used += length + 1;
      }
      if (used > 0) {
        await this.writeAll(handle, buf, used);
        written += used;
      }
      await handle.sync();
      const compromised = lock.compromised();
      if (compromised) {
        throw new ReerError('E_STORE_LOCKED', `${this.rel(state.file)}: the store lock was taken over while writing`, {
          hint: 'Another process thought this one had died (it was frozen for longer than the lock stale time); run `social-collect validate`.',
          cause: compromised,
        });
      }
    } catch (cause) {
      // Leave no partial batch behind: cut the file back to where this batch began.
      await handle.truncate(start).catch(() => undefined);
      await handle.close().catch(() => undefined);
      if (cause instanceof ReerError) throw cause;
      throw new ReerError('E_STORE_CORRUPT', `${this.rel(state.file)}: append failed (${errorMessage(cause)})`, {
        hint: 'Check free disk space and permissions of the data dir; nothing from this batch was kept.',
        cause,
      });
    }
    const after = await handle.stat();
    await handle.close();
    if (created) await fsyncDir(dirname(state.file));
    segment.ino = after.ino;
    const segmentIndex = state.segments.length - 1;
    let offset = start;
    for (const [i, record] of prepared.entries()) {
      const length = lengths[i] ?? 0;
      state.index.addWithIdBytes(segmentIndex, offset, length, typeIndex(record.type), record.hash, record.key, idBytes, i * 16);
      offset += length + 1;
    }
    segment.end = start + written;
    state.unsaved += prepared.length;
    if (segment.end >= this.rotateBytes) {
      // The batch is durable and indexed whatever happens here; a failed rotation is retried next append.
      await this.rotateLocked(state).catch((cause: unknown) => {
        this.logger.warn({ collection: state.name, err: errorMessage(cause) }, 'could not rotate the store file');
      });
    }
  }

  // ---- reading ----------------------------------------------------------------------------

  private async writeAll(handle: FileHandle, buf: Buffer, length: number): Promise<void> {
    let done = 0;
    while (done < length) {
      const { bytesWritten } = await handle.write(buf, done, length - done);
      done += bytesWritten;
    }
  }

  private async handleOf(state: CollectionState, segmentIndex: number): Promise<FileHandle> {
    let handle = state.handles.get(segmentIndex);
    if (!handle) {
      const segment = state.segments[segmentIndex];
      if (!segment) throw new ReerError('E_INTERNAL', `${state.name}: no segment ${segmentIndex}`);
      handle = await open(segment.file, 'r');
      state.handles.set(segmentIndex, handle);
    }
    return handle;
  }

  private async readOrdinal(state: CollectionState, ordinal: number): Promise<StoredRecord> {
    const { segment, offset, length } = state.index.location(ordinal);
    const handle = await this.handleOf(state, segment);
    const buf = Buffer.allocUnsafe(length);
    // One small positioned read: synchronous is faster than a thread-pool hop and keeps `get` well under 1 ms.
    readSync(handle.fd, buf, 0, length, offset);
    const decoded = decodeLine(buf.toString('utf8'), true);
    if (!decoded.ok || !decoded.dataValid) {
      const file = this.rel(state.segments[segment]?.file ?? state.file);
      throw new ReerError('E_STORE_CORRUPT', `${file} at byte ${offset}: ${decoded.message}`, {
        hint: 'Run `social-collect validate` to list every bad line; the index may also be stale (delete the .idx file).',
        details: { file, offset },
      });
    }
    return decoded.record;
  }

  /** The record with this id (any version), or undefined. O(1) through the index. */
  /**
   * Make room in the index for about `additional` more records of `collection`. A bulk import that
   * can estimate its size calls this first, so the index's hash tables are sized once instead of
   * doubling (and rehashing everything) on the way: near a million records each doubling held the
   * writer up for tens of milliseconds. A hint only: more records than reserved still fit.
   */
  async reserve(collection: CollectionName, additional: number): Promise<void> {
    const state = await this.ready(collection);
    const extra = Math.min(Math.max(0, Math.floor(additional)), MAX_RESERVE);
    state.index.reserve(state.index.count + extra);
  }

  async get(collection: CollectionName, id: string): Promise<StoredRecord | undefined> {
    const state = await this.ready(collection);
    const ordinal = state.index.findId(id);
    return ordinal < 0 ? undefined : this.readOrdinal(state, ordinal);
  }

  /** The newest version for a "latest wins" key (`recordKey()`, e.g. `x:1234` for posts). */
  async latestByKey(collection: CollectionName, key: string): Promise<StoredRecord | undefined> {
    const state = await this.ready(collection);
    const ordinal = state.index.latestOf(key);
    return ordinal < 0 ? undefined : this.readOrdinal(state, ordinal);
  }

  /**
   * Id and content hash of the newest version of each key (undefined where the key is unknown),
   * from memory without reading records. For bulk idempotence checks; compare with `contentHash(data)`.
   */
  async latestByKeys(collection: CollectionName, keys: readonly string[]): Promise<(LatestVersion | undefined)[]> {
    const state = await this.ready(collection);
    return keys.map((key) => {
      const latest = state.index.latestVersionOf(key);
      if (!latest) return undefined;
      return { id: state.index.idOf(latest.ordinal), contentHash: formatHash(latest.hash) };
    });
  }

  /** Every version of a key, oldest first, across archives. */
  async history(collection: CollectionName, key: string): Promise<StoredRecord[]> {
    const state = await this.ready(collection);
    const ordinals: number[] = [];
    for (let o = state.index.latestOf(key); o >= 0; o = state.index.previousVersion(o)) ordinals.push(o);
    ordinals.reverse();
    const out: StoredRecord[] = [];
    for (const ordinal of ordinals) out.push(await this.readOrdinal(state, ordinal));
    return out;
  }

  /**
   * Every version of every record, archives first, streamed with flat memory. A bad line stops
   * the scan with `E_STORE_CORRUPT` (file and line) unless `options.onProblem` takes it.
   */
  scan(collection: CollectionName, filter?: RecordFilter, options?: ReadOptions): AsyncIterable<StoredRecord> {
    return this.read(collection, false, filter, options);
  }

  /** The newest version per key (records without a key all included), in log order. */
  latest(collection: CollectionName, filter?: RecordFilter, options?: ReadOptions): AsyncIterable<StoredRecord> {
    return this.read(collection, true, filter, options);
  }

  private async *read(
    collection: CollectionName,
    latestOnly: boolean,
    filter: RecordFilter | undefined,
    options: ReadOptions | undefined,
  ): AsyncGenerator<StoredRecord> {
    const compiled = compileFilter(filter);
    const { index, upTo, segments, handles } = await this.snapshot(collection);
    try {
      for (const [i, segment] of segments.entries()) {
        const handle = handles[i];
        if (!handle) continue;
        const file = this.rel(segment.file);
        const lastOrdinal = segments[i + 1]?.first ?? upTo;
        let ordinal = segment.first;
        let line = 0;
        for await (const batch of readLines(handle, 0, segment.end)) {
          for (let j = 0; j < batch.starts.length; j++) {
            line++;
            const offset = batch.offsets[j] ?? 0;
            const indexed = ordinal < lastOrdinal && index.offsetOf(ordinal) === offset;
            const current = ordinal;
            if (indexed) ordinal++;
            if (indexed) {
              if (latestOnly && index.isSuperseded(current, upTo)) continue;
              if (compiled.type >= 0 && index.typeOf(current) !== compiled.type) continue;
            }
            const decoded = decodeLine(batch.buf.toString('utf8', batch.starts[j], batch.ends[j]), true);
            if (!decoded.ok || !decoded.dataValid || !indexed) {
              const message = decoded.ok && decoded.dataValid ? 'line missing from the index' : decoded.message;
              this.problem({ collection, file, line, offset, message }, options);
              continue;
            }
            if (matches(decoded.record, compiled)) yield decoded.record;
          }
        }
      }
    } finally {
      await Promise.all(handles.map((h) => h?.close()));
    }
  }

  /**
   * What was indexed when a read began, with its files open, so a rotation or compaction by
   * another process (which only renames) cannot pull them away mid-read. A file replaced between
   * the index check and the open is caught by its inode, and the snapshot taken again.
   */
  private async snapshot(collection: CollectionName): Promise<{
    index: CollectionIndex;
    upTo: number;
    segments: Segment[];
    handles: (FileHandle | undefined)[];
  }> {
    for (let attempt = 0; ; attempt++) {
      const state = await this.ready(collection);
      const index = state.index;
      const upTo = index.count;
      const segments = state.segments.map((s) => ({ ...s }));
      const handles: (FileHandle | undefined)[] = [];
      let moved = false;
      for (const segment of segments) {
        if (segment.end === 0 || moved) {
          handles.push(undefined);
          continue;
        }
        try {
          const handle = await open(segment.file, 'r');
          handles.push(handle);
          if ((await handle.stat()).ino !== segment.ino) moved = true;
        } catch (cause) {
          if ((cause as { code?: unknown }).code !== 'ENOENT') throw cause;
          handles.push(undefined);
          moved = true;
        }
      }
      if (!moved) return { index, upTo, segments, handles };
      await Promise.all(handles.map((h) => h?.close()));
      if (attempt >= 5) {
        throw new ReerError('E_STORE_LOCKED', `${collection}: files kept moving while a read started (another process rotating or compacting)`, {
          hint: 'Retry once the other process has finished its rotation or compaction.',
        });
      }
    }
  }

  private problem(problem: StoreProblem, options: ReadOptions | undefined): void {
    if (options?.onProblem) {
      options.onProblem(problem);
      return;
    }
    throw new ReerError('E_STORE_CORRUPT', `${problem.file}:${problem.line}: ${problem.message}`, {
      hint: 'Run `social-collect validate` to list every bad line, then fix or remove them.',
      details: { ...problem },
    });
  }

  /**
   * How many records match. Without `filter` (or with only `type`) this is answered from the
   * index; `latest: true` counts the "latest wins" view instead of every version.
   */
  async count(collection: CollectionName, filter?: RecordFilter, options: ReadOptions & { latest?: boolean } = {}): Promise<number> {
    const onlyType =
      filter === undefined ||
      Object.entries(filter).every(([k, v]) => v === undefined || k === 'type');
    if (onlyType) {
      const state = await this.ready(collection);
      const type = filter?.type === undefined ? -1 : typeIndex(filter.type);
      const { index } = state;
      if (type < 0) return options.latest ? index.count - index.superseded : index.count;
      let n = 0;
      for (let o = 0; o < index.count; o++) {
        if (index.typeOf(o) === type && !(options.latest && index.isSuperseded(o))) n++;
      }
      return n;
    }
    let n = 0;
    const source = options.latest ? this.latest(collection, filter, options) : this.scan(collection, filter, options);
    for await (const _ of source) n++;
    return n;
  }

  /** Re-read every line of one or all collections; one problem per bad line, with file and line. */
  async validate(collection?: CollectionName): Promise<StoreProblem[]> {
    const problems: StoreProblem[] = [];
    for (const name of collection ? [collection] : COLLECTIONS) {
      for await (const _ of this.scan(name, undefined, { onProblem: (p) => problems.push(p) })) {
        // Reading is the check; records that pass need nothing more.
      }
    }
    return problems;
  }

  async stats(collection: CollectionName): Promise<CollectionStats> {
    const state = await this.ready(collection);
    const live = state.segments.filter((s) => s.ino !== 0);
    return {
      collection,
      records: state.index.count,
      keys: state.index.keys.size,
      files: live.map((s) => this.rel(s.file)),
      bytes: live.reduce((sum, s) => sum + s.end, 0),
    };
  }

  // ---- rotation, compaction, backup -------------------------------------------------------

  /** Move the active file into `archives/<collection>/` (it stays part of every query). */
  async rotate(collection: CollectionName): Promise<RotateResult> {
    return this.maintain(collection, (state) => this.rotateLocked(state));
  }

  /**
   * Runs a maintenance step alone and under the lock, on an index that is current and a file
   * without a torn tail (what rotation and compaction both need before they move files).
   */
  private maintain<T>(collection: CollectionName, step: (state: CollectionState) => Promise<T>): Promise<T> {
    const state = this.stateOf(collection);
    return this.exclusive(state, () =>
      this.withLock(state, async () => {
        await this.refresh(state, true);
        const st = await statOrNull(state.file);
        if (st && st.size > active(state).end) {
          await this.quarantineTail(state, st.size);
          await this.refresh(state, true);
        }
        return step(state);
      }),
    );
  }

  private async rotateLocked(state: CollectionState): Promise<RotateResult> {
    const segment = active(state);
    if (segment.end === 0) return { archived: null, bytes: 0 };
    await mkdir(state.archiveDir, { recursive: true });
    const archives = await this.listArchives(state);
    const seq = (archives[archives.length - 1]?.seq ?? 0) + 1;
    const target = join(state.archiveDir, `${basename(state.file, '.jsonl')}.${String(seq).padStart(6, '0')}.jsonl`);
    await rename(state.file, target);
    await removeSidecar(state.file);
    await fsyncDir(state.archiveDir);
    await fsyncDir(dirname(state.file));
    await this.closeHandles(state);
    segment.file = target;
    segment.archived = true;
    const segmentIndex = state.segments.length - 1;
    state.segments.push({ file: state.file, ino: 0, end: 0, first: state.index.count, archived: false });
    await this.saveSidecar(state, segmentIndex);
    state.unsaved = 0;
    state.archiveSignature = await this.archiveSignature(state);
    this.logger.info({ collection: state.name, archived: this.rel(target), bytes: segment.end }, 'rotated store file');
    return { archived: this.rel(target), bytes: segment.end };
  }

  /**
   * Write the newest version of every key (and every keyless record) into a new active file;
   * the files it replaces move, untouched, to `archives/<collection>/compacted-<stamp>/`.
   * Unreadable lines go to the quarantine file rather than into the new file.
   */
  async compact(collection: CollectionName): Promise<CompactResult> {
    return this.maintain(collection, (state) => this.compactLocked(state));
  }

  private async compactLocked(state: CollectionState): Promise<CompactResult> {
    const old = state.index;
    const live = state.segments.filter((s) => s.end > 0);
    if (old.superseded === 0) {
      return { file: this.rel(state.file), kept: old.count, dropped: 0, quarantined: 0, archivedTo: null };
    }
    const temp = `${state.file}.compact.tmp`;
    const fresh = new CollectionIndex();
    const remap = new Int32Array(old.count).fill(-1);
    const idScratch = new Uint8Array(16);
    const bad: string[] = [];
    const out = await open(temp, 'w');
    let outOffset = 0;
    try {
      for (const [i, segment] of state.segments.entries()) {
        if (segment.end === 0) continue;
        const lastOrdinal = state.segments[i + 1]?.first ?? old.count;
        let ordinal = segment.first;
        let line = 0;
        const handle = await open(segment.file, 'r');
        try {
          for await (const batch of readLines(handle, 0, segment.end)) {
            const pieces: Buffer[] = [];
            for (let j = 0; j < batch.starts.length; j++) {
              line++;
              const start = batch.starts[j] ?? 0;
              const end = batch.ends[j] ?? 0;
              const offset = batch.offsets[j] ?? 0;
              if (ordinal < lastOrdinal && old.offsetOf(ordinal) === offset) {
                const current = ordinal++;
                if (old.isSuperseded(current)) continue;
                old.copyIdBytes(current, idScratch, 0);
                remap[current] = fresh.addWithIdBytes(0, outOffset, end - start, old.typeOf(current), 0, undefined, idScratch, 0);
                pieces.push(batch.buf.subarray(start, end + 1));
                outOffset += end - start + 1;
              } else {
                bad.push(
                  JSON.stringify({
                    file: this.rel(segment.file),
                    line,
                    offset,
                    quarantined_at: new Date().toISOString(),
                    reason: 'unreadable line left out of a compaction',
                    fragment_base64: batch.buf.subarray(start, end).toString('base64'),
                  }),
                );
              }
            }
            // Copy before the reader reuses its buffer.
            if (pieces.length > 0) await out.write(Buffer.concat(pieces));
          }
        } finally {
          await handle.close();
        }
      }
      await out.sync();
    } finally {
      await out.close();
    }
    for (let keyIndex = 0; keyIndex < old.keys.size; keyIndex++) {
      const mapped = remap[old.keys.latestOf(keyIndex)] ?? -1;
      if (mapped >= 0) fresh.setLatest(old.keys.keyAt(keyIndex), mapped, old.keys.contentOf(keyIndex));
    }
    if (bad.length > 0) {
      const quarantine = this.quarantineFile(state);
      await appendFile(quarantine, `${bad.join('\n')}\n`);
      const q = await open(quarantine, 'r');
      await q.sync().finally(() => q.close());
    }
    const stamp = fileStamp();
    const retired = join(state.archiveDir, `compacted-${stamp}`);
    const moves: [string, string][] = live.map((s) => [s.file, join(retired, basename(s.file))]);
    const journal = { temp, target: state.file, moves };
    await mkdir(retired, { recursive: true });
    await writeFile(`${this.journalFile(state)}.tmp`, JSON.stringify(journal));
    await rename(`${this.journalFile(state)}.tmp`, this.journalFile(state));
    await fsyncDir(dirname(state.file));
    await this.closeHandles(state);
    await this.finishCompaction(state);
    const dropped = old.count - fresh.count;
    this.logger.info({ collection: state.name, kept: fresh.count, dropped, quarantined: bad.length }, 'compacted store file');
    // The new file's index is the one built while copying; save it so the next open skips the log.
    const st = await statOrNull(state.file);
    state.index = fresh;
    state.segments = [{ file: state.file, ino: st?.ino ?? 0, end: outOffset, first: 0, archived: false }];
    state.archiveSignature = await this.archiveSignature(state);
    state.unsaved = fresh.count;
    await this.saveSidecar(state, 0);
    return { file: this.rel(state.file), kept: fresh.count, dropped, quarantined: bad.length, archivedTo: this.rel(retired) };
  }

  /**
   * Under the lock: carry out a compaction journal (idempotent renames, then the new file into
   * place), or drop a temp file whose journal was never written.
   */
  private async finishCompaction(state: CollectionState): Promise<void> {
    const journalFile = this.journalFile(state);
    const temp = `${state.file}.compact.tmp`;
    let text: string;
    try {
      text = await readFile(journalFile, 'utf8');
    } catch (cause) {
      if ((cause as { code?: unknown }).code !== 'ENOENT') throw cause;
      await rm(temp, { force: true });
      return;
    }
    let parsedJson: unknown;
    try {
      parsedJson = JSON.parse(text);
    } catch (cause) {
      throw new ReerError('E_STORE_CORRUPT', `${this.rel(journalFile)}: unreadable compaction journal (${errorMessage(cause)})`, {
        hint: `Move the files listed under archives/${state.name}/compacted-* back if needed, then delete ${this.rel(journalFile)}.`,
      });
    }
    const parsed = CompactJournalSchema.safeParse(parsedJson);
    if (!parsed.success) {
      throw new ReerError('E_STORE_CORRUPT', `${this.rel(journalFile)}: invalid compaction journal`, {
        hint: `Move the files listed under archives/${state.name}/compacted-* back if needed, then delete ${this.rel(journalFile)}.`,
      });
    }
    const { moves, target } = parsed.data;
    const tempExists = (await statOrNull(parsed.data.temp)) !== null;
    if (tempExists) {
      for (const [from, to] of moves) {
        if ((await statOrNull(from)) && !(await statOrNull(to))) {
          await mkdir(dirname(to), { recursive: true });
          await rename(from, to);
          await removeSidecar(from);
        }
      }
      for (const dir of new Set(moves.flatMap(([from, to]) => [dirname(from), dirname(to)]))) await fsyncDir(dir);
      await rename(parsed.data.temp, target);
      await fsyncDir(dirname(target));
    }
    await rm(journalFile, { force: true });
  }

  /**
   * Copy every collection's live files (archives and active file, each under its lock) and the
   * quarantine files into `backups/<stamp>/`, same layout as the data dir (so a backup can be opened
   * as a store); then delete the oldest backups beyond `retention`.
   */
  async backup(options: { retention?: number } = {}): Promise<BackupResult> {
    const retention = options.retention ?? this.backupRetention;
    if (!Number.isInteger(retention) || retention < 1) {
      throw new ReerError('E_USAGE', `backup retention must be a whole number >= 1, got ${retention}`, {
        hint: 'Set store.backup_retention (or --retention) to how many backups to keep.',
      });
    }
    const root = join(this.dataDir, DATA_LAYOUT.backups);
    let dir = join(root, fileStamp());
    for (let n = 1; await statOrNull(dir); n++) dir = join(root, `${fileStamp()}-${n}`);
    await mkdir(dir, { recursive: true });
    let files = 0;
    let bytes = 0;
    const manifest: { file: string; bytes: number }[] = [];
    for (const name of COLLECTIONS) {
      const state = this.stateOf(name);
      await this.exclusive(state, () =>
        this.withLock(state, async () => {
          await this.refresh(state, true);
          const sources = state.segments.filter((s) => s.ino !== 0).map((s) => s.file);
          const quarantine = this.quarantineFile(state);
          if (await statOrNull(quarantine)) sources.push(quarantine);
          for (const source of sources) {
            const target = join(dir, this.rel(source));
            await mkdir(dirname(target), { recursive: true });
            await copyFile(source, target);
            const size = (await statOrNull(target))?.size ?? 0;
            manifest.push({ file: this.rel(source), bytes: size });
            files++;
            bytes += size;
          }
        }),
      );
    }
    await writeFile(join(dir, 'manifest.json'), `${JSON.stringify({ created_at: new Date().toISOString(), files: manifest }, null, 2)}\n`);
    const backups = (await readdir(root, { withFileTypes: true }))
      .filter((d) => d.isDirectory() && /^\d{8}T\d{9}Z(-\d+)?$/.test(d.name))
      .map((d) => d.name)
      .sort();
    const removed: string[] = [];
    for (const name of backups.slice(0, Math.max(0, backups.length - retention))) {
      await rm(join(root, name), { recursive: true, force: true });
      removed.push(join(root, name));
    }
    this.logger.info({ dir, files, bytes, removed: removed.length }, 'store backup written');
    return { dir, files, bytes, removed };
  }

  /** Save index sidecars of what this process appended and release file handles. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const state of this.states.values()) {
      await this.exclusive(state, async () => {
        if (state.unsaved > 0) await this.saveSidecar(state, state.segments.length - 1);
        await this.closeHandles(state);
      });
    }
    this.closed = true;
  }
}
