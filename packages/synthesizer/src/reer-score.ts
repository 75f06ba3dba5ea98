import { ReerError } from '@reer/core';
import { REER_LOGPROB_CLIP, summarizeLogprobs } from '@reer/lm-registry';
import type { LanguageModel, ScoreRequest, TokenLogprob } from '@reer/lm-registry';
import { segmentSpans, type TextSpan } from './segment.ts';

/** How the instruction holding x is chat-formatted for the scoring model. */
export const PROMPT_FORMATS = ['chatml', 'llama3', 'plain'] as const;
export type PromptFormat = (typeof PROMPT_FORMATS)[number];

/** The part of an LM the scoring function needs. */
export type ScoringLm = Pick<LanguageModel, 'uri' | 'capabilities' | 'score'>;

export interface ReerScoreOptions {
  /** Chat template the prompt is written in; match the scoring model's. @default 'chatml' */
  promptFormat: PromptFormat;
  /** Condition on y's first segment instead of scoring it, as the official code does. @default true */
  conditionFirstSegment: boolean;
  /** Minimum segment length of the segmentation rule. @default 100 */
  segmentMinChars: number;
  /** Lower clip of each token's log-probability. @default -2 */
  clip: number;
}

export const DEFAULT_SCORE_OPTIONS: ReerScoreOptions = {
  promptFormat: 'chatml',
  conditionFirstSegment: true,
  segmentMinChars: 100,
  clip: REER_LOGPROB_CLIP,
};

const SYSTEM_PROMPT = 'You are a skilled social media writer. Think through your plan first, then write the post.';

/** The chat-formatted instruction: it contains the query x and never the post y. */
export function scoringPrompt(query: string, format: PromptFormat): string {
  const user = `Write a social media post for this brief:\n${query}\n\nThink inside <think></think>, then give the post inside <answer></answer>.`;
  switch (format) {
    case 'chatml':
      return `<|im_start|>system\n${SYSTEM_PROMPT}<|im_end|>\n<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n`;
    case 'llama3':
      return `<|start_header_id|>system<|end_header_id|>\n\n${SYSTEM_PROMPT}<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n${user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`;
    case 'plain':
      return `System: ${SYSTEM_PROMPT}\n\nUser: ${user}\n\nAssistant:\n`;
  }
}

export interface ScoringContinuation {
  continuation: string;
  /** Where y lies in `continuation`. */
  post: TextSpan;
  /** The characters whose tokens are scored (y, less its first segment when conditioned on). */
  scored: TextSpan;
}

/** `<think>\n{z}\n</think>\n<answer>\n{y}\n</answer>` with the spans of y and of its scored part. */
export function scoringContinuation(trajectory: string, post: string, options: Pick<ReerScoreOptions, 'conditionFirstSegment' | 'segmentMinChars'>): ScoringContinuation {
  const head = `<think>\n${trajectory}\n</think>\n<answer>\n`;
  const continuation = `${head}${post}\n</answer>`;
  const postSpan = { start: head.length, end: head.length + post.length };
  return { continuation, post: postSpan, scored: { start: head.length + scoredStartInPost(post, options), end: postSpan.end } };
}

/**
 * Offset in y where scoring starts: after the first segment when that rule is on and y has more
 * than one segment. A one-segment post (most short posts) is scored whole, since conditioning on
 * all of it would leave nothing to score.
 */
export function scoredStartInPost(post: string, options: Pick<ReerScoreOptions, 'conditionFirstSegment' | 'segmentMinChars'>): number {
  if (!options.conditionFirstSegment) return 0;
  const spans = segmentSpans(post, options.segmentMinChars);
  const first = spans[0];
  return spans.length > 1 && first ? first.end : 0;
}

/**
 * The tokens that carry any character of `span`. A token straddling a boundary (a BPE merge of
 * `\n` and y's first letter, or y's last letter and the `\n` after it) counts: it is the token
 * that predicts those characters.
 */
export function tokensInSpan(tokens: readonly TokenLogprob[], span: TextSpan): TokenLogprob[] {
  return tokens.filter((t) => t.end > span.start && t.start < span.end);
}

export interface TrajectoryScore {
  /** `-mean(clip(logp, clip, 0))` over the scored tokens: lower is better, in [0, -clip]. */
  score: number;
  /** How many tokens were scored. */
  tokens: number;
}

export interface ScoreInputs {
  query: string;
  post: string;
  trajectories: readonly string[];
}

/** The score requests for several trajectories of one (x, y): one prompt, one continuation each. */
export function scoreRequests(inputs: ScoreInputs, options: ReerScoreOptions): { requests: ScoreRequest[]; spans: TextSpan[] } {
  const prompt = scoringPrompt(inputs.query, options.promptFormat);
  const built = inputs.trajectories.map((z) => scoringContinuation(z, inputs.post, options));
  return { requests: built.map((b) => ({ prompt, continuation: b.continuation })), spans: built.map((b) => b.scored) };
}

/**
 * REER's score of each trajectory z for query x and post y, in one batched `score` call. The
 * backend tokenizes prompt + continuation once and reports each token's character span in the
 * continuation; y's tokens are picked by those spans.
 */
export async function scoreTrajectories(lm: ScoringLm, inputs: ScoreInputs, options: ReerScoreOptions, signal?: AbortSignal): Promise<TrajectoryScore[]> {
  if (inputs.trajectories.length === 0) return [];
  const { requests, spans } = scoreRequests(inputs, options);
  const results = await lm.score(requests, signal ? { signal } : undefined);
  if (results.length !== requests.length) {
    throw new ReerError('E_PROVIDER', `${lm.uri}: score returned ${results.length} results for ${requests.length} requests`, {
      hint: 'The scoring backend broke its contract; try another scorer or report it.',
    });
  }
  return results.map((result, i) => {
    const span = spans[i] as TextSpan;
    const scored = tokensInSpan(result.tokens, span);
    if (scored.length === 0) {
      throw new ReerError('E_PROVIDER', `${lm.uri}: no scored tokens cover the post (characters ${span.start}-${span.end} of the continuation)`, {
        hint: 'The scoring backend must report character offsets of the continuation; check its version.',
      });
    }
    return { score: summarizeLogprobs(scored, options.clip).clippedMeanNll, tokens: scored.length };
  });
}
