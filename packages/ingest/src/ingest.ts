import { randomUUID } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DATA_LAYOUT, ReerError, errorMessage, type Logger } from '@reer/core';
import type { NewRecord, StoreOptions } from '@reer/trace-store';
import { detectFormat, type Detection } from './detect.ts';
import { readExport, readLinkedinGroup } from './read-export.ts';
import { RejectsWriter } from './rejects.ts';
import { createPostSink, type PostSink, type SinkResult } from './sink.ts';
import type { FormatId, ParsedPost, ReadBatch, ReadOptions } from './types.ts';

export interface IngestOptions extends ReadOptions {
  /** The data dir holding the store (`social/normalized.jsonl`) and `social/rejects.jsonl`. */
  dataDir: string;
  /** Read, detect, normalize and classify against the store, but write nothing. */
  dryRun?: boolean | undefined;
  /** Passed to `TraceStore.open` (lock timeouts, rotation size, logger). */
  storeOptions?: StoreOptions | undefined;
  /** The envelope `source` prefix; the format is appended (`social-collect:x-legacy`). @default 'social-collect' */
  source?: string | undefined;
  /**
   * Files at least this large are written through a worker thread so validation and the store's
   * append overlap parsing. 0 forces the worker; null or undefined never uses it. @default never
   */
  workerMinBytes?: number | null | undefined;
  logger?: Logger | undefined;
  onProgress?: ((progress: IngestProgress) => void) | undefined;
}

export interface IngestProgress {
  file: string;
  bytesRead: number;
  /** All input bytes, for one bar over the whole run. */
  bytesTotal: number;
  /** Bytes of the files finished before this one. */
  bytesDone: number;
}

/** Counts for a file, a format, or the whole run. `rows_read = posts_ingested + new_versions + duplicates + rejected`. */
export interface IngestCounts {
  files: number;
  /** Data rows read (header, note and blank rows excluded). */
  rows_read: number;
  /** Posts seen for the first time. */
  posts_ingested: number;
  /** Posts already in the store whose data changed (fresher metrics): appended as a new version. */
  new_versions: number;
  /** Posts identical to the newest stored version, or repeated within the input: not written. */
  duplicates: number;
  /** Rows that could not become a post; each is in the rejects file with file, line and reason. */
  rejected: number;
}

export interface FileSummary extends IngestCounts {
  file: string;
  format: FormatId;
  /** The header was the last row of the file. */
  header_at_end?: boolean;
  /** The header language was unknown and the export's fixed column order was used. */
  positional_columns?: boolean;
  /** Posts whose text was repaired from mojibake or whose id was recovered from the permalink. */
  repaired?: number;
}

export interface IngestSummary extends IngestCounts {
  dry_run: boolean;
  by_format: Partial<Record<FormatId, IngestCounts>>;
  per_file: FileSummary[];
  /** Where rejected rows were written (absent on a dry run or when nothing was rejected). */
  rejects_file?: string;
  /** Files skipped while walking folders, posts without a known author, and the like. */
  warnings: string[];
  /** What was done that a user may want to know, e.g. how LinkedIn posts were joined with their analytics. */
  notes: string[];
  seconds: number;
}

const DATA_EXTENSIONS = /\.(csv|tsv|txt|json|jsonl|ndjson|xlsx|xls)$/i;
const ARCHIVE_TWEETS = /^tweets?(-part\d+)?\.js$/i;
/** Side files read for the author, never ingested themselves. */
const SIDE_FILES = /^(profile\.csv|account\.js)$/i;

/** Files named on the command line, and the export files inside named folders (sorted, recursively). */
export async function expandPaths(paths: readonly string[]): Promise<{ files: string[]; skipped: string[] }> {
  const files: string[] = [];
  const skipped: string[] = [];
  const walk = async (dir: string) => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (SIDE_FILES.test(entry.name)) continue;
      else if (DATA_EXTENSIONS.test(entry.name) || ARCHIVE_TWEETS.test(entry.name)) files.push(full);
      else skipped.push(full);
    }
  };
  for (const path of paths) {
    const full = resolve(path);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(full);
    } catch (cause) {
      throw new ReerError('E_INPUT_NOT_FOUND', `${path}: cannot read (${errorMessage(cause)})`, {
        hint: 'Check the path: give export files or folders holding them.',
        cause,
        details: { file: path },
      });
    }
    if (info.isDirectory()) await walk(full);
    else files.push(full);
  }
  return { files: [...new Set(files)], skipped };
}

