import { ReerError } from '@reer/core';
import type { GenerationStrategy } from './builtin-strategies.ts';
import { bm25Scores } from './examples.ts';

export interface RankedStrategy {
  strategy: GenerationStrategy;
  /** Fit to the topic (BM25 over name, brief, when-to-use and keywords). */
  fit: number;
  /** Combined ranking value: fit plus the log of the shrunk historical lift. */
  value: number;
}

/**
 * Ranks strategies by fit to the topic and historical lift. Lift is shrunk toward 1 by its sample
 * size, so a strategy seen on three posts cannot outrank a well-supported one by luck.
 */
export function rankStrategies(strategies: readonly GenerationStrategy[], topic: string): RankedStrategy[] {
  const fit = bm25Scores(
    topic,
    strategies.map((s) => `${s.name} ${s.brief} ${s.whenToUse} ${s.keywords.join(' ')}`),
  );
  const ranked = strategies.map((strategy, i) => {
    const shrink = strategy.sampleSize / (strategy.sampleSize + 10);
    const lift = 1 + (Math.max(0.05, strategy.lift) - 1) * shrink;
    const f = fit[i] ?? 0;
    return { strategy, fit: f, value: f + Math.log(lift) * 2 };
  });
  return ranked.sort((a, b) => b.value - a.value || a.strategy.id.localeCompare(b.strategy.id));
}

/**
 * The strategy for each of `count` candidates: the override for all of them, else a walk down the
 * ranking so candidates differ (the best strategies get more candidates than the rest).
 */
export function assignStrategies(
  strategies: readonly GenerationStrategy[],
  topic: string,
  count: number,
  override?: string,
): GenerationStrategy[] {
  if (override) {
    const chosen = strategies.find((s) => s.id === override || s.name.toLowerCase() === override.toLowerCase());
    if (!chosen) {
      throw new ReerError('E_USAGE', `unknown strategy "${override}"`, {
        hint: `Choose one of: ${strategies.map((s) => s.id).join(', ')}.`,
      });
    }
    return Array.from({ length: count }, () => chosen);
  }
  const ranked = rankStrategies(strategies, topic);
  if (ranked.length === 0) return [];
  // Use the top half (at least two) so the list is varied but not padded with poor fits.
  const pool = ranked.slice(0, Math.max(2, Math.ceil(ranked.length / 2)));
  return Array.from({ length: count }, (_, i) => (pool[i % pool.length] as RankedStrategy).strategy);
}
