import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { PlatformSchema, ReerError, errorMessage, formatZodIssues, type Platform } from '@reer/core';
import Papa from 'papaparse';
import { z } from 'zod';

/** One post to score, from any of the input formats. */
export interface InputPost {
  id: string;
  text: string;
  platform?: Platform;
  created_at?: string;
}

const JsonlRow = z
  .object({
    id: z.union([z.string().min(1), z.number()]).optional(),
    text: z.string(),
    platform: PlatformSchema.optional(),
    created_at: z.iso.datetime({ offset: true }).optional(),
  })
  .loose();

const TEXT_COLUMNS = ['text', 'post text', 'tweet text', 'content', 'post', 'caption', 'message'];
const ID_COLUMNS = ['id', 'post id', 'tweet id'];

function parseJsonl(file: string, content: string): InputPost[] {
  const posts: InputPost[] = [];
  const lines = content.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw new ReerError('E_INPUT_FORMAT', `${file}:${i + 1}: not JSON (${errorMessage(cause)})`, {
        hint: 'Write one JSON object per line: {"id": "1", "text": "…", "platform": "x"}.',
      });
    }
    const row = JsonlRow.safeParse(value);
    if (!row.success) {
      throw new ReerError('E_INPUT_FORMAT', `${file}:${i + 1}: ${formatZodIssues(row.error).join('; ')}`, {
        hint: 'Each line needs a string `text`; `id`, `platform` and `created_at` (ISO 8601) are optional.',
      });
    }
    const { id, text, platform, created_at } = row.data;
    posts.push({ id: id === undefined ? String(posts.length + 1) : String(id), text, ...(platform ? { platform } : {}), ...(created_at ? { created_at } : {}) });
  }
  return posts;
}

function parseCsv(file: string, content: string): InputPost[] {
  const parsed = Papa.parse<Record<string, string>>(content.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: 'greedy' });
  const fields = parsed.meta.fields ?? [];
  const find = (names: readonly string[]) => fields.find((f) => names.includes(f.trim().toLowerCase()));
  const textColumn = find(TEXT_COLUMNS);
  if (textColumn === undefined) {
    throw new ReerError('E_INPUT_FORMAT', `${file}:1: no text column (found: ${fields.join(', ') || 'none'})`, {
      hint: `Name the column with the post text one of: ${TEXT_COLUMNS.join(', ')}.`,
    });
  }
  const firstError = parsed.errors.find((e) => e.code !== 'UndetectableDelimiter');
  if (firstError) {
    throw new ReerError('E_INPUT_FORMAT', `${file}:${(firstError.row ?? 0) + 2}: ${firstError.message}`, { hint: 'Fix the CSV quoting at that line.' });
  }
  const idColumn = find(ID_COLUMNS);
  const platformColumn = find(['platform']);
  const timeColumn = find(['created_at', 'date', 'time']);
  return parsed.data.map((row, i) => {
    const platformValue = platformColumn ? row[platformColumn]?.trim() : undefined;
    let platform: Platform | undefined;
    if (platformValue) {
      const p = PlatformSchema.safeParse(platformValue.toLowerCase());
      if (!p.success) {
        throw new ReerError('E_INPUT_FORMAT', `${file}:${i + 2}: unknown platform '${platformValue}'`, {
          hint: `Use one of ${PlatformSchema.options.join(', ')}.`,
        });
      }
      platform = p.data;
    }
    const time = timeColumn ? row[timeColumn]?.trim() : undefined;
    const created = time && !Number.isNaN(Date.parse(time)) ? new Date(Date.parse(time)).toISOString() : undefined;
    return {
      id: (idColumn ? row[idColumn]?.trim() : '') || String(i + 1),
      text: row[textColumn] ?? '',
      ...(platform ? { platform } : {}),
      ...(created ? { created_at: created } : {}),
    };
  });
}

function parseParagraphs(content: string): InputPost[] {
  return content
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((text, i) => ({ id: String(i + 1), text }));
}

/**
 * Read posts to score: JSONL (`.jsonl`, `.ndjson`, or content starting with `{`) of
 * `{ id, text, platform?, created_at? }`, a CSV with a text column, or plain text with one post
 * per paragraph (posts separated by a blank line).
 */
export async function readInputPosts(file: string): Promise<InputPost[]> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ReerError('E_INPUT_NOT_FOUND', `${file}: cannot read (${errorMessage(cause)})`, { hint: 'Check the path given to --input.', cause });
  }
  const ext = extname(file).toLowerCase();
  const posts =
    ext === '.jsonl' || ext === '.ndjson' || (ext !== '.csv' && content.trimStart().startsWith('{'))
      ? parseJsonl(file, content)
      : ext === '.csv'
        ? parseCsv(file, content)
        : parseParagraphs(content);
  if (posts.length === 0) {
    throw new ReerError('E_INPUT_FORMAT', `${file}: no posts found`, { hint: 'The file is empty: give one post per line (JSONL), per row (CSV) or per paragraph (text).' });
  }
  return posts;
}
