/**
 * `pnpm bench:reer`: REER mining throughput with fake LMs of fixed latency (1 s per generation,
 * 100 ms per `score` call) at --concurrency 8, measured for a fixed wall time and extrapolated to
 * 10 minutes; then `mine --no-lm` heuristic extraction over a large synthetic store.
 * The root has no workspace dependencies, so packages are imported through their public entry files.
 * Flags: --seconds N (75), --concurrency N (8), --segments N (10), --posts N (20000, for --no-lm).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostData } from '@reer/core';
import type { ChatRequest, ChatResult, ScoreRequest, ScoreResult } from '@reer/lm-registry';
import { defaultReerConfig, mine, type GeneratorLm, type ScoringLm } from '@reer/synthesizer';
import { TraceStore } from '@reer/trace-store';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? undefined : Number(process.argv[i + 1]);
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

const seconds = flag('seconds', 75);
const concurrency = flag('concurrency', 8);
const segments = flag('segments', 10);
const heuristicPosts = flag('posts', 20_000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A generator that answers each kind of request after 1 s; plans have `segments` paragraphs. */
const generator: GeneratorLm = {
  uri: 'bench::generator',
  async chat(request: ChatRequest): Promise<ChatResult> {
    await sleep(1000);
    const content = request.messages.at(-1)?.content ?? '';
    let text: string;
    if (content.includes('<brief>')) text = '<brief>Tell followers about the news and link to it.</brief>';
    else if (content.includes('[[SEGMENT TO REWRITE]]')) text = `<rewrite>A sharper paragraph of reasoning about the reader, the content and the order, variant ${hash(content + Math.random())}.</rewrite>`;
    else
      text = Array.from(
        { length: segments },
        (_, i) => `Paragraph ${i + 1} of the plan: who the reader is, what they need to hear first, and which concrete detail makes them stop scrolling.`,
      ).join('\n\n');
    return { text, finishReason: 'stop', usage: { inputTokens: 400, outputTokens: 300 }, lm: 'bench::generator', latencyMs: 1000, attempts: 1, costUsd: 0 };
  },
};

/** A scorer that answers a whole batch after 100 ms, with per-token log-probs from a hash. */
let scoreCalls = 0;
const scorer: ScoringLm = {
  uri: 'bench::scorer',
  capabilities: { chat: false, stream: false, score: true, jsonSchema: false, seed: false },
  async score(requests: ScoreRequest[]): Promise<ScoreResult[]> {
    scoreCalls++;
    await sleep(100);
    return requests.map((r) => {
      const tokens = [...r.continuation.matchAll(/\s*\S+/g)].map((m) => ({
        token: m[0],
        // Always above the 0.25 threshold: no early stop, so every post costs the full sweep.
        logprob: -0.5 - (hash(m[0] + r.continuation.length) % 100) / 100,
        start: m.index,
        end: m.index + m[0].length,
      }));
      const nll = tokens.reduce((s, t) => s - t.logprob, 0) / tokens.length;
      return { tokens, meanNll: nll, clippedMeanNll: nll };
    });
  },
};

function posts(n: number, authors: number): PostData[] {
  const shapes = [
    (i: number) => `We're excited to announce version ${i} of our package! Read more: https://example.org/blog/${i}`,
    (i: number) => `How do you handle caching in project ${i}? Tell us below.`,
    (i: number) => `Notes from community call ${i}, thanks to everyone who joined.`,
    (i: number) => `Three tips for testing:\n- start small\n- write tests\n- share code ${i}`,
  ];
  return Array.from({ length: n }, (_, i) => {
    const likes = (hash(`l${i}`) % 50) + (i % 4 === 0 ? 30 : 0);
    return {
      platform: 'x' as const,
      post_id: String(10_000 + i),
      author: `author${i % authors}`,
      text: (shapes[i % shapes.length] as (i: number) => string)(i),
      created_at: new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString(),
      is_reply: i % 20 === 19,
      is_repost: false,
      metrics: { impressions: 1000 + (hash(`i${i}`) % 5000), likes, replies: likes % 7, reposts: likes % 5 },
    };
  });
}

async function withStore<T>(fn: (store: TraceStore) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'reer-bench-'));
  const store = await TraceStore.open(dir);
  try {
    return await fn(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// 1. REER with fake LMs.
await withStore(async (store) => {
  await store.append('posts', posts(2000, 1).map((data) => ({ type: 'post' as const, source: 'bench', data })));
  const controller = new AbortController();
  const config = { ...defaultReerConfig(), top_k: 1000, concurrency };
  const started = performance.now();
  let firstDone = 0;
  setTimeout(() => controller.abort(), seconds * 1000);
  const summary = await mine(store, {
    config,
    generator,
    scorer,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.done === 1) firstDone = (performance.now() - started) / 1000;
    },
  });
  const elapsed = (performance.now() - started) / 1000;
  const perTenMinutes = (summary.mined / elapsed) * 600;
  console.log(
    `REER, fake LMs (1 s generation, 100 ms score), concurrency ${concurrency}, ${segments}-segment plans, no early stop: ` +
      `${summary.mined} posts mined in ${elapsed.toFixed(1)} s (first after ${firstDone.toFixed(1)} s) → ${perTenMinutes.toFixed(0)} posts per 10 min (target ≥ 100); ` +
      `${summary.usage.generator_calls} generations, ${summary.usage.scored_candidates} trajectories in ${scoreCalls} score calls`,
  );
});

// 2. --no-lm heuristic extraction.
await withStore(async (store) => {
  const data = posts(heuristicPosts, 10);
  await store.append('posts', data.map((d) => ({ type: 'post' as const, source: 'bench', data: d })));
  const config = { ...defaultReerConfig(), top_quantile: 1 };
  const started = performance.now();
  const summary = await mine(store, { config, noLm: true, selection: { topQuantile: 1 } });
  const elapsed = (performance.now() - started) / 1000;
  console.log(
    `--no-lm: ${summary.posts} original posts read, ${summary.mined} traces extracted and stored, ${summary.strategies.length} strategies, in ${elapsed.toFixed(2)} s → ` +
      `${((summary.mined / elapsed) * 60).toFixed(0)} posts per minute (target ≥ 10,000)`,
  );
});
