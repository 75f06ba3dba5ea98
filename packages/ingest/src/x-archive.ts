import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ReerError, formatZodIssues, type PostData, type PostMetrics } from '@reer/core';
import type { ParsedPost, ReadBatch, RejectedRow } from './types.ts';
import { CellError, decodeEntities, parseCount, parseDate, repairMojibake } from './values.ts';

const Count = z.union([z.string(), z.number()]).optional();
const Entities = z.looseObject({ media: z.array(z.unknown()).optional() }).optional();

/** The fields of an archived tweet we read; archives hold many more, which pass through. */
const ArchivedTweetSchema = z.looseObject({
  id_str: z.string().optional(),
  id: z.union([z.string(), z.number()]).optional(),
  full_text: z.string().optional(),
  text: z.string().optional(),
  created_at: z.string(),
  favorite_count: Count,
  retweet_count: Count,
  in_reply_to_status_id_str: z.string().nullish(),
  lang: z.string().optional(),
  entities: Entities,
  extended_entities: Entities,
});

const AccountFileSchema = z.array(z.looseObject({ account: z.looseObject({ username: z.string() }) }));

/** Strip `window.YTD.<name>.part0 = ` and parse the JSON that follows. */
function parseYtd(text: string, file: string): unknown {
  const eq = text.indexOf('=');
  try {
    return JSON.parse(text.slice(eq + 1));
  } catch (cause) {
    throw new ReerError('E_INPUT_FORMAT', `${file}: the archive file is not valid JavaScript-wrapped JSON`, {
      hint: 'Use the tweets.js file exactly as it came in the archive zip.',
      cause,
      details: { file },
    });
  }
}

/**
 * The handle of the archive's owner, from `account.js` next to `tweets.js` (the archive's own
 * layout). Undefined when there is none; the caller then uses `--author` or `unknown`.
 */
export async function archiveAccount(tweetsFile: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(dirname(tweetsFile), 'account.js'), 'utf8');
  } catch {
    // Most users copy tweets.js alone; the author then comes from --author.
    return undefined;
  }
  const parsed = AccountFileSchema.safeParse(parseYtd(text, 'account.js'));
  return parsed.success ? parsed.data[0]?.account.username : undefined;
}

/** Line numbers of each array entry, found by the `"tweet" :` wrapper key the archive writes. */
function entryLines(text: string): number[] {
  const lines: number[] = [];
  const re = /"tweet"\s*:/g;
  let line = 1;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    for (let i = text.indexOf('\n', last); i >= 0 && i < m.index; i = text.indexOf('\n', i + 1)) line++;
    last = m.index;
    // The entry starts at the `{` a line above the key.
    lines.push(Math.max(1, line - 1));
  }
  return lines;
}

/** Read an X archive `tweets.js` into posts; entries that fail their schema become rejects. */
export async function readXArchive(file: string, options: { author?: string | undefined }): Promise<ReadBatch> {
  const text = (await readFile(file, 'utf8')).replace(/^\ufeff/, '');
  const parsed = parseYtd(text, file);
  if (!Array.isArray(parsed)) {
    throw new ReerError('E_INPUT_FORMAT', `${file}: expected an array of tweets after "window.YTD.tweets.part0 ="`, { details: { file } });
  }
  const author = options.author ?? (await archiveAccount(file)) ?? 'unknown';
  const lines = entryLines(text);
  const useLines = lines.length === parsed.length;
  const posts: ParsedPost[] = [];
  const rejects: RejectedRow[] = [];
  parsed.forEach((entry: unknown, index) => {
    const line = useLines ? (lines[index] ?? index + 1) : index + 1;
    const raw = typeof entry === 'object' && entry !== null && 'tweet' in entry ? (entry as { tweet: unknown }).tweet : entry;
    const result = ArchivedTweetSchema.safeParse(raw);
    if (!result.success) {
      rejects.push({ file, line, format: 'x-archive', reason: formatZodIssues(result.error, `tweet[${index}]`).join('; ') });
      return;
    }
    const t = result.data;
    const id = t.id_str ?? (t.id === undefined ? undefined : String(t.id));
    if (!id || !/^\d+$/.test(id)) {
      rejects.push({ file, line, format: 'x-archive', reason: `empty or invalid tweet id "${id ?? ''}"` });
      return;
    }
    try {
      const date = parseDate(t.created_at, 'created_at');
      if (!date) throw new CellError('created_at: empty');
      const text = decodeEntities(repairMojibake(t.full_text ?? t.text ?? ''));
      const metrics: PostMetrics = {};
      const likes = parseCount(t.favorite_count, 'favorite_count');
      const reposts = parseCount(t.retweet_count, 'retweet_count');
      if (likes !== undefined) metrics.likes = likes;
      if (reposts !== undefined) metrics.reposts = reposts;
      // Keys in schema order (`lang` before the flags), so the store takes the post as it is.
      const data = {
        platform: 'x',
        post_id: id,
        author,
        text,
        created_at: date.iso,
        url: author === 'unknown' ? `https://x.com/i/web/status/${id}` : `https://x.com/${author}/status/${id}`,
      } as PostData;
      if (t.lang && t.lang !== 'und') data.lang = t.lang;
      data.is_reply = Boolean(t.in_reply_to_status_id_str);
      // Archives mark their owner's retweets only by the `RT @` prefix (`retweeted` stays false).
      data.is_repost = text.startsWith('RT @');
      data.has_media = Boolean(t.extended_entities?.media?.length ?? t.entities?.media?.length);
      data.metrics = metrics;
      posts.push({ data, line, datePrecision: date.precision });
    } catch (error: unknown) {
      if (!(error instanceof CellError)) throw error;
      rejects.push({ file, line, format: 'x-archive', reason: error.message });
    }
  });
  return { posts, rejects, rows: parsed.length, bytesRead: Buffer.byteLength(text) };
}
