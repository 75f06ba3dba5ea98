import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCaptured } from '@reer/cli-kit/testing';
import type { PostData, TraceData } from '@reer/core';
import { TraceStore } from '@reer/trace-store';
import { buildProgram } from './program.ts';

/** Runs the CLI in-process and captures what it prints. */
const run = (args: string[]) => runCaptured(buildProgram(), args);

function posts(n: number): PostData[] {
  const shapes = [
    (i: number) => `We're excited to announce version ${i}.0 of our mapping package! Read more: https://example.org/blog/${i}`,
    (i: number) => `How do you test geocoding code? Share your tips for project ${i}.`,
    (i: number) => `Notes from community call ${i}, thanks to everyone who joined.`,
  ];
  return Array.from({ length: n }, (_, i) => ({
    platform: 'x' as const,
    post_id: String(5000 + i),
    author: 'demo',
    text: (shapes[i % 3] as (i: number) => string)(i),
    created_at: new Date(Date.UTC(2022, 0, 3, 9) + i * 2 * 86_400_000).toISOString(),
    is_reply: false,
    is_repost: false,
    metrics: { impressions: 1000 + ((i * 37) % 500), likes: i % 3 === 0 ? 30 + (i % 7) : 5 + (i % 5), replies: i % 4, reposts: i % 3 },
  }));
}

