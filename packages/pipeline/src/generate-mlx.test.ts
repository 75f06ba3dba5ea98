import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type PostData } from '@reer/core';
import { createRegistry } from '@reer/lm-registry';
import { TraceStore } from '@reer/trace-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatorLmFrom } from './lm-session.ts';
import { runGeneration } from './run-generation.ts';

const bridgeDir = fileURLToPath(new URL('../../../mlx-bridge/', import.meta.url));
const python = join(bridgeDir, '.venv', 'bin', 'python');

const PARROT_POST = 'Release day: the package now has faster imports and better docs.';

/** A model of the bridge's fixture script, built offline; fails (never skips) without the venv. */
function buildModel(args: string[]): string {
  if (!existsSync(python)) throw new Error(`the MLX bridge venv is missing (${python}): run \`pnpm bridge:setup\` first (CI runs it before the tests)`);
  const built = spawnSync(python, ['-m', 'mlx_bridge.random_model', ...args], { cwd: bridgeDir, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building the test model failed:\n${built.stderr}`);
  return built.stdout.trim().split('\n').pop() ?? '';
}

describe('generate end to end through the MLX bridge (tiny random model)', () => {
  let registry: ReturnType<typeof createRegistry>;
  let uri = '';
  let parrotUri = '';
  let dataDir = '';

  beforeAll(async () => {
    uri = `mlx::${buildModel(['--preset', 'tiny'])}`;
    // The tiny model rewired to answer every prompt with one fixed post, so the valid path is exercised too.
    parrotUri = `mlx::${buildModel(['--preset', 'parrot', '--say', PARROT_POST, '--out', join(bridgeDir, '.cache', 'pipeline-parrot-model')])}`;
    registry = createRegistry({ config: loadConfig(), env: { HF_HUB_OFFLINE: '1' } });
    dataDir = mkdtempSync(join(tmpdir(), 'reer-gen-mlx-'));
    const store = await TraceStore.open(dataDir);
    const history: PostData[] = Array.from({ length: 10 }, (_, i) => ({
      platform: 'x',
      post_id: String(i + 1),
      author: 'lab',
      text: `Post ${i} about our package`,
      created_at: new Date(Date.UTC(2024, 0, i + 1)).toISOString(),
      is_reply: false,
      is_repost: false,
      metrics: { impressions: 100, likes: i },
    }));
    await store.append('posts', history.map((data) => ({ type: 'post' as const, source: 'test', data })));
    await store.close();
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
  });

  it('runs every stage on gibberish: generation, the repair rounds, rule checks, scoring, storage', async () => {
    const result = await runGeneration({ dataDir, topic: 'package release', platform: 'x', lms: [generatorLmFrom(registry.resolve(uri))], candidates: 3, seed: 7 });
    // When the model's candidates are all dropped, labelled offline ones stand in for them.
    const all = [...result.candidates.filter((c) => c.lm === uri), ...result.dropped];
    expect(all).toHaveLength(3);
    if (result.offlineFallback) expect(result.candidates.every((c) => c.lm === 'offline::template')).toBe(true);
    // Gibberish, but the model wrote it: no candidate failed to generate.
    expect(all.filter((c) => c.dropped?.startsWith('generation failed'))).toEqual([]);
    for (const c of all) {
      expect(c.lm).toBe(uri);
      expect(c.text.length).toBeGreaterThan(0);
      // One call per program run, plus at most one Ax retry each when a reply does not parse.
      expect(c.usage.calls).toBeGreaterThanOrEqual(1 + c.repairs);
      expect(c.usage.calls).toBeLessThanOrEqual(2 * (1 + c.repairs));
      expect(c.usage.output_tokens).toBeGreaterThan(0);
      expect(c.score).not.toBeNull();
      // A random model never ends a post: it runs into the token limit, is repaired, and is dropped if still cut off.
      if (c.violations.some((v) => v.startsWith('truncated'))) {
        expect(c.repairs).toBe(2);
        expect(c.dropped).toMatch(/still invalid after 2 repair/);
      }
    }
    const store = await TraceStore.open(dataDir);
    expect(await store.count('candidates', { where: { run_id: result.runId } })).toBe(result.candidates.length + result.dropped.length);
    await store.close();
  }, 180_000);

  it('ranks and stores a valid post, collapsing identical ones (parrot model)', async () => {
    const result = await runGeneration({ dataDir, topic: 'package release', platform: 'x', lms: [generatorLmFrom(registry.resolve(parrotUri))], candidates: 3 });
    expect(result.candidates.map((c) => c.text)).toEqual([PARROT_POST]);
    expect(result.candidates[0]).toMatchObject({ rank: 1, valid: true, lm: parrotUri });
    expect(result.dropped.map((c) => c.dropped)).toEqual([expect.stringMatching(/^near-duplicate/), expect.stringMatching(/^near-duplicate/)]);
  }, 120_000);

  it('splits the model output into a thread whose parts fit', async () => {
    const result = await runGeneration({ dataDir, topic: 'package release', platform: 'x', lms: [generatorLmFrom(registry.resolve(uri))], candidates: 1, thread: true, limit: 40 });
    // The random model's text is cut off at the token limit, but the splitter still makes parts that fit.
    const c = [...result.candidates, ...result.dropped][0];
    expect(c?.parts?.length ?? 0).toBeGreaterThan(0);
    expect(c?.violations.filter((v) => v.includes('too_long'))).toEqual([]);
  }, 120_000);
});
