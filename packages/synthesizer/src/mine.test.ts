import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isReerError, type TraceData } from '@reer/core';
import { TraceStore, isStrategyRecord, isTraceRecord } from '@reer/trace-store';
import type { ChatRequest } from '@reer/lm-registry';
import { bigramCopyLogprob, standInLm } from '../test/stand-in-lm.ts';
import { syntheticPosts, testEngagement } from '../test/synthetic-posts.ts';
import { defaultReerConfig } from './config.ts';
import { findTrace, mine, refreshStrategies } from './mine.ts';

const PLAN = [
  'I want the people who use our tools to notice this quickly, so the first words have to say what is new and why it matters to them today.',
  'Hmm, which detail makes it concrete? Wait, the honest answer is the thing they asked for last month, so I lead with that and keep the rest short.',
  'Structure: the news first, one line of detail, then thanks, then where to read more. Outline: news; detail; thanks; link at the end.',
].join('\n\n');

function lastUser(request: ChatRequest): string {
  return request.messages.at(-1)?.content ?? '';
}

/** A scripted generator: a brief, a fixed first plan, and rewrites that echo two words of the post. */
function generator(options: { copy?: boolean; onChat?: () => void } = {}) {
  return standInLm({
    uri: 'stand-in::generator',
    outputTokens: () => 150,
    chat: (request) => {
      options.onChat?.();
      const content = lastUser(request);
      const post = /"""\n([\s\S]*?)\n"""/.exec(content)?.[1] ?? '';
      if (content.includes('<brief>')) return '<brief>Tell the community about the news and link to the details.</brief>';
      if (content.includes('[[SEGMENT TO REWRITE]]')) {
        const words = post.split(/\s+/).slice(0, 2).join(' ');
        return `<rewrite>I should open the way the news itself opens, "${words}", and then give the single detail that matters to readers.</rewrite>`;
      }
      return options.copy ? `${post}\n\n${post}` : PLAN;
    },
  });
}

let dir: string;
let store: TraceStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reer-mine-'));
  store = await TraceStore.open(dir);
  await store.append(
    'posts',
    syntheticPosts(60).map((data) => ({ type: 'post' as const, source: 'test', data })),
  );
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function traces(): Promise<TraceData[]> {
  const out: TraceData[] = [];
  for await (const r of store.latest('traces')) if (isTraceRecord(r)) out.push(r.data);
  return out;
}

const config = { ...defaultReerConfig(), top_k: 6, concurrency: 3 };

