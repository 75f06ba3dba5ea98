import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { ReerError, type Platform } from '@reer/core';
import { CsvParser, parseCsv } from './csv.ts';
import { readTextChunks } from './text-chunks.ts';
import type { Detection } from './detect.ts';
import type { TabularFormat } from './formats.ts';
import type { LinkedinAnalyticsEntry } from './linkedin.ts';
import { applyMap, createRowNormalizer, type ColumnBinding } from './tabular.ts';
import { FIELD_NAMES, type FieldName, type ParsedPost, type ReadBatch, type ReadOptions, type RejectedRow } from './types.ts';
import { readXArchive } from './x-archive.ts';

/** exceljs is large: load the LinkedIn readers (and it) only when a LinkedIn file is read. */
const linkedin = () => import('./linkedin.ts');

/** The generic "format": every field is taken from the column of the same name or from `--map`. */
const GENERIC: TabularFormat = { id: 'generic', platform: 'x', aliases: new Map(), required: [], atMeansReply: false };

/** `tweet_activity_metrics_<handle>_<from>_<to>_<lang>.csv` → `<handle>`. */
export function authorFromFileName(file: string): string | undefined {
  return /^tweet_activity_metrics_(.+?)_\d{8}_\d{8}/i.exec(basename(file))?.[1];
}

/** The author used when rows do not name one (see docs: `--author` always wins). */
export async function fallbackAuthorFor(detection: Detection): Promise<string | undefined> {
  switch (detection.format) {
    case 'x-legacy':
      return authorFromFileName(detection.file);
    case 'linkedin-shares':
      return (await linkedin()).memberFromProfile(detection.file);
    case 'linkedin-company':
      return (await linkedin()).authorFromCompanyFile(detection.file);
    default:
      return undefined;
  }
}

function rowObject(header: readonly string[], fields: readonly string[]): Record<string, string> {
  const row: Record<string, string> = {};
  const n = Math.max(header.length, fields.length);
  for (let i = 0; i < n; i++) {
    const key = header[i] || `column ${i + 1}`;
    const value = fields[i];
    if (value !== undefined && value !== '') row[key] = value;
  }
  return row;
}

function platformFor(detection: Detection, options: ReadOptions, binding: ColumnBinding): Platform {
  if (options.platform) return options.platform;
  if (detection.tabular) return detection.tabular.platform;
  if (binding.columns.has('platform')) return 'x';
  throw new ReerError('E_INPUT_FORMAT', `${detection.file}: generic files need --platform (or --map platform=Column)`, {
    hint: 'Add --platform x (or linkedin, facebook, instagram, threads, bluesky, mastodon, discord).',
  });
}

const BATCH_ROWS = 500;

/** Stream a delimited file in batches; memory stays flat however large the file is. */
async function* readCsv(detection: Detection, options: ReadOptions): AsyncGenerator<ReadBatch> {
  const { file, header, binding } = detection;
  if (!binding) throw new ReerError('E_INTERNAL', `${file}: detection produced no column binding`);
  const format = detection.tabular ?? GENERIC;
  const normalize = createRowNormalizer(binding, {
    file,
    format,
    author: options.author,
    fallbackAuthor: await fallbackAuthorFor(detection),
    platform: platformFor(detection, options, binding),
  });
  let posts: ParsedPost[] = [];
  let rejects: RejectedRow[] = [];
  let rows = 0;
  let skip = detection.skipRecords;
  const headerKey = detection.headerAtEnd ? header.join('\u0001') : undefined;
  // Only the bound columns are read (a header repeated at the end is recognised by all of them);
  // a rejected row is parsed again whole for the rejects file.
  const columns = headerKey === undefined ? binding.columns.values() : undefined;
  const parser: CsvParser = new CsvParser(
    (fields, line) => {
      if (skip > 0) {
        skip--;
        return;
      }
      if (headerKey !== undefined && fields[0] === header[0] && fields.join('\u0001') === headerKey) return;
      rows++;
      const result = normalize(fields, line);
      if (typeof result === 'string') {
        const whole = columns === undefined ? fields : (parseCsv(parser.recordText(), detection.delimiter)[0]?.fields ?? fields);
        rejects.push({ file, line, format: detection.format, reason: result, row: rowObject(header, whole) });
      } else posts.push(result);
    },
    detection.delimiter,
    columns,
  );
  let bytesRead = 0;
  for await (const chunk of readTextChunks(file, detection.encoding, (n) => {
    bytesRead = n;
  })) {
    parser.push(chunk);
    if (posts.length + rejects.length >= BATCH_ROWS) {
      yield { posts, rejects, rows, bytesRead };
      posts = [];
      rejects = [];
      rows = 0;
    }
  }
  parser.end();
  yield { posts, rejects, rows, bytesRead };
}

function valueAt(record: unknown, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Columns for JSON records: every field name (records need not all have the same keys), plus the
 * mapped keys. The first record must have an id and a date under their names or their mapped keys.
 */
function jsonBinding(first: unknown, options: ReadOptions, file: string): { header: string[]; binding: ColumnBinding } {
  const header: string[] = [...FIELD_NAMES];
  const columns = new Map<FieldName, number>();
  FIELD_NAMES.forEach((field, i) => {
    columns.set(field, i);
  });
  for (const column of Object.values(options.map ?? {})) if (!header.includes(column)) header.push(column);
  const binding = applyMap({ columns, positional: false }, header, options.map ?? {}, file);
  const present = (field: FieldName) => {
    const index = binding.columns.get(field);
    return index !== undefined && valueAt(first, header[index] ?? '') !== undefined;
  };
  if (!(present('post_id') || present('url')) || !present('created_at')) {
    const keys = typeof first === 'object' && first !== null ? Object.keys(first).join(', ') : '(not an object)';
    throw new ReerError('E_INPUT_FORMAT', `${file}: the records have no id (post_id or url) and date (created_at) field`, {
      hint: `Pass --map post_id=<key> --map created_at=<key> (dotted paths reach nested keys). Keys of the first record: ${keys}`,
      details: { file },
    });
  }
  return { header, binding };
}

function firstArray(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) if (Array.isArray(v)) return v;
  }
  return undefined;
}

