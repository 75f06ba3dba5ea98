import type { SeededRng } from './rng.ts';

export type Candidate = Record<string, string>;

/** Pairs and compositions already tried, so a merge is never repeated (stored in checkpoints). */
export interface MergeMemory {
  /** `i,j,ancestor` triplets already used. */
  triplets: string[];
  /** `i,j|source per component` compositions already built. */
  compositions: string[];
}

export interface MergePlan {
  candidate: Candidate;
  parents: [number, number];
  ancestor: number;
}

function ancestorsOf(index: number, parents: readonly (readonly number[])[]): Set<number> {
  const seen = new Set<number>();
  const stack = [...(parents[index] ?? [])];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    if (seen.has(p)) continue;
    seen.add(p);
    stack.push(...(parents[p] ?? []));
  }
  return seen;
}

/** A component where exactly one of the two descendants kept the ancestor's text. */
function hasComplementaryChange(components: readonly string[], ancestor: Candidate, a: Candidate, b: Candidate): boolean {
  return components.some((name) => (ancestor[name] === a[name] || ancestor[name] === b[name]) && a[name] !== b[name]);
}

const MAX_ATTEMPTS = 10;

/**
 * Pick two surviving candidates (neither an ancestor of the other) with a common ancestor no better
 * than either and at least one component that only one of them changed; build the child module by
 * module: where one changed a module and the other did not, take the change; where both changed
 * it, take the higher-scoring parent's (a coin flip on a tie); where they agree, keep it. `null`
 * when no such pair turns up in the reference's 10 × 10 attempts.
 */
export function planMerge(
  rng: SeededRng,
  survivors: readonly number[],
  candidates: readonly Candidate[],
  parents: readonly (readonly number[])[],
  meanScores: readonly number[],
  components: readonly string[],
  memory: MergeMemory,
): MergePlan | null {
  if (survivors.length < 2 || candidates.length < 3) return null;
  const score = (i: number) => meanScores[i] ?? 0;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const pair = findAncestorPair(rng, survivors, candidates, parents, score, components, memory);
    if (!pair) continue;
    const [i, j, ancestor] = pair;
    const base = candidates[ancestor] as Candidate;
    const a = candidates[i] as Candidate;
    const b = candidates[j] as Candidate;
    const child: Candidate = { ...base };
    const sources: number[] = [];
    for (const name of components) {
      const anc = base[name];
      if ((anc === a[name] || anc === b[name]) && a[name] !== b[name]) {
        const from = anc === a[name] ? j : i;
        child[name] = (candidates[from] as Candidate)[name] as string;
        sources.push(from);
      } else if (anc !== a[name] && anc !== b[name]) {
        const from = score(i) > score(j) ? i : score(j) > score(i) ? j : rng.choice([i, j]);
        child[name] = (candidates[from] as Candidate)[name] as string;
        sources.push(from);
      } else {
        child[name] = a[name] as string;
        sources.push(i);
      }
    }
    const composition = `${i},${j}|${sources.join(',')}`;
    if (memory.compositions.includes(composition)) continue;
    memory.compositions.push(composition);
    return { candidate: child, parents: [i, j], ancestor };
  }
  return null;
}

function findAncestorPair(
  rng: SeededRng,
  survivors: readonly number[],
  candidates: readonly Candidate[],
  parents: readonly (readonly number[])[],
  score: (i: number) => number,
  components: readonly string[],
  memory: MergeMemory,
): [number, number, number] | null {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const drawn = rng.sample(survivors, 2);
    const i = Math.min(drawn[0] as number, drawn[1] as number);
    const j = Math.max(drawn[0] as number, drawn[1] as number);
    const ancI = ancestorsOf(i, parents);
    const ancJ = ancestorsOf(j, parents);
    if (ancI.has(j) || ancJ.has(i)) continue;
    const common = [...ancI]
      .filter((x) => ancJ.has(x))
      .sort((x, y) => x - y)
      .filter(
        (x) =>
          !memory.triplets.includes(`${i},${j},${x}`) &&
          score(x) <= score(i) &&
          score(x) <= score(j) &&
          hasComplementaryChange(components, candidates[x] as Candidate, candidates[i] as Candidate, candidates[j] as Candidate),
      );
    if (common.length === 0) continue;
    const ancestor = rng.weightedChoice(common, common.map(score));
    memory.triplets.push(`${i},${j},${ancestor}`);
    return [i, j, ancestor];
  }
  return null;
}

/**
 * The merge's evaluation ids: up to 5 validation ids stratified by where parent A wins, where B
 * wins and where they tie (⌈5/3⌉ from each in that order), topped up from the unused ids, or with
 * repeats when the validation set is smaller than 5.
 */
export function stratifiedMergeIds(rng: SeededRng, scoresA: readonly number[], scoresB: readonly number[], count = 5): number[] {
  const all = scoresA.map((_, k) => k);
  const aWins = all.filter((k) => (scoresA[k] ?? 0) > (scoresB[k] ?? 0));
  const bWins = all.filter((k) => (scoresB[k] ?? 0) > (scoresA[k] ?? 0));
  const ties = all.filter((k) => !aWins.includes(k) && !bWins.includes(k));
  const perBucket = Math.max(1, Math.ceil(count / 3));
  const selected: number[] = [];
  for (const bucket of [aWins, bWins, ties]) {
    if (selected.length >= count) break;
    const available = bucket.filter((k) => !selected.includes(k));
    const take = Math.min(available.length, perBucket, count - selected.length);
    selected.push(...rng.sample(available, take));
  }
  const missing = count - selected.length;
  if (missing > 0) {
    const unused = all.filter((k) => !selected.includes(k));
    if (unused.length >= missing) selected.push(...rng.sample(unused, missing));
    else for (let n = 0; n < missing; n++) selected.push(rng.choice(all));
  }
  return selected.slice(0, count);
}
