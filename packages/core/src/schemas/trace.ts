import { z } from 'zod';
import { PlatformSchema, PostMetricsSchema } from './post.ts';

/** One candidate trajectory in a REER search, in the order the search produced it. */
export const SearchStepSchema = z.object({
  /** Segment rewritten (-1 for the initial trajectory). */
  segment: z.number().int().min(-1),
  /** The whole initial trajectory for segment -1; otherwise the rewritten segment alone. */
  candidate: z.string(),
  /** Null for a malformed rewrite, which is kept in the history but never scored. */
  score: z.number().nullable(),
  /** True when this candidate became (part of) the best trajectory so far. */
  accepted: z.boolean(),
});
export type SearchStepData = z.infer<typeof SearchStepSchema>;

/** Calls and tokens a trace cost. */
export const TraceUsageSchema = z.object({
  generator_calls: z.number().int().nonnegative(),
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  /** Estimated generator cost from the provider's pricing (0 for local models). */
  cost_usd: z.number().nonnegative().optional(),
  /** Trajectories scored (each one request to the scoring LM, batched into fewer calls). */
  scored_candidates: z.number().int().nonnegative(),
});

/**
 * A REER trace: `data` of a `trace` record in `traces/traces.jsonl`, keyed by `post_key`. In
 * `heuristic` mode (mined without an LM) there is no trajectory: `trajectory` is empty, `segments`
 * and `history` are empty and the scores are null.
 */
export const TraceDataSchema = z
  .object({
    post_key: z.string().min(1),
    platform: PlatformSchema,
    post_id: z.string().min(1),
    author: z.string(),
    created_at: z.iso.datetime({ offset: false }).optional(),
    metrics: PostMetricsSchema,
    /** Reach-normalized engagement the exemplar was chosen by. */
    engagement: z.number(),
    query: z.string(),
    query_source: z.enum(['lm', 'extracted']),
    post_text: z.string(),
    /** Final trajectory z (segments joined by blank lines). */
    trajectory: z.string(),
    segments: z.array(z.string()),
    /** REER score (clipped mean NLL of y, lower is better) of the initial and the final z. */
    initial_score: z.number().nullable(),
    final_score: z.number().nullable(),
    history: z.array(SearchStepSchema),
    /** Why the search ended. */
    stop: z.enum(['initial-below-threshold', 'threshold', 'sweep-complete']).nullable().optional(),
    /** Share of y's n-grams found in z; flagged traces are not used for strategies. */
    leak: z.object({ flagged: z.boolean(), overlap: z.number() }),
    models: z.object({ generator: z.string().nullable(), scorer: z.string().nullable() }),
    /** Search parameters the trace was mined with. */
    params: z
      .object({ max_steps: z.number().int(), expansions: z.number().int(), threshold: z.number(), condition_first_segment: z.boolean() })
      .optional(),
    usage: TraceUsageSchema.optional(),
    mode: z.enum(['reer', 'heuristic']),
  })
  .passthrough();
export type TraceData = z.infer<typeof TraceDataSchema>;
