import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import ExcelJS from 'exceljs';
import { ReerError, errorMessage, type PostData } from '@reer/core';
import { parseCsv } from './csv.ts';
import { LINKEDIN_COMPANY, normalizeHeader } from './formats.ts';
import { bindByName, createRowNormalizer, linkedinIdFromUrl } from './tabular.ts';
import type { FormatId, ParsedPost, ReadBatch, RejectedRow } from './types.ts';
import { CellError, parseCount, parseDate } from './values.ts';

type Cell = ExcelJS.CellValue;

/** A cell as text: dates as ISO, rich text joined, hyperlinks as their link, formulas as their result. */
export function cellText(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('hyperlink' in value) return value.hyperlink || value.text;
  if ('result' in value) return value.result === undefined ? '' : cellText(value.result as Cell);
  if ('error' in value) return '';
  return '';
}

async function loadWorkbook(file: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(file);
  } catch (cause) {
    throw new ReerError('E_INPUT_FORMAT', `${file}: cannot read the Excel workbook (${errorMessage(cause)})`, {
      hint: 'Open it and save it again as .xlsx, or export the sheet as CSV.',
      cause,
      details: { file },
    });
  }
  return workbook;
}

function sheetRows(sheet: ExcelJS.Worksheet, limit = Number.POSITIVE_INFINITY): { row: number; cells: Cell[] }[] {
  const rows: { row: number; cells: Cell[] }[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rows.length >= limit) return;
    // exceljs rows are 1-based: index 0 is always empty.
    const values = Array.isArray(row.values) ? (row.values.slice(1) as Cell[]) : [];
    rows.push({ row: rowNumber, cells: values });
  });
  return rows;
}

const TOP_POSTS = 'top posts';

function findCompanySheet(workbook: ExcelJS.Workbook) {
  for (const sheet of workbook.worksheets) {
    for (const { row, cells } of sheetRows(sheet, 6)) {
      const header = cells.map((c) => cellText(c));
      const binding = bindByName(LINKEDIN_COMPANY, header);
      if (binding) return { sheet, headerRow: row, header, binding };
    }
  }
  return undefined;
}

/** Which LinkedIn workbook this is: the member analytics (TOP POSTS sheet) or a company page export. */
export async function detectWorkbook(file: string): Promise<FormatId> {
  const workbook = await loadWorkbook(file);
  if (workbook.worksheets.some((s) => normalizeHeader(s.name) === TOP_POSTS)) return 'linkedin-analytics';
  if (findCompanySheet(workbook)) return 'linkedin-company';
  throw new ReerError('E_INPUT_FORMAT', `${file}: an Excel workbook that is neither LinkedIn member analytics (no TOP POSTS sheet) nor a company page export (no "Post title … Impressions" header)`, {
    hint: 'Save the sheet that lists posts as CSV and ingest it with --map field=Column.',
    details: { file },
  });
}

/** One post in the analytics TOP POSTS sheet (the two side-by-side tables merged by URL). */
export interface LinkedinAnalyticsEntry {
  post_id: string;
  url: string;
  created_at: string;
  row: number;
  engagements?: number;
  impressions?: number;
}

/**
 * Read the TOP POSTS sheet: a note row, an empty row, then two tables side by side,
 * `Post URL | Post publish date | Engagements` and `Post URL | Post publish date | Impressions`.
 */
