import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CheckpointDataSchema, RecordEnvelopeSchema, ReerError, formatZodIssues } from '@reer/core';
import { z } from 'zod';

const LineageEntrySchema = z.discriminatedUnion('kind', [
  z.object({
    iteration: z.number().int(),
    kind: z.literal('skipped'),
    parent: z.number().int(),
    minibatch: z.array(z.number().int()),
    parentScores: z.array(z.number()),
    metricCalls: z.number().int(),
  }),
  z.object({
    iteration: z.number().int(),
    kind: z.literal('mutation'),
    parent: z.number().int(),
    component: z.string(),
    minibatch: z.array(z.number().int()),
    parentScores: z.array(z.number()),
    childScores: z.array(z.number()),
    accepted: z.boolean(),
    child: z.number().int().nullable(),
    metricCalls: z.number().int(),
  }),
  z.object({
    iteration: z.number().int(),
    kind: z.literal('merge'),
    parents: z.tuple([z.number().int(), z.number().int()]),
    ancestor: z.number().int(),
    valIds: z.array(z.number().int()),
    parentSums: z.tuple([z.number(), z.number()]),
    childScores: z.array(z.number()),
    accepted: z.boolean(),
    child: z.number().int().nullable(),
    metricCalls: z.number().int(),
  }),
]);

/** Everything a run needs to continue exactly where it stopped, RNG included. */
export const GepaStateSchema = z.object({
  iteration: z.number().int().nonnegative(),
  metricCalls: z.number().int().nonnegative(),
  rng: z.number().int().nonnegative(),
  sampler: z.object({
    epoch: z.number().int(),
    order: z.array(z.number().int()),
    useCounts: z.array(z.number().int()),
  }),
  candidates: z.array(z.record(z.string(), z.string())),
  parents: z.array(z.array(z.number().int())),
  origins: z.array(
    z.object({
      kind: z.enum(['seed', 'mutation', 'merge']),
      iteration: z.number().int(),
      component: z.string().optional(),
    }),
  ),
  valScores: z.array(z.array(z.number())),
  valObjectives: z.array(z.array(z.record(z.string(), z.number())).nullable()),
  pointers: z.array(z.number().int()),
  lineage: z.array(LineageEntrySchema),
  merge: z.object({
    due: z.number().int(),
    accepted: z.number().int(),
    lastIterationFoundNew: z.boolean(),
    memory: z.object({ triplets: z.array(z.string()), compositions: z.array(z.string()) }),
  }),
});
export type GepaState = z.infer<typeof GepaStateSchema>;

const CandidateAdditionSchema = z.object({
  texts: z.record(z.string(), z.string()),
  parents: z.array(z.number().int()),
  origin: GepaStateSchema.shape.origins.element,
  valScores: z.array(z.number()),
  valObjectives: z.array(z.record(z.string(), z.number())).nullable(),
  pointer: z.number().int(),
});

/** What one iteration changed: the small mutable state in full, the lineage entry and any new candidate. */
export const GepaStepSchema = z.object({
  iteration: z.number().int().positive(),
  metricCalls: z.number().int().nonnegative(),
  rng: z.number().int().nonnegative(),
  sampler: GepaStateSchema.shape.sampler,
  pointers: z.array(z.number().int()),
  merge: GepaStateSchema.shape.merge,
  entry: LineageEntrySchema,
  added: CandidateAdditionSchema.nullable(),
});
export type GepaStep = z.infer<typeof GepaStepSchema>;

const CheckpointStateSchema = z.discriminatedUnion('kind', [
  GepaStateSchema.extend({ kind: z.literal('start') }),
  GepaStepSchema.extend({ kind: z.literal('step') }),
]);

/** The step record of the iteration just finished (`state` already includes it). */
export function stepOf(state: GepaState, entry: GepaState['lineage'][number]): GepaStep {
  const child = entry.kind === 'skipped' ? null : entry.child;
  return {
    iteration: state.iteration,
    metricCalls: state.metricCalls,
    rng: state.rng,
    sampler: state.sampler,
    pointers: state.pointers,
    merge: state.merge,
    entry,
    added:
      child === null
        ? null
        : {
            texts: state.candidates[child]!,
            parents: state.parents[child]!,
            origin: state.origins[child]!,
            valScores: state.valScores[child]!,
            valObjectives: state.valObjectives[child] ?? null,
            pointer: state.pointers[child]!,
          },
  };
}

