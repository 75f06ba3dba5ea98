import { ReerError } from '@reer/core';
import { summarizeLogprobs, type ChatRequest, type ChatResult, type LanguageModel, type LmCapabilities, type ScoreRequest, type ScoreResult, type TokenLogprob } from '@reer/lm-registry';

/**
 * Small deterministic LMs implementing the `LanguageModel` contract for tests and the bench: a
 * tokenizer over the FULL prompt + continuation string (so tokens can straddle the boundary, as
 * BPE merges do) and a pluggable log-probability per token given everything before it.
 */

export type Tokenizer = (text: string) => { start: number; end: number }[];

/** Leading whitespace joins the next word, like GPT-style BPE (`"\nHello"`, `" world"`). */
export const wordTokenizer: Tokenizer = (text) => [...text.matchAll(/\s*\S+|\s+/g)].map((m) => ({ start: m.index, end: m.index + m[0].length }));

/** Fixed-width chunks of the full string: tokens straddle every kind of boundary. */
export function chunkTokenizer(width: number): Tokenizer {
  return (text) => Array.from({ length: Math.ceil(text.length / width) }, (_, i) => ({ start: i * width, end: Math.min(text.length, (i + 1) * width) }));
}

export type LogprobFn = (token: string, before: readonly string[]) => number;

/** -0.5 per non-space character: easy to compute by hand, and long tokens fall below the clip. */
export const lengthLogprob: LogprobFn = (token) => -0.5 * token.replace(/\s/g, '').length;

const norm = (t: string) => t.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/**
 * A copy-biased bigram model over the context: a token is likely when the pair (previous token,
 * token) already occurred earlier in the string, less so when the word alone did (saturating in
 * its count, so a longer context does not dilute it).
 */
export const bigramCopyLogprob: LogprobFn = (token, before) => {
  const t = norm(token);
  const prev = before.length > 0 ? norm(before[before.length - 1] as string) : '';
  let pair = 0;
  let prevCount = 0;
  let uni = 0;
  for (let i = 0; i < before.length; i++) {
    const w = norm(before[i] as string);
    if (w === t) uni++;
    if (i + 1 < before.length && w === prev) {
      prevCount++;
      if (norm(before[i + 1] as string) === t) pair++;
    }
  }
  const p = 0.6 * (prevCount > 0 ? pair / prevCount : 0) + 0.39 * (uni / (uni + 2)) + 0.01 / 1000;
  return Math.log(p);
};

export interface StandInOptions {
  uri?: string;
  tokenizer?: Tokenizer;
  logprob?: LogprobFn;
  canScore?: boolean;
  /** Answers chat requests; without it chat throws. */
  chat?: (request: ChatRequest) => string | Promise<string>;
  /** Output tokens reported for a chat answer. @default words of the answer */
  outputTokens?: (text: string) => number;
}

export interface StandInLm extends LanguageModel {
  readonly scoreCalls: ScoreRequest[][];
  readonly chatCalls: ChatRequest[];
}

/** Scores one request the way a real backend must: tokenize once, report continuation spans. */
export function scoreOne(request: ScoreRequest, tokenizer: Tokenizer, logprob: LogprobFn): ScoreResult {
  const full = request.prompt + request.continuation;
  const offset = request.prompt.length;
  const spans = tokenizer(full);
  const texts = spans.map((s) => full.slice(s.start, s.end));
  const tokens: TokenLogprob[] = [];
  spans.forEach((s, i) => {
    if (s.end <= offset) return;
    tokens.push({ token: texts[i] as string, logprob: logprob(texts[i] as string, texts.slice(0, i)), start: Math.max(0, s.start - offset), end: s.end - offset });
  });
  return summarizeLogprobs(tokens);
}

export function standInLm(options: StandInOptions = {}): StandInLm {
  const tokenizer = options.tokenizer ?? wordTokenizer;
  const logprob = options.logprob ?? lengthLogprob;
  const capabilities: LmCapabilities = { chat: Boolean(options.chat), stream: false, score: options.canScore ?? true, jsonSchema: false, seed: false };
  const scoreCalls: ScoreRequest[][] = [];
  const chatCalls: ChatRequest[] = [];
  const uri = options.uri ?? 'stand-in::ngram';
  return {
    uri,
    provider: 'stand-in',
    model: 'ngram',
    capabilities,
    scoreCalls,
    chatCalls,
    async chat(request): Promise<ChatResult> {
      chatCalls.push(request);
      if (!options.chat) throw new ReerError('E_CAPABILITY', `${uri} cannot chat`);
      const text = await options.chat(request);
      const outputTokens = options.outputTokens ? options.outputTokens(text) : (text.match(/\S+/g) ?? []).length;
      return { text, finishReason: 'stop', usage: { inputTokens: 10, outputTokens }, lm: uri, latencyMs: 0, attempts: 1, costUsd: 0 };
    },
    stream(): AsyncIterable<never> {
      throw new ReerError('E_CAPABILITY', `${uri} cannot stream`);
    },
    async score(requests) {
      if (!capabilities.score) throw new ReerError('E_CAPABILITY', `${uri} cannot score`);
      scoreCalls.push(requests);
      return requests.map((r) => scoreOne(r, tokenizer, logprob));
    },
    axService() {
      throw new ReerError('E_CAPABILITY', `${uri} has no Ax service`);
    },
  };
}
