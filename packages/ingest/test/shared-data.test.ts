import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceStore } from '@reer/trace-store';
import { ingestPaths } from '../src/ingest.ts';

// The real exports live beside the repo (../shared/data); they are other people's posts and are never copied in.
const SHARED = fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const present = existsSync(SHARED);
if (!present) console.warn(`skipping the real-export tests: ${SHARED} is absent (they need the shared data folder beside the repo)`);

interface Expected {
  folder: string;
  format: string;
  files: number;
  posts: number;
  rejected: number;
  replies?: number;
  reposts?: number;
  author?: string;
}

// The counts in ../shared/data/README.md.
const FOLDERS: Expected[] = [
  { folder: 'x-legacy-ropensci', format: 'x-legacy', files: 60, posts: 1668, rejected: 0, replies: 1668 - 1316, author: 'rOpenSci' },
  { folder: 'x-legacy-adho', format: 'x-legacy', files: 7, posts: 173, rejected: 0, author: 'ADHOrg' },
  { folder: 'x-legacy-pt', format: 'x-legacy', files: 1, posts: 332, rejected: 0, author: 'vayno' },
  { folder: 'x-content-en', format: 'x-current', files: 1, posts: 22, rejected: 2, author: 'newsnoteworthy' },
  { folder: 'x-content-ja', format: 'x-current', files: 1, posts: 1568, rejected: 30, replies: 1568 - 187, author: 'K_chachamaru' },
  { folder: 'meta-facebook', format: 'meta-facebook', files: 1, posts: 81, rejected: 0, author: 'PC Merchandise' },
  { folder: 'x-archive', format: 'x-archive', files: 1, posts: 1758, rejected: 0, replies: 160, reposts: 128 },
  { folder: 'broken', format: 'x-legacy', files: 1, posts: 160, rejected: 0, author: 'dot_alert' },
];

describe.skipIf(!present)('real exports in ../shared/data (counts from its README)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reer-shared-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(FOLDERS)('$folder: $posts posts, $rejected junk rows rejected', async (want) => {
    const dataDir = join(dir, want.folder);
    const summary = await ingestPaths([join(SHARED, want.folder)], { dataDir });
    expect(summary).toMatchObject({ files: want.files, rows_read: want.posts + want.rejected, posts_ingested: want.posts, new_versions: 0, duplicates: 0, rejected: want.rejected });
    expect(Object.keys(summary.by_format)).toEqual([want.format]);

    const store = await TraceStore.open(dataDir);
    try {
      let replies = 0;
      let reposts = 0;
      const authors = new Set<string>();
      for await (const record of store.latest('posts')) {
        if (record.type !== 'post') continue;
        if (record.data.is_reply) replies++;
        if (record.data.is_repost) reposts++;
        authors.add(record.data.author);
        // No text may keep mojibake or HTML entities once stored.
        expect(record.data.text).not.toMatch(/â€|ðŸ|&amp;|&gt;|&lt;/);
      }
      if (want.replies !== undefined) expect(replies).toBe(want.replies);
      if (want.reposts !== undefined) expect(reposts).toBe(want.reposts);
      if (want.author) expect([...authors]).toEqual([want.author]);
      expect(await store.validate()).toEqual([]);
    } finally {
      await store.close();
    }

    const again = await ingestPaths([join(SHARED, want.folder)], { dataDir });
    expect(again).toMatchObject({ posts_ingested: 0, new_versions: 0, duplicates: want.posts, rejected: want.rejected });
  });

  it('the whole folder at once: every export read, the README skipped', async () => {
    const summary = await ingestPaths([SHARED], { dataDir: join(dir, 'all'), dryRun: true });
    const posts = FOLDERS.reduce((n, f) => n + f.posts, 0);
    expect(summary).toMatchObject({ files: 73, posts_ingested: posts, rejected: 32 });
    expect(summary.warnings).toContain(`skipped ${join(SHARED, 'README.md')}: not an export file`);
  });
});