function applyStep(state: GepaState, step: GepaStep): void {
  if (step.added) {
    state.candidates.push(step.added.texts);
    state.parents.push(step.added.parents);
    state.origins.push(step.added.origin);
    state.valScores.push(step.added.valScores);
    state.valObjectives.push(step.added.valObjectives);
  }
  state.iteration = step.iteration;
  state.metricCalls = step.metricCalls;
  state.rng = step.rng;
  state.sampler = step.sampler;
  state.pointers = step.pointers;
  state.merge = step.merge;
  state.lineage.push(step.entry);
}

export interface LoadedCheckpoint {
  state: GepaState;
  fingerprint: string;
  /** Lines that were not JSON: what a kill mid-write leaves behind. Their iterations were re-run. */
  tornLines: number;
}

export function checkpointFile(dir: string, runId: string): string {
  if (!/^[\w.-]+$/.test(runId)) {
    throw new ReerError('E_USAGE', `invalid run id "${runId}"`, { hint: 'Use letters, digits, dots, dashes and underscores only.' });
  }
  return join(dir, `${runId}.jsonl`);
}

/**
 * Append one checkpoint line: a `checkpoint` record envelope (the store's format, so the store's
 * tools can read it) whose data is `{ run_id, iteration, fingerprint, state }`. The first line of a
 * run holds the whole state (`kind: 'start'`); each later line holds what one iteration changed
 * (`kind: 'step'`), so the file grows linearly with the run. The file is only ever appended to, and
 * each line is flushed to disk before the next iteration starts.
 */
export async function appendCheckpoint(
  file: string,
  runId: string,
  fingerprint: string,
  record: ({ kind: 'start' } & GepaState) | ({ kind: 'step' } & GepaStep),
): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const line = {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    type: 'checkpoint',
    source: 'gepa',
    data: { run_id: runId, iteration: record.iteration, fingerprint, state: record },
    metadata: {},
  };
  // A kill mid-write leaves a line without its newline: end it first so the new line stays whole.
  const torn = existsSync(file) && endsWithoutNewline(file);
  const handle = await open(file, 'a');
  try {
    await handle.appendFile(`${torn ? '\n' : ''}${JSON.stringify(line)}\n`, 'utf8');
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

function endsWithoutNewline(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    closeSync(fd);
  }
}

/** True when the run already has checkpoint lines. */
export function hasCheckpoint(file: string): boolean {
  return existsSync(file) && readFileSync(file, 'utf8').trim().length > 0;
}

const CheckpointLineSchema = RecordEnvelopeSchema.extend({
  type: z.literal('checkpoint'),
  data: CheckpointDataSchema.extend({ fingerprint: z.string(), state: CheckpointStateSchema }),
});

/**
 * Rebuild a run's state from its checkpoint file: the start line, then every step in order. Lines
 * that are not JSON are what a kill mid-write leaves; they are skipped and counted, and the
 * iteration they belonged to must appear again after them. A line that is JSON but not a valid
 * checkpoint, or a gap in the iterations, means the file was damaged.
 */
export function readCheckpoint(file: string): LoadedCheckpoint {
  if (!existsSync(file)) {
    throw new ReerError('E_INPUT_NOT_FOUND', `${file}: no checkpoint to resume from`, {
      hint: 'Start the run without --resume, or name the run id of an earlier run.',
    });
  }
  const lines = readFileSync(file, 'utf8').split('\n');
  let state: GepaState | null = null;
  let fingerprint = '';
  let tornLines = 0;
  lines.forEach((line, n) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      tornLines += 1;
      return;
    }
    const parsed = CheckpointLineSchema.safeParse(value);
    if (!parsed.success) {
      throw new ReerError('E_STORE_CORRUPT', `${file}:${n + 1}: ${formatZodIssues(parsed.error).join('; ')}`, {
        hint: 'Start a new run; this checkpoint was damaged or written by an incompatible version.',
      });
    }
    const record = parsed.data.data.state;
    if (record.kind === 'start') {
      if (state !== null) throw new ReerError('E_STORE_CORRUPT', `${file}:${n + 1}: a second start of the run`, { hint: 'Start a new run id.' });
      const { kind: _kind, ...rest } = record;
      state = rest;
      fingerprint = parsed.data.data.fingerprint;
      return;
    }
    if (state === null || record.iteration !== (state as GepaState).iteration + 1) {
      throw new ReerError('E_STORE_CORRUPT', `${file}:${n + 1}: iteration ${record.iteration} does not follow the previous line`, {
        hint: 'The checkpoint lost lines; start a new run.',
      });
    }
    const { kind: _kind, ...step } = record;
    applyStep(state, step);
  });
  if (state === null) {
    throw new ReerError('E_INPUT_NOT_FOUND', `${file}: holds no complete checkpoint`, { hint: 'Start the run without --resume.' });
  }
  return { state, fingerprint, tornLines };
}