describe('mine with REER', () => {
  it('mines the top posts, stores a full trace for each, then strategies', async () => {
    const summary = await mine(store, { config, engagement: testEngagement, generator: generator(), scorer: standInLm({ logprob: bigramCopyLogprob }) });
    expect(summary).toMatchObject({ mode: 'reer', exemplars: 6, mined: 6, skipped: 0, failed: [], dropped: [], interrupted: false });
    const stored = await traces();
    expect(stored).toHaveLength(6);
    const t = stored[0] as TraceData;
    expect(t.mode).toBe('reer');
    expect(t.query).toBe('Tell the community about the news and link to the details.');
    expect(t.query_source).toBe('lm');
    expect(t.history[0]?.segment).toBe(-1);
    expect(t.final_score).not.toBeNull();
    expect(t.final_score as number).toBeLessThanOrEqual(t.initial_score as number);
    expect(t.models).toEqual({ generator: 'stand-in::generator', scorer: 'stand-in::ngram' });
    expect(t.usage?.generator_calls).toBeGreaterThan(1);
    // Exemplars are originals only, the best by engagement: never the reply with 500 likes.
    expect(stored.map((s) => s.post_id)).not.toContain('999');
    expect(summary.usage.scoring_calls).toBeGreaterThan(0);
    expect(summary.usage.scoring_calls).toBeLessThan(summary.usage.scored_candidates);
  });

  it('skips posts already mined unless forced', async () => {
    const scorer = standInLm({ logprob: bigramCopyLogprob });
    await mine(store, { config, engagement: testEngagement, generator: generator(), scorer });
    const again = await mine(store, { config, engagement: testEngagement, generator: generator(), scorer });
    expect(again).toMatchObject({ mined: 0, skipped: 6 });
    const forced = await mine(store, { config, engagement: testEngagement, generator: generator(), scorer, force: true });
    expect(forced).toMatchObject({ mined: 6, skipped: 0 });
  });

  it('keeps finished traces when interrupted, and a rerun mines only the rest', async () => {
    const controller = new AbortController();
    const scorer = standInLm({ logprob: bigramCopyLogprob });
    const first = await mine(store, {
      config: { ...config, concurrency: 1 },
      engagement: testEngagement,
      generator: generator(),
      scorer,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done === 2) controller.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    expect(first.mined).toBe(2);
    expect(first.strategies).toEqual([]);
    expect(await traces()).toHaveLength(2);
    const rest = await mine(store, { config, engagement: testEngagement, generator: generator(), scorer });
    expect(rest).toMatchObject({ mined: 4, skipped: 2 });
  });

  it('refuses a scorer without the score capability before generating anything', async () => {
    const gen = generator();
    const error = await mine(store, { config, engagement: testEngagement, generator: gen, scorer: standInLm({ uri: 'openai::gpt-4o-mini', canScore: false }) }).catch((e: unknown) => e);
    expect(isReerError(error, 'E_CAPABILITY')).toBe(true);
    expect(String((error as Error).message)).toContain('openai::gpt-4o-mini');
    expect(isReerError(error) ? error.hint : '').toMatch(/mlx::.*llama::.*dspy::local.*dspy::together_ai/);
    expect(gen.chatCalls).toHaveLength(0);
  });

  it('flags trajectories that copy the post and leaves them out of strategies', async () => {
    const summary = await mine(store, { config, engagement: testEngagement, generator: generator({ copy: true }), scorer: standInLm({ logprob: bigramCopyLogprob }) });
    expect(summary.leaked).toBe(6);
    expect((await traces()).every((t) => t.leak.flagged)).toBe(true);
    expect(summary.strategies).toEqual([]);
  });
});

describe('mine --no-lm', () => {
  it('stores extracted-query traces and strategies from features and timing alone', async () => {
    const summary = await mine(store, { config: { ...config, top_k: 20 }, engagement: testEngagement, noLm: true });
    expect(summary.mode).toBe('heuristic');
    expect(summary.mined).toBe(20);
    const stored = await traces();
    expect(stored.every((t) => t.mode === 'heuristic' && t.query_source === 'extracted' && t.trajectory === '')).toBe(true);
    expect(summary.strategies.length).toBeGreaterThan(0);
    const top = summary.strategies[0];
    expect(top?.mode).toBe('heuristic');
    expect(top?.lift.low).toBeLessThanOrEqual(top?.lift.estimate ?? 0);
    expect(top?.lift.high).toBeGreaterThanOrEqual(top?.lift.estimate ?? 0);
    expect(top?.example_post_ids.length).toBeGreaterThan(0);
    let stratRecords = 0;
    for await (const r of store.latest('strategies')) if (isStrategyRecord(r)) stratRecords++;
    expect(stratRecords).toBe(summary.strategies.length);
  });

  it('is deterministic: the same data gives the same strategies', async () => {
    await mine(store, { config: { ...config, top_k: 20 }, engagement: testEngagement, noLm: true });
    const a = await refreshStrategies(store, { config, engagement: testEngagement });
    const b = await refreshStrategies(store, { config, engagement: testEngagement });
    const strip = (s: typeof a.strategies) => s.map(({ run_id: _r, mined_at: _m, ...rest }) => rest);
    expect(strip(a.strategies)).toEqual(strip(b.strategies));
  });
});

describe('findTrace', () => {
  it('finds a trace by record id, post key or post id', async () => {
    await mine(store, { config: { ...config, top_k: 2 }, engagement: testEngagement, noLm: true });
    const [t] = await traces();
    const byKey = await findTrace(store, t?.post_key ?? '');
    expect(byKey?.data.post_id).toBe(t?.post_id);
    expect((await findTrace(store, byKey?.id ?? ''))?.data.post_key).toBe(t?.post_key);
    expect((await findTrace(store, t?.post_id ?? ''))?.id).toBe(byKey?.id);
    expect(await findTrace(store, 'nope')).toBeUndefined();
  });
});