/** Generic JSON (an array, or an object holding one) or JSONL, through the same row normalizer. */
async function* readJson(detection: Detection, options: ReadOptions): AsyncGenerator<ReadBatch> {
  const { file } = detection;
  let normalize: ((fields: readonly string[], line: number) => string | ParsedPost) | undefined;
  let header: string[] = [];
  const setup = async (first: unknown) => {
    const bound = jsonBinding(first, options, file);
    header = bound.header;
    normalize = createRowNormalizer(bound.binding, {
      file,
      format: GENERIC,
      author: options.author,
      platform: platformFor(detection, options, bound.binding),
    });
  };
  const posts: ParsedPost[] = [];
  const rejects: RejectedRow[] = [];
  let rows = 0;
  const take = (record: unknown, line: number) => {
    rows++;
    const fields = header.map((column) => textOf(valueAt(record, column)));
    const result = normalize ? normalize(fields, line) : 'no reader';
    if (typeof result === 'string') rejects.push({ file, line, format: 'generic', reason: result, row: rowObject(header, fields) });
    else posts.push(result);
  };
  if (detection.kind === 'json') {
    const text = (await readFile(file, detection.encoding)).replace(/^\ufeff/, '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new ReerError('E_INPUT_FORMAT', `${file}: not valid JSON`, { hint: 'For one JSON object per line, name the file .jsonl.', cause, details: { file } });
    }
    const records = firstArray(parsed);
    if (!records) throw new ReerError('E_INPUT_FORMAT', `${file}: no array of records in this JSON file`, { details: { file } });
    if (records.length > 0) await setup(records[0]);
    records.forEach((record, i) => {
      take(record, i + 1);
    });
    yield { posts, rejects, rows, bytesRead: detection.bytes };
    return;
  }
  const stream = createReadStream(file, { encoding: detection.encoding });
  let line = 0;
  for await (const raw of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    const text = (line === 1 ? raw.replace(/^\ufeff/, '') : raw).trim();
    if (text === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      rows++;
      rejects.push({ file, line, format: 'generic', reason: 'not valid JSON', row: { line: text.slice(0, 2000) } });
      continue;
    }
    if (!normalize) await setup(record);
    take(record, line);
  }
  yield { posts, rejects, rows, bytesRead: detection.bytes };
}

/** Read one detected file in batches. Joined LinkedIn groups are read by `ingest`, not here. */
export async function* readExport(detection: Detection, options: ReadOptions = {}): AsyncGenerator<ReadBatch> {
  switch (detection.kind) {
    case 'csv':
      yield* readCsv(detection, options);
      return;
    case 'x-archive-js':
      yield await readXArchive(detection.file, { author: options.author });
      return;
    case 'json':
    case 'jsonl':
      yield* readJson(detection, options);
      return;
    case 'xlsx':
      if (detection.format === 'linkedin-company') {
        yield await (await linkedin()).readLinkedinCompanyWorkbook(detection.file, { author: options.author, fallbackAuthor: await fallbackAuthorFor(detection) });
        return;
      }
      throw new ReerError('E_INTERNAL', `${detection.file}: LinkedIn analytics are read through readLinkedinGroup`);
  }
}

/**
 * The LinkedIn member data: `Shares.csv` files (text) joined with analytics workbooks (metrics).
 * Everything is read into memory: a member's posts number in the thousands at most.
 */
export async function readLinkedinGroup(
  shares: readonly Detection[],
  analytics: readonly Detection[],
  options: ReadOptions = {},
): Promise<ReadBatch & { joined: { id: number; day: number } }> {
  const posts: ParsedPost[] = [];
  const rejects: RejectedRow[] = [];
  let bytesRead = 0;
  for (const detection of shares) {
    for await (const batch of readCsv(detection, options)) {
      posts.push(...batch.posts);
      rejects.push(...batch.rejects);
      bytesRead += batch.bytesRead;
    }
  }
  const { authorFromAnalyticsFile, joinLinkedin, readLinkedinAnalytics } = await linkedin();
  const entries = new Map<string, LinkedinAnalyticsEntry>();
  let analyticsFile = '';
  let analyticsAuthor: string | undefined;
  for (const detection of analytics) {
    const read = await readLinkedinAnalytics(detection.file);
    for (const entry of read.entries) entries.set(entry.post_id, entry);
    rejects.push(...read.rejects);
    bytesRead += detection.bytes;
    analyticsFile = detection.file;
    analyticsAuthor ??= authorFromAnalyticsFile(detection.file);
  }
  const author = options.author ?? posts.find((p) => p.data.author !== 'unknown')?.data.author ?? analyticsAuthor ?? 'unknown';
  for (const post of posts) if (post.data.author === 'unknown') post.data.author = author;
  const { posts: joinedPosts, joined } = entries.size > 0 ? joinLinkedin(posts, [...entries.values()], analyticsFile, author) : { posts, joined: { id: 0, day: 0 } };
  // An analytics row joined to its post is part of that post, not a row of its own: counting
  // posts + rejects keeps rows_read = ingested + versions + duplicates + rejected.
  return { posts: joinedPosts, rejects, rows: joinedPosts.length + rejects.length, bytesRead, joined };
}