export async function readLinkedinAnalytics(file: string): Promise<{ entries: LinkedinAnalyticsEntry[]; rejects: RejectedRow[]; rows: number }> {
  const workbook = await loadWorkbook(file);
  const sheet = workbook.worksheets.find((s) => normalizeHeader(s.name) === TOP_POSTS);
  if (!sheet) throw new ReerError('E_INPUT_FORMAT', `${file}: no TOP POSTS sheet`, { details: { file } });
  const rows = sheetRows(sheet);
  const headerIndex = rows.findIndex((r) => r.cells.some((c) => normalizeHeader(cellText(c)) === 'post url'));
  const headerRow = rows[headerIndex];
  if (!headerRow) {
    throw new ReerError('E_INPUT_FORMAT', `${file}: the TOP POSTS sheet has no "Post URL" header`, { details: { file } });
  }
  const header = headerRow.cells.map((c) => normalizeHeader(cellText(c)));
  const tables: { url: number; date: number; metric: number; name: 'engagements' | 'impressions' }[] = [];
  header.forEach((h, i) => {
    if (h !== 'post url') return;
    const date = header.indexOf('post publish date', i);
    const metric = header.findIndex((m, j) => j > i && (m === 'engagements' || m === 'impressions'));
    const name = header[metric];
    if (date > i && (name === 'engagements' || name === 'impressions')) tables.push({ url: i, date, metric, name });
  });
  const byId = new Map<string, LinkedinAnalyticsEntry>();
  const rejects: RejectedRow[] = [];
  let count = 0;
  for (const { row, cells } of rows.slice(headerIndex + 1)) {
    for (const table of tables) {
      const url = cellText(cells[table.url]).trim();
      if (!url) continue;
      count++;
      const id = linkedinIdFromUrl(url);
      try {
        if (!id) throw new CellError(`Post URL: no post id in "${url}"`);
        const date = parseDate(cells[table.date] instanceof Date ? (cells[table.date] as Date) : cellText(cells[table.date]), 'Post publish date');
        if (!date) throw new CellError('Post publish date: empty');
        const metric = parseCount(cellText(cells[table.metric]), table.name);
        const entry = byId.get(id) ?? { post_id: id, url, created_at: date.iso, row };
        if (metric !== undefined) entry[table.name] = metric;
        byId.set(id, entry);
      } catch (error: unknown) {
        if (!(error instanceof CellError)) throw error;
        rejects.push({ file, line: row, format: 'linkedin-analytics', reason: error.message, row: { 'Post URL': url } });
      }
    }
  }
  return { entries: [...byId.values()], rejects, rows: count };
}

/** `Content_2024-01-01_2024-03-31_JaneDoe.xlsx` → `JaneDoe` (LinkedIn names the analytics file after the member). */
export function authorFromAnalyticsFile(file: string): string | undefined {
  return /_\d{4}-\d{2}-\d{2}_([^_]+?)\.xlsx$/i.exec(basename(file))?.[1];
}

/** `First Name Last Name` from `Profile.csv` next to `Shares.csv` in the member archive. */
export async function memberFromProfile(sharesFile: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(dirname(sharesFile), 'Profile.csv'), 'utf8');
  } catch {
    // Users often copy Shares.csv alone; the author then comes from --author or the analytics file name.
    return undefined;
  }
  const [header, first] = parseCsv(text);
  if (!header || !first) return undefined;
  const at = (name: string) => first.fields[header.fields.findIndex((h) => normalizeHeader(h) === name)]?.trim() ?? '';
  const name = `${at('first name')} ${at('last name')}`.trim();
  return name || undefined;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

function withAnalytics(post: ParsedPost, entry: LinkedinAnalyticsEntry, analyticsFile: string, joinedBy: 'id' | 'day'): ParsedPost {
  const metrics = { ...post.data.metrics };
  if (entry.impressions !== undefined) metrics.impressions = entry.impressions;
  if (entry.engagements !== undefined) metrics.engagements = entry.engagements;
  if (metrics.impressions !== undefined && metrics.engagements !== undefined && metrics.impressions > 0) {
    metrics.engagement_rate = metrics.engagements / metrics.impressions;
  }
  return {
    ...post,
    data: { ...post.data, metrics },
    metadata: { ...post.metadata, analytics_file: analyticsFile, analytics_row: entry.row, analytics_url: entry.url, joined_by: joinedBy },
  };
}

