import { createHash } from 'node:crypto';
import { ReerError } from '@reer/core';
import { type GepaState, appendCheckpoint, checkpointFile, hasCheckpoint, readCheckpoint, stepOf } from './checkpoint.ts';
import { type Candidate, planMerge, stratifiedMergeIds } from './merge.ts';
import { initialSamplerState, nextMinibatch } from './minibatch.ts';
import { paretoFronts, paretoSurvivors, sampleParetoCandidate } from './pareto.ts';
import { type ReflectionRecord, buildReflectionMessages, extractFencedText } from './reflection.ts';
import { SeededRng } from './rng.ts';
import type {
  GepaAdapter,
  GepaCandidateSummary,
  GepaEvaluation,
  GepaIterationEvent,
  GepaOptions,
  GepaResult,
  GepaStopReason,
  LineageEntry,
} from './types.ts';

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : sum(xs) / xs.length);

/**
 * Run GEPA: reflective evolution of a candidate's texts with Pareto selection over the
 * validation set, until `budget` metric calls are spent. See `docs/decisions/gepa-engine.md`.
 */
export async function runGepa<Example, Output>(options: GepaOptions<Example, Output>): Promise<GepaResult> {
  const settings = resolveSettings(options);
  const file = options.checkpoint ? checkpointFile(options.checkpoint.dir, options.checkpoint.runId) : null;
  const fingerprint = fingerprintOf(options, settings);

  let state: GepaState;
  if (options.resume) {
    if (!file) throw new ReerError('E_USAGE', 'resume needs a checkpoint directory and run id', { hint: 'Pass `checkpoint: { dir, runId }`.' });
    const loaded = readCheckpoint(file);
    if (loaded.fingerprint !== fingerprint) {
      throw new ReerError('E_USAGE', `${file}: the checkpoint was written with other settings or data`, {
        hint: 'Resume with the same seed, data, minibatch size, merge settings and seed texts, or start a new run.',
      });
    }
    state = loaded.state;
  } else {
    if (file && hasCheckpoint(file)) {
      throw new ReerError('E_USAGE', `${file}: a run with this id already has checkpoints`, {
        hint: 'Pass --resume to continue it, or choose a new run id.',
      });
    }
    state = await initialState(options, settings);
    if (file) await appendCheckpoint(file, options.checkpoint!.runId, fingerprint, { kind: 'start', ...state });
  }

  const rng = SeededRng.fromState(state.rng);
  let iterationsThisCall = 0;
  let stopReason: GepaStopReason = 'budget';
  while (state.metricCalls < options.budget) {
    if (options.signal?.aborted) {
      stopReason = 'aborted';
      break;
    }
    if (options.maxIterations !== undefined && iterationsThisCall >= options.maxIterations) {
      stopReason = 'max-iterations';
      break;
    }
    const entry = await runIteration(state, rng, settings, options);
    state.lineage.push(entry);
    state.iteration += 1;
    state.rng = rng.state;
    iterationsThisCall += 1;
    if (file) await appendCheckpoint(file, options.checkpoint!.runId, fingerprint, { kind: 'step', ...stepOf(state, entry) });
    if (options.onIteration) options.onIteration(iterationEvent(state, entry, options.budget));
  }
  return buildResult(state, options, settings, stopReason);
}

interface Settings<Example, Output> {
  trainset: readonly Example[];
  valset: readonly Example[];
  adapter: GepaAdapter<Example, Output>;
  components: string[];
  minibatchSize: number;
  selection: NonNullable<GepaOptions<Example, Output>['candidateSelection']>;
  skipPerfect: boolean;
  perfectScore: number;
  merge: boolean;
  maxMerges: number;
  seed: number;
  temperature: number;
  maxTokens: number;
}