function emptyCounts(): IngestCounts {
  return { files: 0, rows_read: 0, posts_ingested: 0, new_versions: 0, duplicates: 0, rejected: 0 };
}

function addCounts(into: IngestCounts, from: Omit<IngestCounts, 'files'> & { files?: number }): void {
  into.files += from.files ?? 0;
  into.rows_read += from.rows_read;
  into.posts_ingested += from.posts_ingested;
  into.new_versions += from.new_versions;
  into.duplicates += from.duplicates;
  into.rejected += from.rejected;
}

/**
 * Detect every file before anything is written, so unusable input (exit 2) never leaves a
 * half-ingested run behind. Throws `E_INPUT_FORMAT` / `E_INPUT_NOT_FOUND` naming the file.
 */
export async function planIngest(paths: readonly string[], options: ReadOptions = {}): Promise<{ detections: Detection[]; skipped: string[] }> {
  const { files, skipped } = await expandPaths(paths);
  if (files.length === 0) {
    throw new ReerError('E_INPUT_NOT_FOUND', `no export files in ${paths.join(', ')}`, {
      hint: 'Give CSV, XLSX, JSON, JSONL files or an X archive tweets.js (or folders holding them).',
    });
  }
  const detections: Detection[] = [];
  for (const file of files) detections.push(await detectFormat(file, options));
  return { detections, skipped };
}

function toRecord(post: ParsedPost, format: FormatId, file: string, source: string): NewRecord {
  const metadata: Record<string, unknown> = { file, line: post.line, format };
  if (post.datePrecision === 'day') metadata.date_precision = 'day';
  if (post.repairs) metadata.repairs = post.repairs;
  if (post.metadata) Object.assign(metadata, post.metadata);
  // Readers build posts in schema order, which keeps the store on its fast validation path.
  return { type: 'post', source, data: post.data, metadata };
}

/**
 * Ingest export files and folders into the store: detect, read, normalize, then upsert (a post
 * already stored with the same data is a duplicate; with different data, a new version).
 * Rejected rows go to `social/rejects.jsonl`. Never prints; returns the summary.
 */
