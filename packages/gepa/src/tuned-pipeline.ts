import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { GepaResult } from './types.ts';

/**
 * `data/models/tuned_pipeline.json`: what `social-run generate` loads (`components`) plus the
 * record of how it was obtained. Holds ids and scores of examples, never the examples themselves.
 */
export const TunedPipelineFileSchema = z.object({
  format: z.literal('reer.tuned_pipeline/v1'),
  created_at: z.iso.datetime(),
  run_id: z.string().nullable(),
  seed: z.number().int(),
  components: z.record(z.string(), z.string()),
  demos: z.array(z.record(z.string(), z.unknown())),
  scores: z.object({ seed: z.number(), tuned: z.number(), objectives: z.record(z.string(), z.number()).optional() }),
  budget: z.object({ max: z.number(), used: z.number(), iterations: z.number().int() }),
  sets: z.object({ train: z.number().int(), val: z.number().int() }),
  models: z.object({ program: z.string().optional(), reflection: z.string().optional() }),
  best_candidate: z.number().int(),
  candidates: z.array(
    z.object({
      index: z.number().int(),
      parents: z.array(z.number().int()),
      origin: z.enum(['seed', 'mutation', 'merge']),
      iteration: z.number().int(),
      component: z.string().optional(),
      val_score: z.number(),
      texts: z.record(z.string(), z.string()),
    }),
  ),
  lineage: z.array(z.record(z.string(), z.unknown())),
});
export type TunedPipelineFile = z.infer<typeof TunedPipelineFileSchema>;

export interface TunedPipelineInput {
  result: GepaResult;
  /** Few-shot demos the program uses with the winning texts (already free of private data). */
  demos?: Record<string, unknown>[];
  trainSize: number;
  valSize: number;
  programLm?: string;
  reflectionLm?: string;
  now?: Date;
}

export function tunedPipelineDocument(input: TunedPipelineInput): TunedPipelineFile {
  const { result } = input;
  const best = result.candidates[result.bestIndex];
  return TunedPipelineFileSchema.parse({
    format: 'reer.tuned_pipeline/v1',
    created_at: (input.now ?? new Date()).toISOString(),
    run_id: result.runId,
    seed: result.seed,
    components: result.bestCandidate,
    demos: input.demos ?? [],
    scores: {
      seed: result.seedValScore,
      tuned: result.bestValScore,
      ...(best?.objectiveScores ? { objectives: best.objectiveScores } : {}),
    },
    budget: { max: result.budget, used: result.metricCalls, iterations: result.iterations },
    sets: { train: input.trainSize, val: input.valSize },
    models: {
      ...(input.programLm ? { program: input.programLm } : {}),
      ...(input.reflectionLm ? { reflection: input.reflectionLm } : {}),
    },
    best_candidate: result.bestIndex,
    candidates: result.candidates.map((c) => ({
      index: c.index,
      parents: c.parents,
      origin: c.origin,
      iteration: c.iteration,
      ...(c.component !== undefined ? { component: c.component } : {}),
      val_score: c.valScore,
      texts: c.texts,
    })),
    lineage: result.lineage,
  });
}

/** Write the tuned program atomically (temp file + rename): a reader never sees half a file. */
export function writeTunedPipeline(file: string, input: TunedPipelineInput): TunedPipelineFile {
  const document = tunedPipelineDocument(input);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(document, null, 2)}\n`, 'utf8');
  renameSync(tmp, file);
  return document;
}
