import type { ScoreResult, TokenLogprob } from './types.ts';

/** REER clips each token's log-probability at -2 so one surprising token cannot dominate. */
export const REER_LOGPROB_CLIP = -2;

/** Mean NLL and REER's clipped mean NLL of the given tokens (0 for none). */
export function summarizeLogprobs(tokens: TokenLogprob[], clip = REER_LOGPROB_CLIP): ScoreResult {
  if (tokens.length === 0) return { tokens, meanNll: 0, clippedMeanNll: 0 };
  let nll = 0;
  let clipped = 0;
  for (const t of tokens) {
    nll -= t.logprob;
    clipped -= Math.min(0, Math.max(clip, t.logprob));
  }
  return { tokens, meanNll: nll / tokens.length, clippedMeanNll: clipped / tokens.length };
}