function resolveSettings<Example, Output>(options: GepaOptions<Example, Output>): Settings<Example, Output> {
  const components = Object.keys(options.seedCandidate);
  const valset = options.valset ?? options.trainset;
  const minibatchSize = options.minibatchSize ?? 3;
  if (components.length === 0) {
    throw new ReerError('E_USAGE', 'the seed candidate has no components', { hint: 'Give at least one component, e.g. { instruction: "…" }.' });
  }
  for (const name of components) {
    if (!options.seedCandidate[name]?.trim()) {
      throw new ReerError('E_USAGE', `the seed candidate's "${name}" is empty`, {
        hint: 'Start from a non-empty text: reflection rewrites what is there.',
      });
    }
  }
  if (options.trainset.length === 0) throw new ReerError('E_INSUFFICIENT_DATA', 'the train set is empty', { hint: 'Give at least one training example.' });
  if (valset.length === 0) throw new ReerError('E_INSUFFICIENT_DATA', 'the validation set is empty', { hint: 'Give at least one validation example.' });
  if (!Number.isInteger(minibatchSize) || minibatchSize < 1) {
    throw new ReerError('E_USAGE', `minibatch size must be a positive integer, got ${minibatchSize}`, { hint: 'The reference uses 3.' });
  }
  if (!Number.isFinite(options.budget) || options.budget < valset.length) {
    throw new ReerError('E_USAGE', `a budget of ${options.budget} metric calls cannot even validate the seed (${valset.length} validation examples)`, {
      hint: `Give a budget of at least ${valset.length + 2 * minibatchSize} so one proposal can be tried.`,
    });
  }
  return {
    trainset: options.trainset,
    valset,
    adapter: options.adapter,
    components,
    minibatchSize,
    selection: options.candidateSelection ?? 'pareto',
    skipPerfect: options.skipPerfectScore ?? true,
    perfectScore: options.perfectScore ?? 1,
    merge: options.merge ?? false,
    maxMerges: options.maxMerges ?? 5,
    seed: options.seed ?? 0,
    temperature: options.reflection?.temperature ?? 1,
    maxTokens: options.reflection?.maxTokens ?? 2000,
  };
}

/** What must match for a checkpoint to be resumed: every setting that changes the course of a run except the budget. */
function fingerprintOf<Example, Output>(options: GepaOptions<Example, Output>, s: Settings<Example, Output>): string {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      seedCandidate: options.seedCandidate,
      train: s.trainset.length,
      val: s.valset.length,
      data: createHash('sha256').update(JSON.stringify([s.trainset, s.valset])).digest('hex'),
      minibatchSize: s.minibatchSize,
      selection: s.selection,
      skipPerfect: s.skipPerfect,
      perfectScore: s.perfectScore,
      merge: s.merge,
      maxMerges: s.maxMerges,
      seed: s.seed,
      temperature: s.temperature,
      maxTokens: s.maxTokens,
    }),
  );
  return hash.digest('hex').slice(0, 16);
}

async function evaluateChecked<Example, Output>(
  adapter: GepaAdapter<Example, Output>,
  candidate: Candidate,
  batch: readonly Example[],
  captureTraces: boolean,
): Promise<GepaEvaluation<Output>> {
  const evaluation = await adapter.evaluate(candidate, batch, { captureTraces });
  const n = batch.length;
  if (evaluation.scores.length !== n || evaluation.feedback.length !== n || evaluation.outputs.length !== n) {
    throw new ReerError('E_INTERNAL', `the adapter returned ${evaluation.scores.length} scores for ${n} examples`, {
      hint: 'An adapter must return one output, score and feedback per example, in order.',
    });
  }
  if (evaluation.objectiveScores && evaluation.objectiveScores.length !== n) {
    throw new ReerError('E_INTERNAL', `the adapter returned ${evaluation.objectiveScores.length} objective scores for ${n} examples`);
  }
  const bad = evaluation.scores.find((s) => !Number.isFinite(s));
  if (bad !== undefined) throw new ReerError('E_INTERNAL', `the metric returned a non-finite score (${bad})`, { hint: 'Metrics must return finite numbers.' });
  return evaluation;
}

async function initialState<Example, Output>(options: GepaOptions<Example, Output>, s: Settings<Example, Output>): Promise<GepaState> {
  const evaluation = await evaluateChecked(s.adapter, options.seedCandidate, s.valset, false);
  return {
    iteration: 0,
    metricCalls: s.valset.length,
    rng: new SeededRng(s.seed).state,
    sampler: initialSamplerState(s.trainset.length),
    candidates: [{ ...options.seedCandidate }],
    parents: [[]],
    origins: [{ kind: 'seed', iteration: 0 }],
    valScores: [evaluation.scores],
    valObjectives: [evaluation.objectiveScores ?? null],
    pointers: [0],
    lineage: [],
    merge: { due: 0, accepted: 0, lastIterationFoundNew: false, memory: { triplets: [], compositions: [] } },
  };
}

/** Per candidate, the scores the Pareto fronts are kept over: per validation example, or per example × objective. */
function frontKeyScores(state: GepaState): number[][] {
  const objectiveNames = [...new Set(state.valObjectives.flatMap((rows) => (rows ? rows.flatMap((r) => Object.keys(r)) : [])))].sort();
  if (objectiveNames.length === 0) return state.valScores;
  return state.valObjectives.map((rows, c) =>
    (rows ?? state.valScores[c]!.map((): Record<string, number> => ({}))).flatMap((row) =>
      objectiveNames.map((name) => row[name] ?? Number.NEGATIVE_INFINITY),
    ),
  );
}

