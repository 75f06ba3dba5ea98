import { z } from 'zod';
import { PROMPT_FORMATS } from './reer-score.ts';

const probability = z.number().min(0).max(1);

/** The `reer:` section of the config; every field has the published method's default. */
export const ReerConfigSchema = z
  .object({
    /** Generator LM URI used when `--lm` is not given. */
    lm: z.string().min(1).optional(),
    /** Scoring LM URI used when `--scorer-lm` is not given (defaults to the generator). */
    scorer_lm: z.string().min(1).optional(),
    /** Exemplars per author and platform. */
    top_k: z.number().int().positive().default(50),
    /** Take this top fraction instead of `top_k` when set. */
    top_quantile: z.number().gt(0).max(1).optional(),
    max_steps: z.number().int().min(0).default(10),
    expansions: z.number().int().positive().default(2),
    threshold: z.number().min(0).default(0.25),
    /** Posts searched at once. */
    concurrency: z.number().int().positive().default(4),
    /** Most score requests sent in one `score` call. */
    score_batch: z.number().int().positive().default(8),
    /** Where the query x comes from: the generator LM, or keywords and structure. */
    query_source: z.enum(['lm', 'extracted']).default('lm'),
    generation: z
      .object({
        temperature: z.number().min(0).max(2).default(0.8),
        top_p: probability.default(0.85),
        max_tokens: z.number().int().positive().default(1024),
        /** Tries at an initial trajectory before a post is dropped; the method uses one. */
        initial_attempts: z.number().int().positive().default(1),
        /** Seed for backends that support one (each call of a post gets seed + its index). */
        seed: z.number().int().optional(),
      })
      .strict()
      .default({ temperature: 0.8, top_p: 0.85, max_tokens: 1024, initial_attempts: 1 }),
    /** An initial trajectory shorter than this (in generated tokens) is dropped. */
    min_trajectory_tokens: z.number().int().min(0).default(100),
    segment_min_chars: z.number().int().min(0).default(100),
    condition_first_segment: z.boolean().default(true),
    logprob_clip: z.number().max(0).default(-2),
    /** Chat template of the scoring prompt; match the scoring model. */
    prompt_format: z.enum(PROMPT_FORMATS).default('chatml'),
    leak: z
      .object({ ngram: z.number().int().min(1).default(4), threshold: probability.default(0.3) })
      .strict()
      .default({ ngram: 4, threshold: 0.3 }),
    strategies: z
      .object({
        /** Smallest cluster of posts that becomes a strategy. */
        min_cluster_size: z.number().int().min(1).default(3),
        /** Fewest posts in an hour or day slot before it is reported as a best time. */
        min_time_samples: z.number().int().min(1).default(8),
        bootstrap_samples: z.number().int().min(100).default(2000),
        /** Confidence level of the lift interval. */
        confidence: z.number().gt(0).lt(1).default(0.95),
        seed: z.number().int().default(0),
      })
      .strict()
      .default({ min_cluster_size: 3, min_time_samples: 8, bootstrap_samples: 2000, confidence: 0.95, seed: 0 }),
  })
  .strict();

export type ReerConfig = z.infer<typeof ReerConfigSchema>;

/** The config with every default filled, for callers without a config file. */
export function defaultReerConfig(): ReerConfig {
  return ReerConfigSchema.parse({});
}
