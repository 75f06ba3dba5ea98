import type { LanguageModel } from '@reer/lm-registry';
import { checkLeak, type LeakOptions, type LeakResult } from './leak.ts';
import { cleanTrajectory, extractRewrite, initialTrajectoryMessages, rewriteMessages } from './prompts.ts';
import { scoreTrajectories, type ReerScoreOptions, type ScoringLm } from './reer-score.ts';
import { reerSearch, type SearchParams, type SearchStep, type StopReason } from './search.ts';
import { segmentText } from './segment.ts';

/** The part of an LM the generator role needs. */
export type GeneratorLm = Pick<LanguageModel, 'uri' | 'chat'>;

export interface GenerationParams {
  /** @default 0.8 */
  temperature: number;
  /** @default 0.85 */
  topP: number;
  maxTokens: number;
  /** @default 1 */
  initialAttempts: number;
  /** An initial trajectory with fewer generated tokens is dropped. @default 100 */
  minTrajectoryTokens: number;
  /** Seed for backends that support one: call k of a post gets `seed + k`, so runs repeat. */
  seed?: number | undefined;
}

export interface SynthesisOptions {
  search: SearchParams;
  score: ReerScoreOptions;
  generation: GenerationParams;
  leak: LeakOptions;
  signal?: AbortSignal;
}

export interface SynthesisUsage {
  generatorCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  scoredCandidates: number;
}

export interface SynthesisInput {
  query: string;
  post: string;
  platform: string;
}

export type SynthesisResult =
  | {
      status: 'ok';
      trajectory: string;
      segments: string[];
      initialScore: number;
      finalScore: number;
      history: SearchStep[];
      stop: StopReason;
      leak: LeakResult;
      usage: SynthesisUsage;
    }
  | { status: 'dropped'; reason: string; usage: SynthesisUsage };

/** Rough token count for backends that report no usage: about four characters a token. */
function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * One post's REER trajectory: an initial plan from the generator, segmented, then the segment-edit
 * search scored by the scoring LM; the final plan is leak-checked against the post.
 */
export async function synthesizeTrajectory(input: SynthesisInput, models: { generator: GeneratorLm; scorer: ScoringLm }, options: SynthesisOptions): Promise<SynthesisResult> {
  const usage: SynthesisUsage = { generatorCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, scoredCandidates: 0 };
  const gen = options.generation;
  // Calls are numbered as they are issued (rewrites of a segment run in parallel) so seeds repeat.
  let issued = 0;
  const chat = async (messages: ReturnType<typeof rewriteMessages>) => {
    const result = await models.generator.chat({
      messages,
      temperature: gen.temperature,
      topP: gen.topP,
      maxTokens: gen.maxTokens,
      ...(gen.seed !== undefined ? { seed: gen.seed + issued++ } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    usage.generatorCalls++;
    usage.inputTokens += result.usage.inputTokens;
    usage.outputTokens += result.usage.outputTokens;
    usage.costUsd += result.costUsd;
    return result;
  };

  let segments: string[] | undefined;
  let reason = '';
  for (let attempt = 0; attempt < gen.initialAttempts && !segments; attempt++) {
    const result = await chat(initialTrajectoryMessages(input.query, input.post, input.platform));
    const plan = cleanTrajectory(result.text);
    const tokens = result.usage.outputTokens > 0 ? result.usage.outputTokens : estimateTokens(plan);
    const pieces = segmentText(plan, options.score.segmentMinChars);
    if (tokens < gen.minTrajectoryTokens) reason = `initial trajectory too short (${tokens} tokens < ${gen.minTrajectoryTokens})`;
    else if (pieces.length < 2) reason = 'initial trajectory has a single segment';
    else segments = pieces;
  }
  if (!segments) return { status: 'dropped', reason, usage };

  const scoreInputs = { query: input.query, post: input.post };
  const outcome = await reerSearch(
    segments,
    {
      score: async (trajectories) => {
        const scores = await scoreTrajectories(models.scorer, { ...scoreInputs, trajectories }, options.score, options.signal);
        return scores.map((s) => s.score);
      },
      rewrite: async (context) => {
        const result = await chat(rewriteMessages({ ...scoreInputs, platform: input.platform, ...context }));
        return extractRewrite(result.text);
      },
    },
    options.search,
  );
  usage.scoredCandidates = outcome.scoredCandidates;
  return {
    status: 'ok',
    trajectory: outcome.trajectory,
    segments: outcome.segments,
    initialScore: outcome.initialScore,
    finalScore: outcome.finalScore,
    history: outcome.history,
    stop: outcome.stop,
    leak: checkLeak(outcome.trajectory, input.post, options.leak),
    usage,
  };
}
