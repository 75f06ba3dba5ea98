// Test-only loader for the real exports in ../shared/data (never copied into the repo). It maps
// columns by header name, like the ingest package does, so the backtest can run on its own.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { z } from 'zod';
import type { PostData } from '@reer/core';

export const SHARED_DATA_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/data');
export const SHARED_DATA_PRESENT = existsSync(SHARED_DATA_DIR);

const ALIASES = {
  id: ['tweet id', 'id do tweet', 'post id', 'ポストid'],
  text: ['tweet text', 'texto do tweet', 'post text', 'ポスト本文', 'title'],
  time: ['time', 'horário', 'date', '日付', 'publish time'],
  impressions: ['impressions', 'impressões', 'インプレッション数', 'views'],
  likes: ['likes', 'favorites', 'favoritos', 'いいね', 'reactions'],
  reposts: ['retweets', 'reposts', 'リポスト', 'shares'],
  replies: ['replies', 'respostas', '返信', 'comments'],
  bookmarks: ['bookmarks', 'ブックマーク'],
  clicks: ['url clicks', 'cliques no url', 'url clicks', 'urlのクリック数'],
} as const;

const Row = z.array(z.string());

function parseDate(value: string): string | null {
  const legacy = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) \+0000$/.exec(value);
  if (legacy) return `${legacy[1]}T${legacy[2]}:00.000Z`;
  const meta = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})$/.exec(value);
  if (meta) return `${meta[3]}-${meta[1]}-${meta[2]}T${meta[4]}:${meta[5]}:00.000Z`;
  const t = Date.parse(`${value} UTC`);
  if (Number.isNaN(t)) return null;
  return new Date(t).toISOString();
}

function num(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === '-') return undefined;
  const n = Number(value.replace(/,/g, ''));
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function decodeEntities(text: string): string {
  return text.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

/** Posts of one CSV export (legacy, current or Meta), by header aliases. */
function loadCsv(file: string, platform: PostData['platform']): PostData[] {
  const parsed = Papa.parse<string[]>(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''), { skipEmptyLines: true });
  const rows = parsed.data.map((r) => Row.parse(r));
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase().replace(/:$/, '').replace(/\\$/, ''));
  const col = (names: readonly string[]) => header.findIndex((h) => names.includes(h));
  const idx = Object.fromEntries(Object.entries(ALIASES).map(([k, names]) => [k, col(names)])) as Record<keyof typeof ALIASES, number>;
  const out: PostData[] = [];
  for (const row of rows.slice(1)) {
    const id = row[idx.id] ?? '';
    const created = parseDate(row[idx.time] ?? '');
    if (!/^\d+$/.test(id) || created === null) continue;
    const text = decodeEntities(row[idx.text] ?? '');
    const metrics: PostData['metrics'] = {};
    for (const key of ['impressions', 'likes', 'reposts', 'replies', 'bookmarks', 'clicks'] as const) {
      const v = num(idx[key] >= 0 ? row[idx[key]] : undefined);
      if (v !== undefined) metrics[key] = v;
    }
    out.push({
      platform,
      post_id: id,
      author: 'shared',
      text,
      created_at: created,
      is_reply: /^\.?@\w/.test(text.trimStart()),
      is_repost: /^RT @/.test(text),
      metrics,
    });
  }
  return out;
}

const ArchiveTweet = z.object({
  tweet: z.object({
    id_str: z.string(),
    full_text: z.string(),
    created_at: z.string(),
    favorite_count: z.string(),
    retweet_count: z.string(),
    in_reply_to_status_id_str: z.string().optional(),
  }),
});

function loadArchive(file: string): PostData[] {
  const text = readFileSync(file, 'utf8').replace(/^window\.YTD\.tweets\.part0 = /, '');
  return z
    .array(ArchiveTweet)
    .parse(JSON.parse(text))
    .map(({ tweet }) => ({
      platform: 'x' as const,
      post_id: tweet.id_str,
      author: 'shared',
      text: decodeEntities(tweet.full_text),
      created_at: new Date(Date.parse(tweet.created_at)).toISOString(),
      is_reply: tweet.in_reply_to_status_id_str !== undefined,
      is_repost: tweet.full_text.startsWith('RT @'),
      metrics: { likes: Number(tweet.favorite_count), reposts: Number(tweet.retweet_count) },
    }));
}

/** The shared accounts usable for a backtest, by folder name. */
export const SHARED_ACCOUNTS = ['x-legacy-ropensci', 'x-legacy-adho', 'x-legacy-pt', 'x-content-en', 'x-content-ja', 'meta-facebook', 'x-archive'] as const;

/** Every post of one shared account, deduplicated by id (monthly exports overlap). */
export function loadSharedAccount(name: (typeof SHARED_ACCOUNTS)[number]): PostData[] {
  const dir = join(SHARED_DATA_DIR, name);
  const posts =
    name === 'x-archive'
      ? loadArchive(join(dir, 'tweets.js'))
      : readdirSync(dir)
          .filter((f) => f.endsWith('.csv'))
          .sort()
          .flatMap((f) => loadCsv(join(dir, f), name === 'meta-facebook' ? 'facebook' : 'x'));
  const byId = new Map(posts.map((p) => [p.post_id, p]));
  return [...byId.values()].sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/** Put posts into the data dir's store, as `social-collect ingest` would. */
export async function writePostsToStore(dataDir: string, posts: readonly PostData[]): Promise<void> {
  const { TraceStore } = await import('@reer/trace-store');
  const store = await TraceStore.open(dataDir);
  try {
    await store.upsert(
      'posts',
      posts.map((data) => ({ type: 'post' as const, source: 'test:shared-data', data })),
    );
  } finally {
    await store.close();
  }
}
