import type { SeededRng } from './rng.ts';

/**
 * Pareto fronts over the validation set, as in the reference: for each key (a validation example,
 * or an example × objective pair for multi-objective runs) the set of candidates tied for its best
 * score. `keyScores[c][k]` is candidate c's score on key k. Ties are kept: every candidate with the
 * best score on a key is on that key's front.
 */
export function paretoFronts(keyScores: readonly (readonly number[])[]): number[][] {
  const keys = keyScores[0]?.length ?? 0;
  const fronts: number[][] = [];
  for (let k = 0; k < keys; k++) {
    let best = Number.NEGATIVE_INFINITY;
    let front: number[] = [];
    for (let c = 0; c < keyScores.length; c++) {
      const s = keyScores[c]?.[k] ?? Number.NEGATIVE_INFINITY;
      if (s > best) {
        best = s;
        front = [c];
      } else if (s === best) {
        front.push(c);
      }
    }
    fronts.push(front);
  }
  return fronts;
}

/**
 * The redundancy pruning: going through candidates from lowest to highest mean score (ties by
 * index), drop a candidate if every front it is on also holds another surviving candidate; restart
 * after each drop until nothing changes. Returns the survivors in index order.
 */
export function paretoSurvivors(fronts: readonly (readonly number[])[], meanScores: readonly number[]): number[] {
  const onFront = new Set<number>();
  for (const front of fronts) for (const c of front) onFront.add(c);
  const order = [...onFront].sort((a, b) => (meanScores[a] ?? 0) - (meanScores[b] ?? 0) || a - b);
  const dropped = new Set<number>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const y of order) {
      if (dropped.has(y)) continue;
      const redundant = fronts.every(
        (front) => !front.includes(y) || front.some((other) => other !== y && !dropped.has(other)),
      );
      if (redundant) {
        dropped.add(y);
        changed = true;
        break;
      }
    }
  }
  return order.filter((c) => !dropped.has(c)).sort((a, b) => a - b);
}

/**
 * Each surviving candidate with the number of fronts it is on after pruning; a parent is drawn with
 * probability proportional to that count. Candidates never drawn are absent.
 */
export function paretoSamplingWeights(
  fronts: readonly (readonly number[])[],
  meanScores: readonly number[],
): Map<number, number> {
  const survivors = new Set(paretoSurvivors(fronts, meanScores));
  const counts = new Map<number, number>();
  for (const c of [...survivors].sort((a, b) => a - b)) counts.set(c, 0);
  for (const front of fronts) {
    for (const c of front) if (survivors.has(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  return counts;
}

/** Draw a parent by Pareto sampling (one RNG draw). */
export function sampleParetoCandidate(
  rng: SeededRng,
  fronts: readonly (readonly number[])[],
  meanScores: readonly number[],
): number {
  const weights = paretoSamplingWeights(fronts, meanScores);
  return rng.weightedChoice([...weights.keys()], [...weights.values()]);
}
