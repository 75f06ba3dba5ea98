/**
 * `pnpm bench:gepa`: our GEPA engine against Ax's AxGEPA on a simulated post-writing task (same
 * data, budget and seeds), and the engine's own overhead per iteration, LM time excluded.
 * Flags: --seeds N (10), --budget N (200).
 */
import { compareWithAxGepa, measureOverhead } from './gepa-ax-comparison.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? undefined : Number(process.argv[i + 1]);
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

const seeds = flag('seeds', 10);
const budget = flag('budget', 200);
const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
};

const comparison = await compareWithAxGepa({ seeds, budget, trainSize: 18, valSize: 12 });
console.log(`simulated task: 18 train, 12 val, budget ${budget} metric calls, seeds 0..${seeds - 1}; seed instruction scores ${comparison.seedScore.toFixed(3)}`);
console.log('| engine | val score mean | sd | min | max | metric calls used (mean) |');
console.log('|---|---|---|---|---|---|');
for (const e of comparison.engines) {
  const s = stats(e.scores);
  const calls = stats(e.calls).mean;
  console.log(`| ${e.name} | ${s.mean.toFixed(3)} | ${s.sd.toFixed(3)} | ${s.min.toFixed(3)} | ${s.max.toFixed(3)} | ${calls.toFixed(0)} |`);
}

// Warm the JIT so the first measured run is not charged for compilation.
await measureOverhead({ budget: 600, trainSize: 60, valSize: 40, checkpoint: false });
// The machine is shared: repeat and report the median and the range.
for (const checkpoint of [false, true]) {
  const runs = [];
  for (let r = 0; r < 5; r++) runs.push(await measureOverhead({ budget: 3000, trainSize: 60, valSize: 40, checkpoint }));
  const ms = runs.map((o) => o.msPerIteration).sort((a, b) => a - b);
  const o = runs[0]!;
  console.log(
    `engine overhead (${checkpoint ? 'with' : 'without'} checkpoints): median ${ms[2]!.toFixed(3)} ms/iteration (range ${ms[0]!.toFixed(3)}–${ms[4]!.toFixed(3)}, 5 runs) over ${o.iterations} iterations, ${o.candidates} candidates, 40 val examples`,
  );
}
