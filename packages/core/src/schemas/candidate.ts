import { z } from 'zod';
import { PlatformSchema } from './post.ts';

export const UsageSchema = z.object({
  calls: z.number().int().nonnegative(),
  retries: z.number().int().nonnegative(),
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cost_usd: z.number().nonnegative(),
});
export type UsageData = z.infer<typeof UsageSchema>;

/** A generated candidate post: `data` of a `candidate` record in `runs/candidates.jsonl`. */
export const CandidateDataSchema = z
  .object({
    run_id: z.string().min(1),
    topic: z.string(),
    platform: PlatformSchema,
    text: z.string(),
    parts: z.array(z.string()).optional(),
    strategy: z.string(),
    lm: z.string(),
    score: z.number().nullable(),
    valid: z.boolean(),
    violations: z.array(z.string()),
    rank: z.number().int().nullable(),
    prompt_inputs: z.record(z.string(), z.unknown()),
    usage: UsageSchema.optional(),
  })
  .passthrough();
export type CandidateData = z.infer<typeof CandidateDataSchema>;
