import { joinSegments } from './segment.ts';

/** Parameters of the segment-edit search. */
export interface SearchParams {
  /** Segments visited in the single left-to-right sweep. @default 10 */
  maxSteps: number;
  /** Rewrites asked for per segment. @default 2 */
  expansions: number;
  /** Stop as soon as the best score is below this; skip the search if z starts below it. @default 0.25 */
  threshold: number;
}

export const DEFAULT_SEARCH_PARAMS: SearchParams = { maxSteps: 10, expansions: 2, threshold: 0.25 };

/** What one rewrite request sees. */
export interface RewriteContext {
  index: number;
  /** Finalised segments before `index`. */
  before: readonly string[];
  segment: string;
  /** Original segments after `index`. */
  after: readonly string[];
}

export interface SearchDeps {
  /** Scores whole trajectories (lower is better), in one batch. */
  score(trajectories: string[]): Promise<number[]>;
  /** One rewrite of a segment: the extracted text, or null when the answer was malformed. */
  rewrite(context: RewriteContext, expansion: number): Promise<string | null>;
}

/** One entry of the search history. */
export interface SearchStep {
  /** Segment rewritten; -1 for the initial trajectory. */
  segment: number;
  /** The whole trajectory for the initial entry, else the rewritten segment. */
  candidate: string;
  /** Null for a malformed rewrite, which is never scored. */
  score: number | null;
  accepted: boolean;
}

export type StopReason = 'initial-below-threshold' | 'threshold' | 'sweep-complete';

export interface SearchOutcome {
  segments: string[];
  trajectory: string;
  initialScore: number;
  finalScore: number;
  history: SearchStep[];
  stop: StopReason;
  generations: number;
  scoredCandidates: number;
}

/**
 * REER's search over a segmented trajectory: score it; unless already below the threshold, make
 * one left-to-right sweep over at most `maxSteps` segments, asking for `expansions` rewrites of
 * each, and replace a segment only when its best rewrite is strictly better than the best score so
 * far; stop once the best score is below the threshold. Every candidate is kept in the history.
 */
export async function reerSearch(initialSegments: readonly string[], deps: SearchDeps, params: SearchParams = DEFAULT_SEARCH_PARAMS): Promise<SearchOutcome> {
  const segments = [...initialSegments];
  const original = [...initialSegments];
  const [initialScore] = await deps.score([joinSegments(segments)]);
  if (initialScore === undefined) throw new Error('score returned no value for the initial trajectory');
  const history: SearchStep[] = [{ segment: -1, candidate: joinSegments(segments), score: initialScore, accepted: true }];
  let best = initialScore;
  let generations = 0;
  let scoredCandidates = 1;
  const done = (stop: StopReason): SearchOutcome => ({
    segments,
    trajectory: joinSegments(segments),
    initialScore,
    finalScore: best,
    history,
    stop,
    generations,
    scoredCandidates,
  });
  if (best < params.threshold) return done('initial-below-threshold');

  const steps = Math.min(params.maxSteps, segments.length);
  for (let i = 0; i < steps; i++) {
    const context: RewriteContext = { index: i, before: segments.slice(0, i), segment: segments[i] as string, after: original.slice(i + 1) };
    const rewrites = await Promise.all(Array.from({ length: params.expansions }, (_, k) => deps.rewrite(context, k)));
    generations += rewrites.length;
    const valid = rewrites.filter((r): r is string => r !== null);
    const scores = valid.length > 0 ? await deps.score(valid.map((r) => joinSegments([...context.before, r, ...context.after]))) : [];
    if (scores.length !== valid.length) throw new Error(`score returned ${scores.length} values for ${valid.length} trajectories`);
    scoredCandidates += valid.length;

    let winner = -1;
    for (let k = 0; k < valid.length; k++) {
      const s = scores[k];
      if (s !== undefined && s < best && (winner < 0 || s < (scores[winner] as number))) winner = k;
    }
    let k = 0;
    for (const raw of rewrites) {
      if (raw === null) {
        history.push({ segment: i, candidate: '', score: null, accepted: false });
        continue;
      }
      history.push({ segment: i, candidate: raw, score: scores[k] ?? null, accepted: k === winner });
      k++;
    }
    if (winner >= 0) {
      segments[i] = valid[winner] as string;
      best = scores[winner] as number;
    }
    if (best < params.threshold) return done('threshold');
  }
  return done('sweep-complete');
}
