import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ReerError, errorMessage } from '@reer/core';
import { parseCsv, sniffDelimiter } from './csv.ts';
import {
  SUMMARY_FILES,
  TABULAR_FORMATS,
  X_CURRENT,
  X_LEGACY,
  normalizeHeader,
  tabularFormat,
  type TabularFormat,
} from './formats.ts';
import { applyMap, bindByName, bindByPosition, type ColumnBinding } from './tabular.ts';
import { FIELD_NAMES, type FieldName, type FormatId, type ReadOptions } from './types.ts';

/** How a file is laid out on disk. */
export type FileKind = 'csv' | 'xlsx' | 'x-archive-js' | 'json' | 'jsonl';

/** What detection learned about one file: enough to read it without looking again. */
export interface Detection {
  file: string;
  format: FormatId;
  kind: FileKind;
  /** Text encoding of CSV/JSON files. */
  encoding: BufferEncoding;
  /** CSV only. */
  delimiter: string;
  /** The header cells (CSV), or the column names used for JSON records. */
  header: string[];
  /** Records before the data (the header and any note rows above it). 0 when the header is the last row. */
  skipRecords: number;
  /** The header was written as the last row (a known way spreadsheets save these exports badly). */
  headerAtEnd: boolean;
  binding?: ColumnBinding;
  tabular?: TabularFormat;
  bytes: number;
}

const HEAD_BYTES = 256 * 1024;
const TAIL_BYTES = 64 * 1024;