/**
 * Join member-archive posts (text, from Shares.csv) with analytics entries (metrics, from the
 * XLSX): by post id first, then, because the archive and the analytics often use different URNs
 * for one post, by publish day when exactly one unjoined post was published that day. A joined
 * post keeps the archive's id (the archive lists every post; analytics only the top ones);
 * analytics entries left over become posts without text.
 */
export function joinLinkedin(
  shares: readonly ParsedPost[],
  entries: readonly LinkedinAnalyticsEntry[],
  analyticsFile: string,
  author: string,
): { posts: ParsedPost[]; joined: { id: number; day: number } } {
  const out = [...shares];
  const byId = new Map(shares.map((p, i) => [p.data.post_id, i] as const));
  const taken = new Set<number>();
  const left: LinkedinAnalyticsEntry[] = [];
  const joined = { id: 0, day: 0 };
  for (const entry of entries) {
    const i = byId.get(entry.post_id);
    if (i !== undefined && !taken.has(i)) {
      out[i] = withAnalytics(out[i]!, entry, analyticsFile, 'id');
      taken.add(i);
      joined.id++;
    } else left.push(entry);
  }
  const byDay = new Map<string, number[]>();
  shares.forEach((p, i) => {
    if (taken.has(i)) return;
    const list = byDay.get(day(p.data.created_at)) ?? [];
    list.push(i);
    byDay.set(day(p.data.created_at), list);
  });
  const entriesPerDay = new Map<string, number>();
  for (const e of left) entriesPerDay.set(day(e.created_at), (entriesPerDay.get(day(e.created_at)) ?? 0) + 1);
  for (const entry of left) {
    const candidates = byDay.get(day(entry.created_at)) ?? [];
    const i = candidates[0];
    if (candidates.length === 1 && entriesPerDay.get(day(entry.created_at)) === 1 && i !== undefined) {
      out[i] = withAnalytics(out[i]!, entry, analyticsFile, 'day');
      joined.day++;
      continue;
    }
    const data: PostData = {
      platform: 'linkedin',
      post_id: entry.post_id,
      author,
      text: '',
      created_at: entry.created_at,
      url: entry.url,
      is_reply: false,
      is_repost: false,
      metrics: {},
    };
    out.push(withAnalytics({ data, line: entry.row, datePrecision: 'day', metadata: { file: analyticsFile } }, entry, analyticsFile, 'id'));
  }
  return { posts: out, joined };
}

/** A company page export saved as .xlsx: find the header row below LinkedIn's note row and read it like a CSV. */
export async function readLinkedinCompanyWorkbook(
  file: string,
  options: { author?: string | undefined; fallbackAuthor?: string | undefined },
): Promise<ReadBatch> {
  const workbook = await loadWorkbook(file);
  const found = findCompanySheet(workbook);
  if (!found) throw new ReerError('E_INPUT_FORMAT', `${file}: no sheet with a "Post title … Impressions" header`, { details: { file } });
  const normalize = createRowNormalizer(found.binding, {
    file,
    format: LINKEDIN_COMPANY,
    author: options.author,
    fallbackAuthor: options.fallbackAuthor,
    platform: 'linkedin',
  });
  const posts: ParsedPost[] = [];
  const rejects: RejectedRow[] = [];
  let rows = 0;
  for (const { row, cells } of sheetRows(found.sheet)) {
    if (row <= found.headerRow) continue;
    const fields = found.header.map((_, i) => cellText(cells[i]));
    rows++;
    const result = normalize(fields, row);
    if (typeof result === 'string') {
      rejects.push({ file, line: row, format: 'linkedin-company', reason: result, row: Object.fromEntries(found.header.map((h, i) => [h, fields[i] ?? ''])) });
    } else posts.push(result);
  }
  return { posts, rejects, rows, bytesRead: 0 };
}

/** `acme-corp_content_1700000000000.xlsx` → `acme-corp` (LinkedIn names company exports after the page). */
export function authorFromCompanyFile(file: string): string | undefined {
  return /^(.+?)_content_/i.exec(basename(file))?.[1];
}
