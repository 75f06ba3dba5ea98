import type { TextFeatures } from '@reer/heuristics';
import { clip, clipSignal } from './_clip.ts';
import { HEURISTIC_SIGNALS, type HeuristicSignal } from './config.ts';


/** 1 inside the sweet spot, falling linearly to -1 at zero length or at twice the upper bound. */
export function lengthFit(length: number, [lo, hi]: readonly [number, number]): number {
  if (length < lo) return clipSignal((2 * length) / lo - 1);
  if (length > hi) return clipSignal(1 - (2 * (length - hi)) / hi);
  return 1;
}

/** Moderation curve: 0 at none, 1 from `best` to `most`, falling to -1 beyond. */
function moderate(count: number, most: number): number {
  if (count === 0) return 0;
  if (count <= most) return 1;
  return clipSignal(1 - (count - most) / Math.max(1, most));
}

/**
 * Writes the heuristic signals of a post, each about [-1, 1], into `out` in `HEURISTIC_SIGNALS`
 * order (an array, not a record: the scorer's hot loop then avoids keyed property lookups).
 * `length` is the platform's own length (weighted on X), `sweetSpot` the range that reads best.
 */
export function writeHeuristicSignals(f: TextFeatures, length: number, sweetSpot: readonly [number, number], out: Float64Array): void {
  out[0] = lengthFit(length, sweetSpot);
  out[1] = f.hook === 'none' ? 0 : 1;
  out[2] = f.hook === 'question' ? 1 : 0;
  out[3] = f.has_cta ? 1 : 0;
  out[4] = Math.min(1, f.line_breaks / 3);
  out[5] = moderate(f.emoji, 3);
  out[6] = moderate(f.hashtags, 2);
  out[7] = f.links > 0 ? 1 : 0;
  out[8] = moderate(f.mentions, 3);
  out[9] = f.words >= 5 ? clipSignal((f.flesch_reading_ease - 50) / 40) : 0;
  out[10] = clipSignal(f.sentiment_comparative * 4);
  out[11] = f.is_list ? 1 : 0;
  out[12] = f.is_thread ? 1 : 0;
  out[13] = f.is_reply ? 1 : 0;
  out[14] = f.words >= 3 ? clip((f.uppercase_ratio - 0.3) / 0.3, 0, 1) : 0;
}

/** The heuristic signals of a post by name (see `writeHeuristicSignals`). */
export function heuristicSignals(f: TextFeatures, length: number, sweetSpot: readonly [number, number]): Record<HeuristicSignal, number> {
  const values = new Float64Array(HEURISTIC_SIGNALS.length);
  writeHeuristicSignals(f, length, sweetSpot, values);
  return Object.fromEntries(HEURISTIC_SIGNALS.map((name, i) => [name, values[i]!])) as Record<HeuristicSignal, number>;
}

export interface HeuristicContribution {
  feature: HeuristicSignal;
  value: number;
  effect: number;
}

/** The transparent layer: `sigmoid(Σ weight · signal)`, with each term as a contribution. */
export function heuristicScore(
  signals: Record<HeuristicSignal, number>,
  weights: Record<HeuristicSignal, number>,
): { score: number; logit: number; contributions: HeuristicContribution[] } {
  let logit = 0;
  const contributions: HeuristicContribution[] = [];
  for (const feature of HEURISTIC_SIGNALS) {
    const value = signals[feature];
    const effect = value * weights[feature];
    logit += effect;
    if (effect !== 0) contributions.push({ feature, value, effect });
  }
  return { score: 1 / (1 + Math.exp(-logit)), logit, contributions };
}
