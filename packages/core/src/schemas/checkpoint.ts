import { z } from 'zod';

/** A GEPA checkpoint line: `data` of a `checkpoint` record under `models/checkpoints/`. */
export const CheckpointDataSchema = z
  .object({
    run_id: z.string().min(1),
    iteration: z.number().int().nonnegative(),
    state: z.record(z.string(), z.unknown()),
  })
  .passthrough();
export type CheckpointData = z.infer<typeof CheckpointDataSchema>;
