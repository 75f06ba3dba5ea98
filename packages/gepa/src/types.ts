import type { LanguageModel } from '@reer/lm-registry';
import type { Candidate } from './merge.ts';
import type { ReflectionRecord } from './reflection.ts';

export type { Candidate };

/** What the program and metric produced on a batch, one entry per example, in batch order. */
export interface GepaEvaluation<Output = unknown> {
  outputs: Output[];
  /** The metric's score per example; 1 is perfect. */
  scores: number[];
  /** Per example, scores on named objectives (e.g. engagement, voice, validity). */
  objectiveScores?: Record<string, number>[];
  /** The metric's feedback text per example, read by the reflection LM. */
  feedback: string[];
}

/** Connects the engine to a program: runs a candidate on examples and scores the results. */
export interface GepaAdapter<Example, Output = unknown> {
  /**
   * Run `candidate` on every example of `batch` and score each result. Each example costs one
   * metric call of the budget. `captureTraces` is true when the results will be shown to the
   * reflection LM (keep whatever `reflectionRecords` needs).
   */
  evaluate(candidate: Candidate, batch: readonly Example[], options: { captureTraces: boolean }): Promise<GepaEvaluation<Output>>;
  /**
   * What the reflection LM sees of each example when rewriting `component`. Defaults to the
   * example and the output as JSON, with the feedback and score.
   */
  reflectionRecords?(
    candidate: Candidate,
    component: string,
    batch: readonly Example[],
    evaluation: GepaEvaluation<Output>,
  ): ReflectionRecord[];
}

/** How a parent is chosen each iteration. Only `pareto` is GEPA; the greedy ones exist for ablations. */
export type CandidateSelection = 'pareto' | 'best' | 'best-newest';

export interface GepaOptions<Example, Output = unknown> {
  /** The starting texts, component name → text. Its keys are the components tuned, in round-robin order. */
  seedCandidate: Candidate;
  /** Examples for reflection minibatches. */
  trainset: readonly Example[];
  /** The Pareto/validation set. @default the train set */
  valset?: readonly Example[];
  adapter: GepaAdapter<Example, Output>;
  reflectionLm: LanguageModel;
  /** Metric calls allowed, the seed's full validation included; checked at the top of each iteration. */
  budget: number;
  /** @default 3 */
  minibatchSize?: number;
  /** @default 'pareto' */
  candidateSelection?: CandidateSelection;
  /** Skip an iteration whose minibatch the parent already solves perfectly. @default true */
  skipPerfectScore?: boolean;
  /** @default 1 */
  perfectScore?: number;
  /** Try a merge in the iteration after each accepted mutation. @default false */
  merge?: boolean;
  /** @default 5 */
  maxMerges?: number;
  /** @default 0 */
  seed?: number;
  /** Sampling of the reflection LM. @default { temperature: 1, maxTokens: 2000 } */
  reflection?: { temperature?: number; maxTokens?: number };
  /** Append the state after every iteration to `<dir>/<runId>.jsonl`. */
  checkpoint?: { dir: string; runId: string };
  /** Continue from the last checkpoint of `checkpoint.runId` instead of starting over. */
  resume?: boolean;
  /** Stop after this many iterations in this call (the budget still applies). */
  maxIterations?: number;
  signal?: AbortSignal;
  /** Called after each iteration, after its checkpoint is written. */
  onIteration?: (event: GepaIterationEvent) => void;
}

/** One iteration as recorded in the lineage. Minibatch and validation entries are ids, never examples. */
export type LineageEntry =
  | {
      iteration: number;
      kind: 'skipped';
      parent: number;
      minibatch: number[];
      parentScores: number[];
      metricCalls: number;
    }
  | {
      iteration: number;
      kind: 'mutation';
      parent: number;
      component: string;
      minibatch: number[];
      parentScores: number[];
      childScores: number[];
      accepted: boolean;
      child: number | null;
      metricCalls: number;
    }
  | {
      iteration: number;
      kind: 'merge';
      parents: [number, number];
      ancestor: number;
      valIds: number[];
      parentSums: [number, number];
      childScores: number[];
      accepted: boolean;
      child: number | null;
      metricCalls: number;
    };

export interface GepaCandidateSummary {
  index: number;
  texts: Candidate;
  parents: number[];
  origin: 'seed' | 'mutation' | 'merge';
  /** The iteration that produced it (0 for the seed). */
  iteration: number;
  /** The component a mutation changed. */
  component?: string;
  /** Mean validation score. */
  valScore: number;
  /** Mean validation score per objective, for multi-objective runs. */
  objectiveScores?: Record<string, number>;
}

export interface GepaIterationEvent {
  iteration: number;
  entry: LineageEntry;
  metricCalls: number;
  budget: number;
  bestIndex: number;
  bestValScore: number;
  candidates: number;
  /** Distinct candidates on some Pareto front. */
  frontSize: number;
}

export type GepaStopReason = 'budget' | 'max-iterations' | 'aborted';

export interface GepaResult {
  runId: string | null;
  seed: number;
  components: string[];
  bestIndex: number;
  bestCandidate: Candidate;
  seedValScore: number;
  bestValScore: number;
  budget: number;
  metricCalls: number;
  iterations: number;
  stopReason: GepaStopReason;
  candidates: GepaCandidateSummary[];
  lineage: LineageEntry[];
  /** Per validation id (× objective for multi-objective runs), the candidates tied for the best score. */
  paretoFront: number[][];
  /** Per candidate, the validation score of each validation id. */
  valScores: number[][];
}
