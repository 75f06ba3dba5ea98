import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
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

export interface LoadedCheckpoint {
  state: GepaState;
  fingerprint: string;
  /** A torn last line (a kill mid-write) that was ignored. */
  tornTail: boolean;
}

export function checkpointFile(dir: string, runId: string): string {
  if (!/^[\w.-]+$/.test(runId)) {
    throw new ReerError('E_USAGE', `invalid run id "${runId}"`, { hint: 'Use letters, digits, dots, dashes and underscores only.' });
  }
  return join(dir, `${runId}.jsonl`);
}

/**
 * Append one checkpoint line: a `checkpoint` record envelope (the store's format, so the store's
 * tools can read it) whose data is `{ run_id, iteration, fingerprint, state }`. The file is only
 * ever appended to, and each line is flushed to disk before the next iteration starts.
 */
export async function appendCheckpoint(file: string, runId: string, fingerprint: string, state: GepaState): Promise<void> {
  mkdirSync(join(file, '..'), { recursive: true });
  const record = {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    type: 'checkpoint',
    source: 'gepa',
    data: { run_id: runId, iteration: state.iteration, fingerprint, state },
    metadata: {},
  };
  // A kill mid-write leaves a line without its newline: end it first so the new line stays whole.
  const torn = existsSync(file) && endsWithoutNewline(file);
  const handle = await open(file, 'a');
  try {
    await handle.appendFile(`${torn ? '\n' : ''}${JSON.stringify(record)}\n`, 'utf8');
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
  data: CheckpointDataSchema.extend({ fingerprint: z.string(), state: GepaStateSchema }),
});

/**
 * The last complete checkpoint of a run. A final line that does not parse is the trace of a kill
 * during the write and is ignored; a bad line anywhere else means the file was damaged.
 */
export function readLastCheckpoint(file: string): LoadedCheckpoint {
  if (!existsSync(file)) {
    throw new ReerError('E_INPUT_NOT_FOUND', `${file}: no checkpoint to resume from`, {
      hint: 'Start the run without --resume, or name the run id of an earlier run.',
    });
  }
  const lines = readFileSync(file, 'utf8').split('\n');
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  let tornTail = false;
  for (let n = lines.length - 1; n >= 0; n--) {
    const line = lines[n] as string;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (n === lines.length - 1) {
        tornTail = true;
        continue;
      }
      throw new ReerError('E_STORE_CORRUPT', `${file}:${n + 1}: checkpoint line is not JSON`, {
        hint: 'Only the last line can be torn by a kill; restore the file from a backup or start a new run.',
      });
    }
    const parsed = CheckpointLineSchema.safeParse(value);
    if (!parsed.success) {
      throw new ReerError('E_STORE_CORRUPT', `${file}:${n + 1}: ${formatZodIssues(parsed.error).join('; ')}`, {
        hint: 'Start a new run; this checkpoint was written by an incompatible version.',
      });
    }
    return { state: parsed.data.data.state, fingerprint: parsed.data.data.fingerprint, tornTail };
  }
  throw new ReerError('E_INPUT_NOT_FOUND', `${file}: holds no complete checkpoint`, {
    hint: 'Start the run without --resume.',
  });
}
