import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AxGEPA, type AxTypedExample } from '@ax-llm/ax';
import { type GepaAdapter, createProgramAdapter, runGepa } from '@reer/gepa';
import {
  type PostTaskExample,
  SEED_INSTRUCTION,
  axTeacher,
  engineTeacher,
  postMetric,
  postProgram,
  postTaskAdapter,
  postTaskExamples,
  studentAi,
  writePost,
} from '@reer/gepa/testing';

export interface ComparisonOptions {
  seeds: number;
  budget: number;
  trainSize: number;
  valSize: number;
}

export interface EngineScores {
  name: string;
  /** Validation score of the winning instruction, per seed. */
  scores: number[];
  /** Metric calls each run used. */
  calls: number[];
}

/** The validation score of an instruction, computed the same way for every engine. */
export function validationScore(instruction: string, val: readonly PostTaskExample[]): number {
  const total = val.reduce((acc, e) => acc + postMetric(e, writePost(e.postTopic, instruction)).score, 0);
  return total / val.length;
}

async function ours(seed: number, o: ComparisonOptions, train: PostTaskExample[], val: PostTaskExample[]) {
  const adapter = postTaskAdapter();
  const result = await runGepa({
    seedCandidate: { instruction: SEED_INSTRUCTION },
    trainset: train,
    valset: val,
    adapter,
    reflectionLm: engineTeacher(seed),
    budget: o.budget,
    seed,
  });
  return { instruction: result.bestCandidate.instruction ?? '', calls: result.metricCalls };
}

async function axGepa(seed: number, o: ComparisonOptions, train: PostTaskExample[], val: PostTaskExample[], referenceLike: boolean) {
  const program = postProgram();
  let calls = 0;
  const optimizer = new AxGEPA({
    studentAI: studentAi(),
    teacherAI: axTeacher(seed),
    // Ax replaces a seed of 0 with its own constant; shift so every run is seeded by us.
    seed: seed + 1,
    ...(referenceLike ? { minibatchSize: 3, numTrials: 10_000, earlyStoppingTrials: 10_000 } : {}),
  });
  // Ax wants examples with an index signature; ours are plain records of strings.
  const axTrain = train as unknown as AxTypedExample<{ postTopic: string }>[];
  const result = await optimizer.compile(
    program,
    axTrain,
    ({ prediction, example }) => {
      calls += 1;
      return postMetric(example as unknown as PostTaskExample, (prediction as { postText: string }).postText).score;
    },
    {
      maxMetricCalls: o.budget,
      validationExamples: val,
      feedbackFn: ({ prediction, example }: { prediction: { postText: string }; example: unknown }) =>
        postMetric(example as PostTaskExample, prediction.postText).feedback,
    } as never,
  );
  const map = result.optimizedProgram?.componentMap ?? {};
  const key = Object.keys(map).find((k) => k.endsWith('instruction'));
  const instruction = key ? (map[key] as string) : (program.getInstruction() ?? SEED_INSTRUCTION);
  return { instruction, calls };
}

/** Our engine and AxGEPA on the simulated task: same data, budget and seeds. */
export async function compareWithAxGepa(o: ComparisonOptions): Promise<{ seedScore: number; engines: EngineScores[] }> {
  const train = postTaskExamples(o.trainSize, 1);
  const val = postTaskExamples(o.valSize, 2);
  const engines: EngineScores[] = [
    { name: '@reer/gepa', scores: [], calls: [] },
    { name: 'AxGEPA (defaults)', scores: [], calls: [] },
    { name: 'AxGEPA (minibatch 3, no early stop)', scores: [], calls: [] },
  ];
  for (let seed = 0; seed < o.seeds; seed++) {
    const runs = [await ours(seed, o, train, val), await axGepa(seed, o, train, val, false), await axGepa(seed, o, train, val, true)];
    runs.forEach((run, k) => {
      engines[k]!.scores.push(validationScore(run.instruction, val));
      engines[k]!.calls.push(run.calls);
    });
  }
  return { seedScore: validationScore(SEED_INSTRUCTION, val), engines };
}

/**
 * The engine's own time per iteration: wall time of a run minus the time spent inside the
 * program/metric and the reflection model, divided by the iterations.
 */
export async function measureOverhead(options: { budget: number; trainSize: number; valSize: number; checkpoint: boolean }) {
  const train = postTaskExamples(options.trainSize, 3);
  const val = postTaskExamples(options.valSize, 4);
  let outside = 0;
  const inner = createProgramAdapter<PostTaskExample, string>({
    run: async (candidate, e) => writePost(e.postTopic, candidate.instruction ?? ''),
    metric: (e, post) => postMetric(e, post),
  });
  const adapter: GepaAdapter<PostTaskExample, string | null> = {
    async evaluate(candidate, batch, opts) {
      const t = performance.now();
      try {
        return await inner.evaluate(candidate, batch, opts);
      } finally {
        outside += performance.now() - t;
      }
    },
    ...(inner.reflectionRecords ? { reflectionRecords: inner.reflectionRecords.bind(inner) } : {}),
  };
  const teacher = engineTeacher(0);
  const timedTeacher = {
    ...teacher,
    chat: async (request: Parameters<typeof teacher.chat>[0]) => {
      const t = performance.now();
      try {
        return await teacher.chat(request);
      } finally {
        outside += performance.now() - t;
      }
    },
  };
  const dir = options.checkpoint ? mkdtempSync(join(tmpdir(), 'gepa-bench-')) : null;
  try {
    const start = performance.now();
    const result = await runGepa({
      seedCandidate: { instruction: SEED_INSTRUCTION },
      trainset: train,
      valset: val,
      adapter,
      reflectionLm: timedTeacher,
      budget: options.budget,
      seed: 0,
      ...(dir ? { checkpoint: { dir, runId: 'bench' } } : {}),
    });
    const total = performance.now() - start;
    return { iterations: result.iterations, candidates: result.candidates.length, msPerIteration: (total - outside) / result.iterations };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
