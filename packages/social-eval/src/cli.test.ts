import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { runCaptured } from '@reer/cli-kit/testing';
import type { PostData } from '@reer/core';
import { TraceStore } from '@reer/trace-store';
import { buildProgram } from './program.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const cli = (...args: string[]): Promise<Run> => runCaptured(buildProgram(), args);

/** A small history where posts mentioning "webinar" get three times the likes. */
function history(count: number): PostData[] {
  const words = ['release', 'package', 'data', 'team', 'docs', 'review', 'notes', 'update', 'community', 'guide'];
  return Array.from({ length: count }, (_, i) => {
    const webinar = i % 4 === 0;
    const text = `${words[i % 10]} ${words[(i * 7) % 10]} ${words[(i * 3) % 10]} ${webinar ? 'webinar' : 'meeting'} ${i % 3 === 0 ? 'https://example.org' : ''}`.trim();
    const impressions = 1000 + i * 5;
    const likes = (webinar ? 30 : 10) + (i % 5);
    return {
      platform: 'x' as const,
      post_id: String(5000 + i),
      author: 'acme',
      text,
      created_at: new Date(Date.parse('2023-01-01T00:00:00.000Z') + i * 86_400_000).toISOString(),
      is_reply: false,
      is_repost: false,
      metrics: { impressions, likes, replies: 1, reposts: 2 },
    };
  });
}

let dir: string;
let dataDir: string;
let emptyDir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'social-eval-'));
  dataDir = join(dir, 'data');
  emptyDir = join(dir, 'empty');
  const store = await TraceStore.open(dataDir);
  await store.upsert('posts', history(160).map((data) => ({ type: 'post' as const, source: 'test', data })));
  await store.close();
  await writeFile(join(dir, 'posts.txt'), 'Join our webinar on data review?\n\nRelease notes are out: https://example.org\n\n@bob thanks\n');
  await writeFile(
    join(dir, 'posts.jsonl'),
    [
      JSON.stringify({ id: 'a', text: 'Webinar next week: how we review packages', platform: 'x' }),
      JSON.stringify({ id: 7, text: 'A longer LinkedIn post about our review process.\n\nWhat would you change?', platform: 'linkedin', created_at: '2024-01-02T10:00:00Z' }),
    ].join('\n'),
  );
  await writeFile(join(dir, 'posts.csv'), 'id,text\nc1,"Docs update, with a list:\n- one\n- two"\nc2,Short one\n');
  await writeFile(join(dir, 'bad.jsonl'), '{"id":"1","text":"ok"}\n{"id":"2"}\n');
  await writeFile(join(dir, 'notext.csv'), 'id,body\n1,hello\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
});

describe('social-eval score', () => {
  it('scores plain text paragraphs as JSON lines in input order (heuristics only without history)', async () => {
    const run = await cli('score', '--input', join(dir, 'posts.txt'), '--data-dir', emptyDir, '--json');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['1', '2', '3']);
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(['contributions', 'explanation', 'id', 'score', 'valid', 'violations']);
      expect(line.score).toBeGreaterThanOrEqual(0);
      expect(line.score).toBeLessThanOrEqual(1);
      expect(line.explanation).toContain('heuristics only');
    }
    expect(lines[2].violations[0].rule).toBe('starts_with_mention');
  });

  it('reads JSONL with per-post platforms and CSV with a text column', async () => {
    const jsonl = await cli('score', '--input', join(dir, 'posts.jsonl'), '--data-dir', emptyDir, '--json');
    expect(jsonl.code).toBe(0);
    expect(jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['a', '7']);
    const csv = await cli('score', '--input', join(dir, 'posts.csv'), '--data-dir', emptyDir);
    expect(csv.code).toBe(0);
    expect(csv.stdout).toMatch(/^id\s+score\s+valid/);
    expect(csv.stdout).toContain('c2');
  });

  it('fits, caches and uses the learned model of the data dir', async () => {
    const run = await cli('score', '--input', join(dir, 'posts.jsonl'), '--data-dir', dataDir, '--json');
    expect(run.code).toBe(0);
    expect(existsSync(join(dataDir, 'models', 'engagement-model.json'))).toBe(true);
    const [x, linkedin] = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(x.explanation).toContain('learned from your history');
    expect(linkedin.explanation).toContain('heuristics only');
  });

  it('scores posts that name no platform for the platform of the data dir’s history', async () => {
    const fbDir = join(dir, 'facebook-data');
    const store = await TraceStore.open(fbDir);
    await store.upsert('posts', history(120).map((p) => ({ type: 'post' as const, source: 'test', data: { ...p, platform: 'facebook' as const } })));
    await store.close();
    const run = await cli('score', '--input', join(dir, 'posts.txt'), '--data-dir', fbDir, '--json');
    expect(run.code).toBe(0);
    const [first] = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(first.explanation).toContain('learned from your history');
  });

  it.each([
    ['a missing input file', ['--input', 'nope.txt'], /nope\.txt: cannot read/],
    ['a JSONL line without text', ['--input', 'BAD'], /bad\.jsonl:2: text/],
    ['a CSV without a text column', ['--input', 'NOTEXT'], /notext\.csv:1: no text column/],
    ['no --input', [], /required option '--input <file>'/],
    ['an unknown platform', ['--input', 'TXT', '--platform', 'myspace'], /Allowed choices are/],
  ])('exits 2 on %s', async (_name, args, message) => {
    const mapped = args.map((a) => (a === 'BAD' ? join(dir, 'bad.jsonl') : a === 'NOTEXT' ? join(dir, 'notext.csv') : a === 'TXT' ? join(dir, 'posts.txt') : a));
    const run = await cli('score', ...mapped, '--data-dir', emptyDir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('social-eval check', () => {
  it('exits 0 when every post passes', async () => {
    const run = await cli('check', '--input', join(dir, 'posts.csv'), '--min-score', '0', '--max-violations', '5', '--data-dir', emptyDir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('2/2 posts passed');
  });

  it('exits 1 when a post fails, and writes JUnit XML', async () => {
    const junit = join(dir, 'report.xml');
    const run = await cli('check', '--input', join(dir, 'posts.txt'), '--min-score', '0.5', '--junit', junit, '--data-dir', emptyDir);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL/);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="social-eval check" tests="3" failures="\d"/);
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toMatch(/<failure message="[^"]*1 violations &gt; 0[^"]*" type="check">/);
    expect(xml).not.toMatch(/<failure[^>]*>[^<]*@bob thanks[^<]*<(?!\/failure)/);
  });

  it('prints a saved evaluation with --json', async () => {
    const run = await cli('check', '--input', join(dir, 'posts.txt'), '--min-score', '0', '--max-violations', '9', '--json', '--data-dir', emptyDir);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ kind: 'check', metrics: { failed: 0, pass_rate: 1 } });
    expect(out.results).toHaveLength(3);
  });

  it.each([
    ['a score above 1', ['--min-score', '2']],
    ['a negative max-violations', ['--min-score', '0.5', '--max-violations', '-1']],
    ['no --min-score', []],
  ])('exits 2 on %s', async (_name, args) => {
    const run = await cli('check', '--input', join(dir, 'posts.txt'), ...args, '--data-dir', emptyDir);
    expect(run.code).toBe(2);
  });

  it('exits 2 when the JUnit file cannot be written', async () => {
    const run = await cli('check', '--input', join(dir, 'posts.txt'), '--min-score', '0', '--junit', join(dir, 'no', 'such', 'dir.xml'), '--data-dir', emptyDir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot write the JUnit report/);
  });
});

