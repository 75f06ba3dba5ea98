import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCaptured } from '@reer/cli-kit/testing';
import { buildProgram } from './program.ts';

const FIXTURES = fileURLToPath(new URL('../../ingest/test/fixtures/', import.meta.url));
const LEGACY = join(FIXTURES, 'x-legacy/tweet_activity_metrics_fixture_acct_20240101_20240201_en.csv');
const CURRENT = join(FIXTURES, 'x-current/account_analytics_content_2025-11-02_2025-11-09.csv');
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the CLI in-process and captures what it prints. */
const run = (args: string[]) => runCaptured(buildProgram(), args);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'social-collect-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('social-collect ingest', () => {
  it('exit 0 when every row was read; the summary table on stdout', async () => {
    const result = await run(['ingest', LEGACY, '--data-dir', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/x-legacy\s+1\s+5\s+5\s+0\s+0\s+0/);
    expect(result.stdout).toMatch(/total\s+1\s+5\s+5\s+0\s+0\s+0/);
  });

  it('exit 1 when rows were rejected; --json is one object with the counts', async () => {
    const result = await run(['ingest', LEGACY, CURRENT, '--data-dir', dir, '--json']);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ files: 2, rows_read: 9, posts_ingested: 7, new_versions: 0, duplicates: 0, rejected: 2, rejects_file: join(dir, 'social/rejects.jsonl') });
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const again = JSON.parse((await run(['ingest', LEGACY, '--data-dir', dir, '--json'])).stdout) as Record<string, unknown>;
    expect(again).toMatchObject({ posts_ingested: 0, duplicates: 5 });
  });

  it('exit 2 with one line naming the file for an unknown format or a summary file', async () => {
    const unknown = await run(['ingest', join(FIXTURES, 'refused/unknown.csv'), '--data-dir', dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toMatch(/^error \[E_INPUT_FORMAT\]: .*refused\/unknown\.csv: unknown export format/);
    const daily = await run(['ingest', join(FIXTURES, 'refused/daily_tweet_activity_metrics_acct_20240101_20240201_en.csv'), '--data-dir', dir]);
    expect(daily.code).toBe(2);
    expect(daily.stderr).toMatch(/per-day totals/);
    const missing = await run(['ingest', join(dir, 'nope.csv'), '--data-dir', dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.csv: cannot read/);
  });

  it('--map, --platform and --author read a generic export', async () => {
    const file = join(FIXTURES, 'generic/buffer-export.csv');
    const result = await run(['ingest', file, '--data-dir', dir, '--platform', 'linkedin', '--author', 'jane', '--map', 'post_id=ID,text=Post', '--map', 'created_at=Sent at', '--map', 'impressions=Impr.', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ posts_ingested: 2, rejected: 2, by_format: { generic: { files: 1 } } });
    const bad = await run(['ingest', file, '--data-dir', dir, '--map', 'nonsense=ID']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown field "nonsense"/);
  });

  it('--dry-run writes nothing', async () => {
    const result = await run(['ingest', LEGACY, '--data-dir', dir, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/dry run: nothing was written/);
    expect(() => readFileSync(join(dir, 'social/normalized.jsonl'))).toThrow();
  });
});

describe('social-collect stats and validate', () => {
  it('stats reports posts per platform and author, date range and metric coverage', async () => {
    await run(['ingest', LEGACY, CURRENT, '--data-dir', dir]);
    const json = await run(['stats', '--data-dir', dir, '--json']);
    expect(json.code).toBe(0);
    const stats = JSON.parse(json.stdout) as { posts: number; by_author: { author: string; posts: number; coverage: Record<string, number> }[] };
    expect(stats).toMatchObject({ posts: 7, versions: 7, first: '2024-01-05T14:03:00.000Z', last: '2025-11-09T00:00:00.000Z' });
    expect(stats.by_author.map((a) => [a.author, a.posts])).toEqual([
      ['fixture_acct', 5],
      ['nowacct', 2],
    ]);
    expect(stats.by_author[0]?.coverage.bookmarks).toBeUndefined();
    expect(stats.by_author[1]?.coverage.bookmarks).toBe(1);
    const table = await run(['stats', '--data-dir', dir]);
    expect(table.stdout).toMatch(/x\s+fixture_acct\s+5\s+1\s+1\s+2024-01-05\s+2024-01-09/);
  });

  it('validate: exit 0 on a good store, exit 1 with file and line on a bad one', async () => {
    await run(['ingest', LEGACY, '--data-dir', dir]);
    const ok = await run(['validate', '--data-dir', dir]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/store OK/);
    appendFileSync(join(dir, 'social/normalized.jsonl'), '{"not":"a record"}\n');
    const bad = await run(['validate', '--data-dir', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/social\/normalized\.jsonl:6: /);
    const json = await run(['validate', '--data-dir', dir, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problems: [{ file: 'social/normalized.jsonl', line: 6 }] });
  });
});

describe('the real binary', () => {
  it('bin/social-collect.js ends with the exit codes the summary promises', () => {
    const bin = join(REPO, 'packages/social-collect/bin/social-collect.js');
    const ok = spawnSync(process.execPath, [bin, '--data-dir', dir, 'ingest', LEGACY, '--json'], { cwd: REPO, encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ posts_ingested: 5 });
    const rejected = spawnSync(process.execPath, [bin, '--data-dir', dir, 'ingest', CURRENT], { cwd: REPO, encoding: 'utf8' });
    expect(rejected.status).toBe(1);
    const unusable = spawnSync(process.execPath, [bin, '--data-dir', dir, 'ingest', join(FIXTURES, 'refused/unknown.csv')], { cwd: REPO, encoding: 'utf8' });
    expect(unusable.status).toBe(2);
    expect(unusable.stderr.split('\n')[0]).toContain('unknown.csv');
  });
});