function meanScores(state: GepaState): number[] {
  return state.valScores.map(mean);
}

/** Highest mean validation score; ties to the lowest index (the oldest). */
function bestIndexOf(means: readonly number[]): number {
  let best = 0;
  for (let c = 1; c < means.length; c++) if ((means[c] ?? 0) > (means[best] ?? 0)) best = c;
  return best;
}

function selectParent(state: GepaState, rng: SeededRng, selection: Settings<unknown, unknown>['selection']): number {
  const means = meanScores(state);
  if (selection === 'best') return bestIndexOf(means);
  if (selection === 'best-newest') {
    let best = 0;
    for (let c = 1; c < means.length; c++) if ((means[c] ?? 0) >= (means[best] ?? 0)) best = c;
    return best;
  }
  return sampleParetoCandidate(rng, paretoFronts(frontKeyScores(state)), means);
}

async function addCandidate<Example, Output>(
  state: GepaState,
  s: Settings<Example, Output>,
  candidate: Candidate,
  parents: number[],
  origin: GepaState['origins'][number],
): Promise<number> {
  const evaluation = await evaluateChecked(s.adapter, candidate, s.valset, false);
  state.metricCalls += s.valset.length;
  const index = state.candidates.length;
  state.candidates.push(candidate);
  state.parents.push(parents);
  state.origins.push(origin);
  state.valScores.push(evaluation.scores);
  state.valObjectives.push(evaluation.objectiveScores ?? null);
  // The reference's rule: a child continues the round robin from the further of its parents' pointers.
  state.pointers.push(Math.max(...parents.map((p) => state.pointers[p] ?? 0)));
  return index;
}

function defaultReflectionRecords<Example, Output>(batch: readonly Example[], evaluation: GepaEvaluation<Output>): ReflectionRecord[] {
  const render = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return batch.map((example, k) => ({
    inputs: render(example),
    outputs: render(evaluation.outputs[k]),
    feedback: evaluation.feedback[k] ?? '',
    score: evaluation.scores[k] ?? 0,
  }));
}

async function runIteration<Example, Output>(
  state: GepaState,
  rng: SeededRng,
  s: Settings<Example, Output>,
  options: GepaOptions<Example, Output>,
): Promise<LineageEntry> {
  const iteration = state.iteration + 1;

  if (s.merge) {
    if (state.merge.due > 0 && state.merge.lastIterationFoundNew && state.merge.accepted < s.maxMerges) {
      state.merge.lastIterationFoundNew = false;
      const merged = await tryMerge(state, rng, s, iteration);
      if (merged) return merged;
    }
    state.merge.lastIterationFoundNew = false;
  }

  const parent = selectParent(state, rng, s.selection);
  const ids = nextMinibatch(state.sampler, rng, iteration - 1, s.minibatchSize);
  const batch = ids.map((id) => s.trainset[id] as Example);
  const parentCandidate = state.candidates[parent] as Candidate;
  const before = await evaluateChecked(s.adapter, parentCandidate, batch, true);
  state.metricCalls += batch.length;
  if (s.skipPerfect && before.scores.every((score) => score >= s.perfectScore)) {
    return { iteration, kind: 'skipped', parent, minibatch: ids, parentScores: before.scores, metricCalls: state.metricCalls };
  }

  const pointer = state.pointers[parent] ?? 0;
  const component = s.components[pointer % s.components.length] as string;
  state.pointers[parent] = (pointer + 1) % s.components.length;

  const records = s.adapter.reflectionRecords
    ? s.adapter.reflectionRecords(parentCandidate, component, batch, before)
    : defaultReflectionRecords(batch, before);
  const reply = await options.reflectionLm.chat({
    messages: buildReflectionMessages(component, parentCandidate[component] ?? '', records),
    temperature: s.temperature,
    maxTokens: s.maxTokens,
    // Drawn from the run's RNG so a backend that honours seeds reproduces the proposal too.
    seed: rng.int(2 ** 31),
  });
  const proposed = extractFencedText(reply.text);
  if (proposed.length === 0) {
    // Like a failed proposal in the reference: the iteration ends without a child to evaluate.
    return { iteration, kind: 'mutation', parent, component, minibatch: ids, parentScores: before.scores, childScores: [], accepted: false, child: null, metricCalls: state.metricCalls };
  }
  const child: Candidate = { ...parentCandidate, [component]: proposed };

  const after = await evaluateChecked(s.adapter, child, batch, false);
  state.metricCalls += batch.length;
  const accepted = sum(after.scores) > sum(before.scores);
  let childIndex: number | null = null;
  if (accepted) {
    childIndex = await addCandidate(state, s, child, [parent], { kind: 'mutation', iteration, component });
    if (s.merge) {
      state.merge.lastIterationFoundNew = true;
      if (state.merge.accepted < s.maxMerges) state.merge.due += 1;
    }
  }
  return {
    iteration,
    kind: 'mutation',
    parent,
    component,
    minibatch: ids,
    parentScores: before.scores,
    childScores: after.scores,
    accepted,
    child: childIndex,
    metricCalls: state.metricCalls,
  };
}

