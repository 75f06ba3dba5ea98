import { seededRandom } from '@reer/core';

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length === 0 ? Number.NaN : sum / values.length;
}

function resampleMean(values: readonly number[], random: () => number): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[Math.floor(random() * values.length)] as number;
  return sum / values.length;
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export interface LiftEstimate {
  estimate: number;
  low: number;
  high: number;
  n: number;
}

/**
 * Multiplicative lift of a group over a baseline when engagement is in log space (as the scorer's
 * period-normalized engagement is): `exp(mean(group) − mean(baseline))`, with a percentile
 * bootstrap interval that resamples both (independent samples of the author's posts).
 */
export function bootstrapLogLift(group: readonly number[], baseline: readonly number[], options: { samples: number; confidence: number; seed: number }): LiftEstimate {
  const n = group.length;
  if (n === 0 || baseline.length === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN, n };
  const estimate = Math.exp(mean(group) - mean(baseline));
  const random = seededRandom(options.seed);
  const diffs = new Float64Array(options.samples);
  for (let i = 0; i < options.samples; i++) diffs[i] = resampleMean(group, random) - resampleMean(baseline, random);
  const sorted = Array.from(diffs).sort((x, y) => x - y);
  const tail = (1 - options.confidence) / 2;
  return { estimate, low: Math.exp(quantile(sorted, tail)), high: Math.exp(quantile(sorted, 1 - tail)), n };
}