let dir: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'social-reer-'));
  const store = await TraceStore.open(dir);
  await store.append('posts', posts(45).map((data) => ({ type: 'post' as const, source: 'test', data })));
  await store.close();
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('social-reer mine --no-lm, strategies, show', () => {
  it('mines strategies from features and timing alone, and says so', async () => {
    const first = await run(['mine', '--data-dir', dir, '--no-lm', '--top-k', '12']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Mode: heuristic \(--no-lm\)/);
    expect(first.stdout).toMatch(/exemplars 12: mined 12/);
    expect(first.stdout).toMatch(/Announcement/);

    const again = await run(['mine', '--data-dir', dir, '--no-lm', '--top-k', '12', '--json']);
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout) as { mode: string; mined: number; skipped: number; strategies: { lift: { n: number } }[] };
    expect(summary).toMatchObject({ mode: 'heuristic', mined: 0, skipped: 12 });
    expect(summary.strategies.length).toBeGreaterThan(0);

    const strategies = await run(['strategies', '--data-dir', dir, '--json']);
    expect(strategies.code).toBe(0);
    const parsed = JSON.parse(strategies.stdout) as { strategies: { name: string; example_post_ids: string[] }[] };
    const example = parsed.strategies[0]?.example_post_ids[0] ?? '';
    expect(example).not.toBe('');

    const human = await run(['strategies', '--data-dir', dir]);
    expect(human.stdout).toMatch(/When: /);
    expect(human.stdout).toMatch(/Best times: /);

    const show = await run(['show', '--data-dir', dir, example]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`x:${example}`);
    expect(show.stdout).toMatch(/Brief \(extracted from keywords and structure\)/);
    expect(show.stdout).toMatch(/No trajectory: mined with --no-lm/);
  });

  it('refuses at once a scorer that cannot score, naming the providers that can', async () => {
    const result = await run(['mine', '--data-dir', dir, '--lm', 'dspy::openai/gpt-4o-mini']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/E_CAPABILITY.*dspy::openai\/gpt-4o-mini cannot score/);
    expect(result.stderr).toMatch(/mlx::.*llama::.*dspy::local.*dspy::together_ai/);
  });

  it('shows a REER trace: the post, the brief, the plan as it evolved and each accepted score', async () => {
    const store = await TraceStore.open(dir);
    const trace: TraceData = {
      post_key: 'x:5001',
      platform: 'x',
      post_id: '5001',
      author: 'demo',
      metrics: { likes: 30 },
      engagement: 0.42,
      query: 'Announce the release to R users.',
      query_source: 'lm',
      post_text: 'Version 2 is out!',
      trajectory: 'First, new.\n\nSecond, kept.',
      segments: ['First, new.', 'Second, kept.'],
      initial_score: 1.5,
      final_score: 1.2,
      history: [
        { segment: -1, candidate: 'First, old.\n\nSecond, kept.', score: 1.5, accepted: true },
        { segment: 0, candidate: 'First, new.', score: 1.2, accepted: true },
        { segment: 0, candidate: '', score: null, accepted: false },
        { segment: 1, candidate: 'Second, worse.', score: 1.4, accepted: false },
        { segment: 1, candidate: 'Second, also worse.', score: 1.3, accepted: false },
      ],
      stop: 'sweep-complete',
      leak: { flagged: false, overlap: 0.05 },
      models: { generator: 'mlx::gen', scorer: 'mlx::scorer' },
      mode: 'reer',
    };
    const [stored] = await store.append('traces', [{ type: 'trace', source: 'test', data: trace }]);
    await store.close();
    const result = await run(['show', '--data-dir', dir, stored?.id ?? '']);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain('Version 2 is out!');
    expect(out).toContain('Brief (written by the LM):\n    Announce the release to R users.');
    expect(out).toContain('Score: 1.500 → 1.200');
    expect(out).toContain('Initial plan (score 1.500):\n    First, old.');
    expect(out).toMatch(/segment 1 rewritten — candidates 1\.200 ✓, malformed; best score now 1\.200\n {4}First, new\./);
    expect(out).toContain('segment 2 kept — candidates 1.400, 1.300; none beat 1.200');
    expect(out).toContain('Final plan (score 1.200):\n  [1] First, new.\n  [2] Second, kept.');
    const json = await run(['show', '--data-dir', dir, 'x:5001', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: stored?.id, data: { post_key: 'x:5001', final_score: 1.2 } });
  });

  it('exits 2 with a one-line error for an unknown trace', async () => {
    const result = await run(['show', '--data-dir', dir, 'nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/E_INPUT_NOT_FOUND.*no trace for nope/);
  });

  it('fails with a one-line usage error when no generator is configured, or both selections are given', async () => {
    const noLm = await run(['mine', '--data-dir', dir]);
    expect(noLm.code).toBeGreaterThan(0);
    expect(noLm.stderr).toMatch(/E_USAGE.*no generator LM given/);
    const both = await run(['mine', '--data-dir', dir, '--no-lm', '--top-k', '3', '--top-quantile', '0.1']);
    expect(both.code).toBeGreaterThan(0);
    expect(both.stderr).toMatch(/exclude each other/);
    const bad = await run(['mine', '--data-dir', dir, '--no-lm', '--top-k', '0']);
    expect(bad.code).toBe(2);
  });
});

const shared = resolve(import.meta.dirname, '../../../../shared/data/x-legacy-ropensci');
const hasShared = existsSync(shared);
if (!hasShared) console.warn(`skipping the real-data strategies test: ${shared} is absent (the shared analytics exports live in ../shared)`);

describe(`strategies on the shared real data with --no-lm${hasShared ? '' : ' (skipped: ../shared/data absent)'}`, () => {
  it.skipIf(!hasShared)('mines strategies with lift intervals from the rOpenSci export', async () => {
    const real = mkdtempSync(join(tmpdir(), 'social-reer-real-'));
    try {
      const { ingestPaths } = await import('@reer/ingest');
      const ingested = await ingestPaths([shared], { dataDir: real });
      expect(ingested.posts_ingested).toBeGreaterThan(1000);
      const result = await run(['mine', '--data-dir', real, '--no-lm', '--top-quantile', '0.1', '--json']);
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout) as {
        mode: string;
        posts: number;
        exemplars: number;
        strategies: { name: string; lift: { estimate: number; low: number; high: number; n: number }; best_times?: { n: number }[] }[];
      };
      expect(summary.mode).toBe('heuristic');
      expect(summary.posts).toBeGreaterThan(1000);
      expect(summary.exemplars).toBe(Math.ceil(summary.posts * 0.1));
      expect(summary.strategies.length).toBeGreaterThan(0);
      for (const s of summary.strategies) {
        expect(s.lift.low).toBeLessThanOrEqual(s.lift.estimate);
        expect(s.lift.high).toBeGreaterThanOrEqual(s.lift.estimate);
        expect(s.lift.n).toBeGreaterThanOrEqual(3);
        for (const t of s.best_times ?? []) expect(t.n).toBeGreaterThanOrEqual(8);
      }
    } finally {
      rmSync(real, { recursive: true, force: true });
    }
  });
});
