import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@reer/core';
import { createRegistry, type LanguageModel, type LmRegistry } from '@reer/lm-registry';
import { TraceStore, isTraceRecord } from '@reer/trace-store';
import { standInLm } from '../test/stand-in-lm.ts';
import { syntheticPosts, testEngagement } from '../test/synthetic-posts.ts';
import { defaultReerConfig } from './config.ts';
import { mine } from './mine.ts';
import { DEFAULT_SCORE_OPTIONS, scoreTrajectories } from './reer-score.ts';

// End to end with the MLX bridge's tiny random model (mlx-bridge/.venv from `pnpm bridge:setup`).
const bridgeDir = resolve(import.meta.dirname, '../../../mlx-bridge');
const python = process.env.REER_MLX_PYTHON ?? join(bridgeDir, '.venv', 'bin', 'python');
const hasBridge = existsSync(python);
if (!hasBridge) console.warn(`skipping the MLX end-to-end tests: ${python} is absent (run \`pnpm bridge:setup\`)`);

let registry: LmRegistry;
let tiny: LanguageModel;

beforeAll(async () => {
  if (!hasBridge) return;
  const built = spawnSync(python, ['-m', 'mlx_bridge.random_model', '--preset', 'tiny'], { cwd: bridgeDir, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building the tiny model failed:\n${built.stderr}`);
  const modelDir = built.stdout.trim().split('\n').pop() ?? '';
  registry = createRegistry({ config: loadConfig(), env: { HF_HUB_OFFLINE: '1' } });
  tiny = await registry.load(`mlx::${modelDir}`);
});

afterAll(async () => {
  await registry?.close();
});

const post = 'Version 2.0 of our mapping package is out on CRAN today. It reads shapefiles three times faster. Read the changelog: https://example.org/blog';
const query = 'Announce the new release of the mapping package to R users.';

describe(`REER with the MLX bridge tiny model${hasBridge ? '' : ' (skipped: no mlx-bridge/.venv, run pnpm bridge:setup)'}`, () => {
  it.skipIf(!hasBridge)('scores y given (x, z) with the real tokenizer: in [0, 2], only y tokens, z changes the score', async () => {
    expect(tiny.capabilities.score).toBe(true);
    const [copy, empty, plan] = await scoreTrajectories(tiny, { query, post, trajectories: [post, '', 'I will announce the release to R users and link the blog.'] }, DEFAULT_SCORE_OPTIONS);
    for (const s of [copy, empty, plan]) {
      expect(s?.score).toBeGreaterThanOrEqual(0);
      expect(s?.score).toBeLessThanOrEqual(2);
    }
    // y sits after the same "<answer>\n" in every continuation, so the same tokens are scored.
    expect(copy?.tokens).toBe(empty?.tokens);
    expect(plan?.tokens).toBe(empty?.tokens);
    // A random model puts nearly every token below the clip (score 2), so compare unclipped.
    const [copyRaw, emptyRaw] = await scoreTrajectories(tiny, { query, post, trajectories: [post, ''] }, { ...DEFAULT_SCORE_OPTIONS, clip: -100 });
    expect(copyRaw?.score).not.toBe(emptyRaw?.score);
    const twoSegments = `${'a'.repeat(120)} first part.\n\n${'b'.repeat(120)} second part.`;
    const [conditioned] = await scoreTrajectories(tiny, { query, post: twoSegments, trajectories: ['plan'] }, DEFAULT_SCORE_OPTIONS);
    const [whole] = await scoreTrajectories(tiny, { query, post: twoSegments, trajectories: ['plan'] }, { ...DEFAULT_SCORE_OPTIONS, conditionFirstSegment: false });
    expect(conditioned?.tokens).toBeLessThan(whole?.tokens ?? 0);
  });

  it.skipIf(!hasBridge)('mines traces with a scripted generator and the tiny model as scorer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reer-mlx-'));
    const store = await TraceStore.open(dir);
    try {
      await store.append('posts', syntheticPosts(20).map((data) => ({ type: 'post' as const, source: 'test', data })));
      const generator = standInLm({
        outputTokens: () => 150,
        chat: (request) => {
          const content = request.messages.at(-1)?.content ?? '';
          if (content.includes('<brief>')) return '<brief>Tell R users about the release.</brief>';
          if (content.includes('[[SEGMENT TO REWRITE]]')) return '<rewrite>I open with the news itself, then the one detail readers care about, then the link.</rewrite>';
          return [
            'I want R users to notice the release at once, so the first words name the package and what changed for them.',
            'Hmm, the detail that matters is speed; wait, also thank the people who tested it, they will share it.',
          ].join('\n\n');
        },
      });
      const summary = await mine(store, { config: { ...defaultReerConfig(), top_k: 2, max_steps: 2 }, engagement: testEngagement, generator, scorer: tiny });
      expect(summary).toMatchObject({ mined: 2, failed: [], dropped: [] });
      for await (const r of store.latest('traces')) {
        if (!isTraceRecord(r)) continue;
        expect(r.data.models.scorer).toBe(tiny.uri);
        expect(r.data.initial_score).toBeGreaterThan(0);
        expect(r.data.final_score as number).toBeLessThanOrEqual(r.data.initial_score as number);
        expect(r.data.history.length).toBeGreaterThan(1);
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasBridge)('runs the whole mine with the tiny model as generator and scorer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reer-mlx-'));
    const store = await TraceStore.open(dir);
    try {
      await store.append('posts', syntheticPosts(12).map((data) => ({ type: 'post' as const, source: 'test', data })));
      const config = { ...defaultReerConfig(), top_k: 2, max_steps: 1, generation: { ...defaultReerConfig().generation, max_tokens: 48 } };
      const summary = await mine(store, { config, engagement: testEngagement, generator: tiny, scorer: tiny });
      // A random model's plans rarely pass the method's filters; each exemplar is mined or dropped by rule, never failed.
      expect(summary.failed).toEqual([]);
      expect(summary.mined + summary.dropped.length).toBe(2);
      for (const d of summary.dropped) expect(d.reason).toMatch(/too short|single segment/);
      expect(summary.usage.generator_calls).toBeGreaterThanOrEqual(4);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