async function readSlice(file: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function unusable(file: string, message: string, hint?: string): ReerError {
  return new ReerError('E_INPUT_FORMAT', `${file}: ${message}`, { hint, details: { file } });
}

function encodingOf(head: Buffer): BufferEncoding {
  return head[0] === 0xff && head[1] === 0xfe ? 'utf16le' : 'utf8';
}

const DATE_HEADERS = new Set(['date', '日付', 'fecha', 'datum', 'data', 'date (utc)', 'day']);
const ID_WORDS = /\bid\b|permalink|link|url|text|ポスト|tweet id/i;

/** A `Date` column, totals, no id or text: the per-day files exports put next to the per-post one. */
function looksLikeDailyTotals(header: readonly string[]): boolean {
  const first = normalizeHeader(header[0] ?? '');
  if (!DATE_HEADERS.has(first)) return false;
  return !header.some((h) => ID_WORDS.test(normalizeHeader(h)));
}

function rowLooksLikeData(row: readonly string[]): boolean {
  return row.some((cell) => /\/status\/\d+/.test(cell)) || /^\d{6,}$/.test((row[0] ?? '').trim());
}

/** Which fields `--map` may name, for messages. */
const FIELD_LIST = FIELD_NAMES.join(', ');

/** Parse `field=Column` pairs (repeatable, or comma-separated before the next `field=`). */
export function parseMapOption(values: readonly string[]): Partial<Record<FieldName, string>> {
  const map: Partial<Record<FieldName, string>> = {};
  const split = new RegExp(`,\\s*(?=(?:${FIELD_NAMES.join('|')})=)`);
  for (const value of values) {
    for (const pair of value.split(split)) {
      const eq = pair.indexOf('=');
      const field = pair.slice(0, eq).trim();
      let column = pair.slice(eq + 1).trim();
      if (column.length >= 2 && column.startsWith('"') && column.endsWith('"')) column = column.slice(1, -1);
      if (eq < 1 || column === '') {
        throw new ReerError('E_USAGE', `--map ${pair}: expected field=Column`, { hint: `Fields: ${FIELD_LIST}` });
      }
      if (!(FIELD_NAMES as readonly string[]).includes(field)) {
        throw new ReerError('E_USAGE', `--map ${pair}: unknown field "${field}"`, { hint: `Fields: ${FIELD_LIST}` });
      }
      map[field as FieldName] = column;
    }
  }
  return map;
}

function genericBinding(header: readonly string[], options: ReadOptions, file: string): ColumnBinding | undefined {
  const columns = new Map<FieldName, number>();
  const lower = header.map((h) => normalizeHeader(h));
  for (const field of FIELD_NAMES) {
    const index = lower.indexOf(field);
    if (index >= 0) columns.set(field, index);
  }
  const binding = applyMap({ columns, positional: false }, header, options.map ?? {}, file);
  const hasId = binding.columns.has('post_id') || binding.columns.has('url');
  if (!hasId || !binding.columns.has('created_at')) return undefined;
  return binding;
}

function bestTabular(rows: readonly (readonly string[])[], candidates: readonly TabularFormat[]) {
  let best: { format: TabularFormat; binding: ColumnBinding; row: number } | undefined;
  rows.forEach((row, index) => {
    for (const format of candidates) {
      const binding = bindByName(format, row);
      if (binding && (!best || binding.columns.size > best.binding.columns.size)) best = { format, binding, row: index };
    }
  });
  return best;
}

/** The last non-empty line of a file, parsed as one CSV record (headers hold no newlines). */
async function lastRecord(file: string, size: number, encoding: BufferEncoding, delimiter: string): Promise<string[] | undefined> {
  const start = Math.max(0, size - TAIL_BYTES);
  const text = (await readSlice(file, start, size - start)).toString(encoding).replace(/[\r\n]+$/, '');
  const last = text.slice(text.lastIndexOf('\n') + 1);
  return parseCsv(last, delimiter)[0]?.fields;
}

/**
 * Work out a file's format from its name, first bytes, header and shape. Throws `E_INPUT_FORMAT`
 * (exit 2) naming the file when it is not a per-post export we can read.
 */
export async function detectFormat(file: string, options: ReadOptions = {}): Promise<Detection> {
  let size: number;
  let head: Buffer;
  try {
    size = (await stat(file)).size;
    head = await readSlice(file, 0, HEAD_BYTES);
  } catch (cause) {
    throw new ReerError('E_INPUT_NOT_FOUND', `${file}: cannot read (${errorMessage(cause)})`, {
      hint: 'Check the path and permissions.',
      cause,
      details: { file },
    });
  }
  const name = basename(file);
  const base = { file, encoding: 'utf8' as BufferEncoding, delimiter: ',', header: [] as string[], skipRecords: 0, headerAtEnd: false, bytes: size };
  for (const summary of SUMMARY_FILES) {
    if (summary.fileName.test(name)) throw unusable(file, `this is ${summary.what}`);
  }
  if (size === 0) throw unusable(file, 'the file is empty');
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    throw unusable(file, 'this is an old binary Excel (.xls) workbook', 'Open it and save it as .xlsx or CSV, then ingest that file.');
  }
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    const forced = options.format;
    if (forced && forced !== 'linkedin-analytics' && forced !== 'linkedin-company') {
      throw unusable(file, `--format ${forced} cannot read an Excel workbook`, 'Use --format linkedin-analytics or linkedin-company, or save the sheet as CSV.');
    }
    const { detectWorkbook } = await import('./linkedin.ts');
    const format = forced ?? (await detectWorkbook(file));
    return { ...base, format, kind: 'xlsx' };
  }
  const encoding = encodingOf(head);
  const text = head.toString(encoding).replace(/^\ufeff/, '');
  const trimmed = text.trimStart();
  if (/^window\.YTD\.[A-Za-z_]+\.part\d+\s*=/.test(trimmed)) {
    if (!/^window\.YTD\.tweets?\./.test(trimmed)) {
      const what = /^window\.YTD\.([A-Za-z_]+)/.exec(trimmed)?.[1];
      throw unusable(file, `this is the X archive's ${what} file, not its tweets`, 'Ingest data/tweets.js (or tweets-part*.js) from the archive.');
    }
    return { ...base, encoding, format: 'x-archive', kind: 'x-archive-js' };
  }
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    const kind: FileKind = trimmed.startsWith('{') && /^\{.*\}\s*\r?\n\s*\{/s.test(trimmed.split('\n').slice(0, 2).join('\n')) ? 'jsonl' : trimmed.startsWith('[') ? 'json' : /\.jsonl$|\.ndjson$/i.test(name) ? 'jsonl' : 'json';
    if (options.format && options.format !== 'generic') {
      throw unusable(file, `--format ${options.format} does not read JSON`, 'Use --format generic with --map field=key.');
    }
    return { ...base, encoding, format: 'generic', kind };
  }

  // Delimited text.
  const delimiter = sniffDelimiter(text);
  const complete = size <= HEAD_BYTES;
  const records = parseCsv(complete ? text : text.slice(0, text.lastIndexOf('\n') + 1), delimiter).slice(0, 6);
  const rows = records.map((r) => r.fields);
  const csv = { ...base, encoding, delimiter, kind: 'csv' as const };
  if (rows.length === 0) throw unusable(file, 'no rows');

  const forced = options.format ? tabularFormat(options.format) : undefined;
  if (options.format === 'generic' || (options.map && !forced && !bestTabular(rows.slice(0, 5), TABULAR_FORMATS))) {
    const header = rows[0] ?? [];
    const binding = genericBinding(header, options, file);
    if (!binding) {
      throw unusable(file, 'the mapped columns do not include an id (post_id or url) and a date (created_at)', `Add --map post_id=<column> --map created_at=<column>. Columns: ${header.join(', ')}`);
    }
    return { ...csv, format: 'generic', header, skipRecords: 1, binding };
  }
  if (options.format && !forced) throw unusable(file, `--format ${options.format} does not read CSV files`);
  const candidates = forced ? [forced] : TABULAR_FORMATS;

  // A header sits above the data: rows after the first data row are not candidates (that is the
  // header-as-last-row case, handled below).
  const firstData = rows.findIndex((r) => rowLooksLikeData(r));
  const found = bestTabular(rows.slice(0, firstData < 0 ? 5 : Math.min(5, firstData)), candidates);
  if (found) {
    const header = rows[found.row] ?? [];
    const binding = options.map ? applyMap(found.binding, header, options.map, file) : found.binding;
    return { ...csv, format: found.format.id, header, skipRecords: found.row + 1, binding, tabular: found.format };
  }
  const first = rows[0] ?? [];
  if (rowLooksLikeData(first)) {
    const last = await lastRecord(file, size, encoding, delimiter);
    const atEnd = last ? bestTabular([last], candidates) : undefined;
    if (atEnd && last) {
      const binding = options.map ? applyMap(atEnd.binding, last, options.map, file) : atEnd.binding;
      return { ...csv, format: atEnd.format.id, header: last, skipRecords: 0, headerAtEnd: true, binding, tabular: atEnd.format };
    }
  }
  // A header in a language we have no aliases for: trust the export's fixed column order when
  // the file name or the data (a `/status/` permalink where the export puts it) says which one it is.
  const sample = rows[1] ?? [];
  for (const format of forced ? [forced] : [X_LEGACY, X_CURRENT]) {
    const urlColumn = format.positional?.indexOf('url') ?? -1;
    const nameMatches = format.fileName?.test(name) ?? false;
    const shapeMatches = urlColumn >= 0 && /\/status\/\d+/.test(sample[urlColumn] ?? '') && first.length === (format === X_CURRENT ? 17 : 40);
    if ((nameMatches || shapeMatches) && !rowLooksLikeData(first)) {
      const binding = bindByPosition(format, first);
      if (binding) return { ...csv, format: format.id, header: first, skipRecords: 1, binding: options.map ? applyMap(binding, first, options.map, file) : binding, tabular: format };
    }
  }
  if (looksLikeDailyTotals(first)) {
    throw unusable(file, `this looks like per-day totals (one row per day, columns: ${first.slice(0, 6).join(', ')}…), not per-post data`, 'Export the per-post file instead (X: Analytics → Content; legacy: tweet_activity_metrics_…).');
  }
  const identity = genericBinding(first, options, file);
  if (identity && (options.platform || identity.columns.has('platform'))) {
    return { ...csv, format: 'generic', header: first, skipRecords: 1, binding: identity };
  }
  throw unusable(
    file,
    `unknown export format (header: ${first.slice(0, 8).join(', ')}${first.length > 8 ? ', …' : ''})`,
    `Pass --map field=Column for each field (at least post_id or url, text, created_at) and --platform. Fields: ${FIELD_LIST}. Known formats: x-current, x-legacy, x-archive, meta-facebook, meta-instagram, linkedin-shares, linkedin-analytics, linkedin-company.`,
  );
}