async function tryMerge<Example, Output>(
  state: GepaState,
  rng: SeededRng,
  s: Settings<Example, Output>,
  iteration: number,
): Promise<LineageEntry | null> {
  const means = meanScores(state);
  const survivors = paretoSurvivors(paretoFronts(frontKeyScores(state)), means);
  const plan = planMerge(rng, survivors, state.candidates, state.parents, means, s.components, state.merge.memory);
  if (!plan) return null;
  const [a, b] = plan.parents;
  const scoresA = state.valScores[a] as number[];
  const scoresB = state.valScores[b] as number[];
  const valIds = stratifiedMergeIds(rng, scoresA, scoresB);
  const evaluation = await evaluateChecked(
    s.adapter,
    plan.candidate,
    valIds.map((k) => s.valset[k] as Example),
    false,
  );
  state.metricCalls += valIds.length;
  const parentSums: [number, number] = [sum(valIds.map((k) => scoresA[k] ?? 0)), sum(valIds.map((k) => scoresB[k] ?? 0))];
  const accepted = sum(evaluation.scores) >= Math.max(...parentSums);
  let child: number | null = null;
  if (accepted) {
    child = await addCandidate(state, s, plan.candidate, [a, b], { kind: 'merge', iteration });
    state.merge.due -= 1;
    state.merge.accepted += 1;
  }
  return {
    iteration,
    kind: 'merge',
    parents: [a, b],
    ancestor: plan.ancestor,
    valIds,
    parentSums,
    childScores: evaluation.scores,
    accepted,
    child,
    metricCalls: state.metricCalls,
  };
}

function iterationEvent(state: GepaState, entry: LineageEntry, budget: number): GepaIterationEvent {
  const means = meanScores(state);
  const bestIndex = bestIndexOf(means);
  const onFront = new Set(paretoFronts(frontKeyScores(state)).flat());
  return {
    iteration: state.iteration,
    entry,
    metricCalls: state.metricCalls,
    budget,
    bestIndex,
    bestValScore: means[bestIndex] ?? 0,
    candidates: state.candidates.length,
    frontSize: onFront.size,
  };
}

function buildResult<Example, Output>(
  state: GepaState,
  options: GepaOptions<Example, Output>,
  s: Settings<Example, Output>,
  stopReason: GepaStopReason,
): GepaResult {
  const means = meanScores(state);
  const bestIndex = bestIndexOf(means);
  const candidates: GepaCandidateSummary[] = state.candidates.map((texts, index) => {
    const origin = state.origins[index]!;
    const objectives = state.valObjectives[index];
    const summary: GepaCandidateSummary = {
      index,
      texts,
      parents: state.parents[index] ?? [],
      origin: origin.kind,
      iteration: origin.iteration,
      valScore: means[index] ?? 0,
    };
    if (origin.component !== undefined) summary.component = origin.component;
    if (objectives) {
      const names = [...new Set(objectives.flatMap((r) => Object.keys(r)))].sort();
      summary.objectiveScores = Object.fromEntries(names.map((n) => [n, mean(objectives.map((r) => r[n] ?? 0))]));
    }
    return summary;
  });
  return {
    runId: options.checkpoint?.runId ?? null,
    seed: s.seed,
    components: s.components,
    bestIndex,
    bestCandidate: state.candidates[bestIndex] as Candidate,
    seedValScore: means[0] ?? 0,
    bestValScore: means[bestIndex] ?? 0,
    budget: options.budget,
    metricCalls: state.metricCalls,
    iterations: state.iteration,
    stopReason,
    candidates,
    lineage: state.lineage,
    paretoFront: paretoFronts(frontKeyScores(state)),
    valScores: state.valScores,
  };
}
