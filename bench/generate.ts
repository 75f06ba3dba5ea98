/**
 * `pnpm bench:generate`: the generation pipeline against a fake OpenAI-compatible provider.
 *  1. Rate: 100 candidates through a provider with 300 ms latency and a 600 rpm limit must finish
 *     at >= 90% of the rate the limit allows (10 candidates/s).
 *  2. Overhead: everything except the LM calls (examples, strategy choice, the Ax program's prompt
 *     and parsing, rule checks, scoring, dedupe, storage), per candidate, with an instant LM, on a
 *     store of 2,000 past posts. Target < 20 ms per candidate.
 * Flags: --candidates N (100).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxMockAIService } from '@ax-llm/ax';
import { type PostData, seededRandom } from '@reer/core';
import { createRegistry } from '@reer/lm-registry';
import { fakeProvidersConfig, startFakeOpenAIServer } from '@reer/lm-registry/testing';
import { axGeneratorLm, generatorLmFrom, runGeneration } from '@reer/pipeline';
import { TraceStore } from '@reer/trace-store';

const argIndex = process.argv.indexOf('--candidates');
const candidates = argIndex === -1 ? 100 : Number(process.argv[argIndex + 1]);
const WORDS = (
  'release docs speed plots community tests examples guide errors imports notes review data package tutorial ' +
  'parser model cache server client schema query index store stream batch worker thread queue retry limit ' +
  'chart table map graph layout theme color font icon button form input output report export import backup'
).split(' ');

/** A distinct, valid post for every call (seeded word choice), so nothing is collapsed or repaired. */
function post(n: number): string {
  const rng = seededRandom(n + 1);
  const words = Array.from({ length: 14 }, () => WORDS[Math.floor(rng() * WORDS.length)]);
  return `Update ${n}: ${words.slice(0, 7).join(' ')}. Next: ${words.slice(7).join(' ')}.`;
}

async function seededStore(count: number): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'reer-bench-generate-'));
  const store = await TraceStore.open(dataDir);
  const history: PostData[] = Array.from({ length: count }, (_, i) => ({
    platform: 'x',
    post_id: String(10_000 + i),
    author: 'bench',
    text: `Week ${i % 52} notes: ${post(1_000_000 + i).slice(8)}`,
    created_at: new Date(Date.UTC(2020, 0, 1) + i * 3_600_000 * 9).toISOString(),
    is_reply: i % 9 === 0,
    is_repost: false,
    metrics: { impressions: 500 + ((i * 37) % 900), likes: (i * 13) % 40, reposts: i % 7, replies: i % 3 },
  }));
  await store.append('posts', history.map((data) => ({ type: 'post' as const, source: 'bench', data })));
  await store.close();
  return dataDir;
}

const dataDir = await seededStore(2000);
try {
  // Warm-up: fits and caches the engagement model once, as any earlier run in a data dir would have.
  let n = 0;
  const instant = new AxMockAIService<string>({ chatResponse: async () => ({ results: [{ index: 0, content: `Post Text: ${post(100_000 + n++)}`, finishReason: 'stop' as const }] }) });
  const lm = axGeneratorLm('mock::instant', instant);
  await runGeneration({ dataDir, topic: 'warm-up', platform: 'x', lms: [lm], candidates: 4 });

  // 1. Rate against the limit.
  let calls = 0;
  const server = await startFakeOpenAIServer({ latencyMs: 300, handler: () => ({ text: `postText: ${post(calls++)}` }) });
  const registry = createRegistry({
    config: fakeProvidersConfig(server, { fake: { rate_limits: { rpm: 600, concurrency: 16 } } }),
    env: {},
  });
  const started = performance.now();
  const rated = await runGeneration({ dataDir, topic: 'what changed in the new release', platform: 'x', lms: [generatorLmFrom(registry.resolve('dspy::fake/fake-model'))], candidates });
  const elapsedS = (performance.now() - started) / 1000;
  await registry.close();
  await server.close();
  const lmCalls = server.requests.filter((r) => r.endpoint === 'chat').length;
  const allowedS = (lmCalls / 600) * 60;
  const achieved = lmCalls / elapsedS;
  console.log(`rate: ${candidates} candidates, ${lmCalls} LM calls in ${elapsedS.toFixed(2)} s = ${achieved.toFixed(2)} calls/s; the 600 rpm limit allows 10.00/s (≥ ${allowedS.toFixed(1)} s) → ${((100 * allowedS) / elapsedS).toFixed(1)}% of the allowed rate (target ≥ 90%); kept ${rated.candidates.length}, dropped ${rated.dropped.length}`);

  // 2. Overhead per candidate with an instant LM.
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await runGeneration({ dataDir, topic: 'what changed in the new release', platform: 'x', lms: [lm], candidates });
    runs.push((performance.now() - t0) / candidates);
  }
  runs.sort((a, b) => a - b);
  console.log(`overhead: ${runs.map((r) => r.toFixed(2)).join(', ')} ms per candidate over 3 runs of ${candidates} (median ${runs[1]?.toFixed(2)} ms; target < 20 ms), store of 2,000 posts`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