export async function ingestPaths(paths: readonly string[], options: IngestOptions): Promise<IngestSummary> {
  const started = performance.now();
  const { detections, skipped } = await planIngest(paths, options);
  const warnings = skipped.map((f) => `skipped ${f}: not an export file`);
  const runId = randomUUID();
  const source = options.source ?? 'social-collect';
  const notes: string[] = [];
  const summary: IngestSummary = { ...emptyCounts(), dry_run: Boolean(options.dryRun), by_format: {}, per_file: [], warnings, notes, seconds: 0 };
  const bytesTotal = detections.reduce((sum, d) => sum + d.bytes, 0);
  const rejectsFile = join(options.dataDir, DATA_LAYOUT.rejects);
  const rejects = options.dryRun ? undefined : new RejectsWriter(rejectsFile, runId);
  const workerMin = options.workerMinBytes;
  const useWorker = workerMin !== null && workerMin !== undefined && detections.some((d) => d.kind === 'csv' && d.bytes >= workerMin);
  const sink: PostSink = await createPostSink({
    dataDir: options.dataDir,
    storeOptions: options.storeOptions,
    dryRun: Boolean(options.dryRun),
    worker: useWorker,
  });
  let unknownAuthors = 0;
  let bytesDone = 0;
  try {
    const linkedinShares = detections.filter((d) => d.format === 'linkedin-shares');
    const linkedinAnalytics = detections.filter((d) => d.format === 'linkedin-analytics');
    const joinLinkedin = linkedinAnalytics.length > 0;
    const pending: Promise<void>[] = [];
    let writeFailure: unknown;

    const consume = async (detection: Detection, batches: AsyncIterable<ReadBatch>, extra?: Partial<FileSummary>) => {
      const fileSummary: FileSummary = { ...emptyCounts(), files: 1, file: detection.file, format: detection.format, ...extra };
      if (detection.headerAtEnd) fileSummary.header_at_end = true;
      if (detection.binding?.positional) fileSummary.positional_columns = true;
      const formatSource = `${source}:${detection.format}`;
      let sized = false;
      for await (const batch of batches) {
        fileSummary.rows_read += batch.rows;
        if (!sized && batch.bytesRead > 0 && batch.rows > 0) {
          // The first batch tells the file's bytes per row: the store sizes its index for the rest.
          sink.reserve(Math.ceil((detection.bytes / batch.bytesRead) * fileSummary.rows_read));
          sized = true;
        }
        fileSummary.rejected += batch.rejects.length;
        if (batch.rejects.length > 0) {
          await sink.opened();
          await rejects?.write(batch.rejects);
        }
        const records: NewRecord[] = new Array(batch.posts.length);
        for (let i = 0; i < batch.posts.length; i++) {
          const post = batch.posts[i]!;
          if (post.data.author === 'unknown') unknownAuthors++;
          if (post.repairs) fileSummary.repaired = (fileSummary.repaired ?? 0) + 1;
          records[i] = toRecord(post, detection.format, (post.metadata?.file as string | undefined) ?? detection.file, formatSource);
        }
        // The sink applies back-pressure itself; counts arrive when the store has the batch.
        pending.push(
          sink.write(records).then(async ({ counts, invalid }: SinkResult) => {
            fileSummary.posts_ingested += counts.new;
            fileSummary.new_versions += counts.updated;
            fileSummary.duplicates += counts.unchanged;
            if (invalid.length === 0) return;
            fileSummary.rejected += invalid.length;
            await rejects?.write(
              invalid.map(({ reason, record }) => {
                const line = typeof record.metadata?.line === 'number' ? record.metadata.line : 0;
                return { file: detection.file, line, format: detection.format, reason, row: { post: JSON.stringify(record.data) } };
              }),
            );
          }).catch((error: unknown) => {
            writeFailure ??= error;
          }),
        );
        await sink.ready();
        if (writeFailure !== undefined) throw writeFailure;
        options.onProgress?.({ file: detection.file, bytesRead: batch.bytesRead, bytesTotal, bytesDone });
      }
      bytesDone += detection.bytes;
      summary.per_file.push(fileSummary);
    };

    for (const detection of detections) {
      if (detection.format === 'linkedin-analytics') continue;
      if (detection.format === 'linkedin-shares' && joinLinkedin) continue;
      await consume(detection, readExport(detection, options));
    }
    if (joinLinkedin) {
      const group = await readLinkedinGroup(linkedinShares, linkedinAnalytics, options);
      const first = linkedinShares[0] ?? linkedinAnalytics[0]!;
      const groupFiles = [...linkedinShares, ...linkedinAnalytics].map((d) => d.file);
      const batch = (async function* () {
        yield group;
      })();
      await consume({ ...first, format: linkedinShares.length > 0 ? 'linkedin-shares' : 'linkedin-analytics' }, batch);
      const last = summary.per_file[summary.per_file.length - 1];
      if (last) {
        last.files = groupFiles.length;
        last.file = groupFiles.join(' + ');
      }
      if (linkedinShares.length > 0) notes.push(`LinkedIn: joined ${group.joined.id} posts with their analytics by id and ${group.joined.day} by publish day`);
    }
    await sink.opened();
    await Promise.all(pending);
    if (writeFailure !== undefined) throw writeFailure;
    await sink.close();
    await rejects?.close();
  } catch (error) {
    await sink.abort();
    await rejects?.close().catch(() => undefined);
    throw error;
  }

  for (const file of summary.per_file) {
    addCounts(summary, file);
    const byFormat = summary.by_format[file.format] ?? emptyCounts();
    summary.by_format[file.format] = byFormat;
    addCounts(byFormat, file);
  }
  if (summary.rejected > 0 && !options.dryRun) summary.rejects_file = rejectsFile;
  if (unknownAuthors > 0) {
    warnings.push(`${unknownAuthors} posts have no author in their file (stored as "unknown"): pass --author <handle>`);
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