describe('social-eval fit', () => {
  it('exits 1 with the reason when the history is too short', async () => {
    const run = await cli('fit', '--data-dir', emptyDir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/E_INSUFFICIENT_DATA.*too little history/);
  });

  it('fits, saves and prints cross-validated quality', async () => {
    const run = await cli('fit', '--data-dir', dataDir, '--json');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ status: 'fitted', platform: 'x', fit: { posts: 160 } });
    expect(out.cv.spearman).toBeGreaterThan(0.3);
    const table = await cli('fit', '--data-dir', dataDir);
    expect(table.stdout).toMatch(/Spearman, model alone\s+0\.\d{3}/);
  });
});

describe('social-eval backtest and compare', () => {
  it('backtests, and compare passes on identical evaluations and fails on a regression', async () => {
    const run = await cli('backtest', '--data-dir', dataDir, '--split', '0.7', '--json');
    expect(run.code).toBe(0);
    const saved = JSON.parse(run.stdout);
    expect(saved.kind).toBe('backtest');
    expect(saved.result.test_posts).toBe(48);
    expect(saved.metrics.scorer_spearman).toBeGreaterThan(0.3);
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    await writeFile(a, run.stdout);
    expect((await cli('compare', a, a)).code).toBe(0);

    await writeFile(b, JSON.stringify({ ...saved, metrics: { ...saved.metrics, scorer_spearman: saved.metrics.scorer_spearman - 0.2 } }));
    const worse = await cli('compare', a, b);
    expect(worse.code).toBe(1);
    expect(worse.stdout).toMatch(/scorer_spearman.*regression/);
    expect((await cli('compare', a, b, '--threshold', '0.5')).code).toBe(0);
    expect((await cli('compare', b, a)).stdout).toMatch(/improvement/);
  });

  it('prints the table for people', async () => {
    const run = await cli('backtest', '--data-dir', dataDir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/length only/);
    expect(run.stdout).toMatch(/heuristic layer alone/);
  });

  it('lower-is-better metrics regress when they rise', async () => {
    const a = join(dir, 'c1.json');
    const b = join(dir, 'c2.json');
    await writeFile(a, JSON.stringify({ kind: 'check', subject: 'x', metrics: { failed: 1, pass_rate: 0.9 } }));
    await writeFile(b, JSON.stringify({ kind: 'check', subject: 'x', metrics: { failed: 3, pass_rate: 0.9 } }));
    const run = await cli('compare', a, b, '--json');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).changes).toContainEqual({ metric: 'failed', before: 1, after: 3, delta: 2, status: 'regression' });
  });

  it.each([
    ['a missing file', 'missing.json', /cannot read/],
    ['not JSON', 'garbage.json', /not JSON/],
    ['not an evaluation', 'shape.json', /not a saved evaluation/],
    ['a bad threshold', 'THRESHOLD', /non-negative/],
  ])('compare exits 2 on %s', async (_name, file, message) => {
    await writeFile(join(dir, 'garbage.json'), '{oops');
    await writeFile(join(dir, 'shape.json'), '{"kind":"x"}');
    await writeFile(join(dir, 'ok.json'), '{"kind":"check","subject":"s","metrics":{"failed":0}}');
    const run =
      file === 'THRESHOLD'
        ? await cli('compare', join(dir, 'ok.json'), join(dir, 'ok.json'), '--threshold', '-1')
        : await cli('compare', join(dir, 'ok.json'), join(dir, file));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('--help exits 0 and shows an example', async () => {
    const run = await cli('check', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Examples:\n\s+\$ social-eval check/);
  });
});
