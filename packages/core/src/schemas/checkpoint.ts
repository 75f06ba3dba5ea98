import { z } from 'zod';

/**
 * A GEPA checkpoint line: `data` of a `checkpoint` record in `models/checkpoints/<run-id>.jsonl`.
 * `state` is either the whole run state (`kind: 'start'`, the first line) or what one iteration
 * changed (`kind: 'step'`); `@reer/gepa` validates it with its own schema and folds the lines.
 */
export const CheckpointDataSchema = z
  .object({
    run_id: z.string().min(1),
    iteration: z.number().int().nonnegative(),
    state: z.record(z.string(), z.unknown()),
  })
  .passthrough();
export type CheckpointData = z.infer<typeof CheckpointDataSchema>;
