import { z } from 'zod';

/** The `gepa:` section of the config. CLI flags override these. */
export const GepaConfigSchema = z
  .object({
    /** Metric calls per run, the seed's validation included. */
    budget: z.number().int().positive().default(300),
    minibatch_size: z.number().int().positive().default(3),
    merge: z.boolean().default(false),
    max_merges: z.number().int().nonnegative().default(5),
    seed: z.number().int().nonnegative().default(0),
    /** LM URI of the reflection model; the generation LM when absent. */
    reflection_lm: z.string().min(1).optional(),
    reflection_temperature: z.number().min(0).max(2).default(1),
    reflection_max_tokens: z.number().int().positive().default(2000),
    /** Share of the (time-ordered) history used for validation; the latest posts. */
    val_fraction: z.number().gt(0).lt(1).default(0.3),
    /** At most this many examples in each set (the latest ones are kept). */
    max_train: z.number().int().positive().default(60),
    max_val: z.number().int().positive().default(30),
    /** Program runs in flight at once during evaluation. */
    concurrency: z.number().int().positive().default(2),
    /** Weight of the optional LLM voice judge in the score (0 disables it). */
    voice_weight: z.number().min(0).max(1).default(0),
  })
  .strict();
export type GepaConfig = z.infer<typeof GepaConfigSchema>;
