import { PLATFORMS, type Platform } from '@reer/core';
import { z } from 'zod';

/** The heuristic signals the transparent layer weighs; each is scaled to about [-1, 1]. */
export const HEURISTIC_SIGNALS = [
  'length_fit',
  'hook',
  'question_hook',
  'cta',
  'line_breaks',
  'emoji',
  'hashtags',
  'links',
  'mentions',
  'readability',
  'sentiment',
  'list',
  'thread',
  'reply',
  'shouting',
] as const;
export type HeuristicSignal = (typeof HEURISTIC_SIGNALS)[number];

const Weights = z.partialRecord(z.enum(HEURISTIC_SIGNALS), z.number().finite());
const Range = z.tuple([z.number().int().nonnegative(), z.number().int().positive()]).refine(([lo, hi]) => lo < hi, 'the first bound must be below the second');

/** The `scorer:` section of the config. Every field has a default; see config/default.yaml. */
export const ScorerConfigSchema = z
  .object({
    /** Weights of the heuristic layer: `default`, overridden key by key per platform. */
    weights: z
      .object({ default: Weights.default({}) })
      .catchall(Weights)
      .default({ default: {} })
      .superRefine((value, ctx) => {
        for (const key of Object.keys(value)) {
          if (key !== 'default' && !(PLATFORMS as readonly string[]).includes(key)) {
            ctx.addIssue({ code: 'custom', path: [key], message: `unknown platform (expected default or one of ${PLATFORMS.join(', ')})` });
          }
        }
      }),
    /** Length in the platform's unit that reads best; outside it `length_fit` falls off. */
    sweet_spot: z.partialRecord(z.enum(PLATFORMS), Range).default({}),
    model: z
      .object({
        /** Fewest original posts with engagement needed to fit the engagement model. */
        min_posts: z.number().int().min(10).default(40),
        /** Ridge penalties tried by time-ordered cross-validation. */
        lambdas: z.array(z.number().positive()).min(1).default([1, 3, 10, 30, 100, 300, 1000, 3000, 10_000, 30_000, 100_000]),
        /** Time-ordered (expanding window) cross-validation folds. */
        folds: z.number().int().min(2).max(10).default(4),
        /** Most words and word pairs kept, by document frequency. */
        vocabulary_size: z.number().int().min(0).max(20_000).default(1500),
        /** Fewest posts a word or word pair must appear in to be kept. */
        min_document_frequency: z.number().int().min(1).default(3),
        /** Window of the period baseline removed from each post's engagement (follower growth). */
        detrend_window_days: z.number().positive().default(60),
        /** Largest share of the final score the learned model may take. */
        max_blend: z.number().min(0).max(1).default(1),
      })
      .default({ min_posts: 40, lambdas: [1, 3, 10, 30, 100, 300, 1000, 3000, 10_000, 30_000, 100_000], folds: 4, vocabulary_size: 1500, min_document_frequency: 3, detrend_window_days: 60, max_blend: 1 }),
  })
  .strict();

export type ScorerConfig = z.infer<typeof ScorerConfigSchema>;
export type ScorerConfigInput = z.input<typeof ScorerConfigSchema>;

/**
 * Built-in weights, used where the config names none. They encode widely reported practice, not a
 * fit to any account: hooks, questions and calls to action help; replies, shouting and hashtag
 * stuffing hurt; scannable line breaks matter more on LinkedIn; external links cost reach on X.
 */
export const DEFAULT_WEIGHTS: Readonly<Record<HeuristicSignal, number>> = {
  length_fit: 0.8,
  hook: 0.5,
  question_hook: 0.3,
  cta: 0.3,
  line_breaks: 0.2,
  emoji: 0.2,
  hashtags: 0.2,
  links: 0.1,
  mentions: 0.2,
  readability: 0.3,
  sentiment: 0.3,
  list: 0.2,
  thread: 0.1,
  reply: -1.5,
  shouting: -0.8,
};

export const DEFAULT_PLATFORM_WEIGHTS: Readonly<Partial<Record<Platform, Partial<Record<HeuristicSignal, number>>>>> = {
  x: { links: -0.1 },
  linkedin: { line_breaks: 0.6, list: 0.4, hashtags: 0.1 },
  instagram: { hashtags: 0.4, emoji: 0.4 },
  threads: { question_hook: 0.5 },
};

export const DEFAULT_SWEET_SPOT: Readonly<Record<Platform, readonly [number, number]>> = {
  x: [70, 240],
  linkedin: [400, 1500],
  threads: [60, 400],
  bluesky: [60, 260],
  mastodon: [80, 450],
  facebook: [40, 500],
  instagram: [100, 1200],
  discord: [20, 800],
};

/** Parse a `scorer:` section (already merged from the config files). */
export function parseScorerConfig(section: unknown): ScorerConfig {
  return ScorerConfigSchema.parse(section ?? {});
}

/** The weights in force for a platform: built-ins, then config `default`, then config per platform. */
export function weightsFor(config: ScorerConfig, platform: Platform): Record<HeuristicSignal, number> {
  return { ...DEFAULT_WEIGHTS, ...DEFAULT_PLATFORM_WEIGHTS[platform], ...config.weights.default, ...config.weights[platform] };
}

export function sweetSpotFor(config: ScorerConfig, platform: Platform): readonly [number, number] {
  return config.sweet_spot[platform] ?? DEFAULT_SWEET_SPOT[platform];
}
