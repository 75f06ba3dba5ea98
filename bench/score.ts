// pnpm bench:score — scoring throughput with a learned model loaded (explanations included), memory while scoring, and
// the time to fit the engagement model on 10,000 posts. Synthetic data only (seeded).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Platform, seededRandom } from '@reer/core';
import { CandidateScorer, fitEngagementModel, loadEngagementModel, saveEngagementModel } from '@reer/scorer';
import { syntheticHistory } from '@reer/scorer/testing';

const CANDIDATES = Number(process.env.BENCH_CANDIDATES ?? 100_000);
const FIT_POSTS = Number(process.env.BENCH_FIT_POSTS ?? 10_000);

const WORDS = (
  'the a we our new release package data team update community docs review project code testing support version guide notes ' +
  'meeting today weekly open source thanks everyone build tools science research workflow cloud api faster simpler learn ' +
  'how why what you your never always best mistake lesson story shipped launched webinar join read share reply tips'
).split(' ');
const EMOJI = ['🎉', '🚀', '✨', '👇', '🧵', '👨‍👩‍👧‍👦', '🇵🇹', '👍🏽', '❤️', '1️⃣'];
const PLATFORMS: Platform[] = ['x', 'x', 'x', 'x', 'x', 'linkedin', 'linkedin', 'bluesky', 'threads', 'mastodon', 'facebook', 'instagram', 'discord'];

/** Varied candidates: lengths from a few words to long LinkedIn posts, emoji, links, mentions, CJK, lists. */
function candidates(count: number, seed: number): { text: string; platform: Platform }[] {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const out: { text: string; platform: Platform }[] = [];
  for (let i = 0; i < count; i++) {
    const platform = pick(PLATFORMS);
    const words = platform === 'linkedin' ? 40 + Math.floor(rand() * 160) : 5 + Math.floor(rand() * 45);
    const parts: string[] = [];
    const opener = rand();
    if (opener < 0.3) parts.push(`${1 + Math.floor(rand() * 9)} ${pick(['ways', 'tips', 'lessons'])} to ${pick(WORDS)} ${pick(WORDS)}:`);
    else if (opener < 0.51) parts.push(`How do you ${pick(WORDS)} ${pick(WORDS)}?`);
    for (let k = 0; k < words; k++) {
      const r = rand();
      if (r < 0.02) parts.push(pick(EMOJI));
      else if (r < 0.03) parts.push(`#${pick(WORDS)}`);
      else if (r < 0.04) parts.push(`@user${Math.floor(rand() * 500)}`);
      else if (r < 0.045) parts.push('日本語');
      else if (r < 0.06) parts.push(k % 2 ? '\n\n' : '\n- ');
      else if (r < 0.12) parts.push(`${pick(WORDS)}.`);
      else parts.push(pick(WORDS));
    }
    if (rand() < 0.4) parts.push(`https://example.org/${i}`);
    out.push({ text: parts.join(' ').replace(/ \n/g, '\n'), platform });
  }
  return out;
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

async function main(): Promise<void> {
  const history = syntheticHistory(Math.round(FIT_POSTS / 0.9), 11);
  const originals = history.filter((p) => !p.is_reply).length;
  const fitStart = performance.now();
  const fit = fitEngagementModel(history);
  const fitSeconds = (performance.now() - fitStart) / 1000;
  if (fit.status !== 'fitted') throw new Error(fit.reason);

  const dir = await mkdtemp(join(tmpdir(), 'bench-score-'));
  const file = join(dir, 'engagement-model.json');
  await saveEngagementModel(file, fit.model);
  const model = await loadEngagementModel(file);
  await rm(dir, { recursive: true, force: true });
  const scorer = new CandidateScorer({}, model);

  const inputs = candidates(CANDIDATES, 42);
  for (const c of candidates(5000, 7)) scorer.score(c);

  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const memory: { scored: number; heapMiB: string; rssMiB: string }[] = [];
  let checksum = 0;
  let paused = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < inputs.length; i++) {
    checksum += scorer.score(inputs[i]!).score;
    if ((i + 1) % (CANDIDATES / 5) === 0) {
      // Memory after a full collection (run with --expose-gc) shows what is retained, not garbage.
      const pause = performance.now();
      gc?.();
      const m = process.memoryUsage();
      memory.push({ scored: i + 1, heapMiB: mib(m.heapUsed), rssMiB: mib(m.rss) });
      paused += performance.now() - pause;
    }
  }
  const seconds = (performance.now() - start - paused) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  // On a shared machine wall time includes waiting for a core; CPU time is what one core spent.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const perSecond = inputs.length / seconds;

  const result = {
    node: process.version,
    fit: { posts: originals, seconds: Number(fitSeconds.toFixed(2)), target_seconds: 5, cv_spearman: Number(fit.model.cv.spearman.toFixed(3)), vocabulary: fit.model.fit.vocabulary_size },
    scoring: {
      candidates: inputs.length,
      seconds: Number(seconds.toFixed(2)),
      per_second: Math.round(perSecond),
      cpu_seconds: Number(cpuSeconds.toFixed(2)),
      per_cpu_second: Math.round(inputs.length / cpuSeconds),
      target_per_second: 50_000,
      mean_score: Number((checksum / inputs.length).toFixed(4)),
    },
    memory,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `fit ${originals} posts: ${fitSeconds.toFixed(2)} s (target < 5 s); score ${inputs.length} candidates: ${Math.round(perSecond)}/s wall, ${Math.round(inputs.length / cpuSeconds)}/s of CPU (target >= 50,000/s); heap ${memory.map((m) => m.heapMiB).join(' → ')} MiB${gc ? ' after GC' : ''}\n`,
  );
}

await main();
