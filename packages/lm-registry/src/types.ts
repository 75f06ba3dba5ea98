import type { AxAIService } from '@ax-llm/ax';

/**
 * The contract every LLM backend implements and every caller uses. Backends (OpenAI-compatible,
 * Anthropic, Together, the MLX bridge, llama.cpp) implement `LmBackend`; the registry wraps each
 * in rate limiting, retries, fallback and usage accounting and hands callers a `LanguageModel`.
 */

export interface LmCapabilities {
  /** Chat / text generation. */
  chat: boolean;
  /** Token-by-token streaming. */
  stream: boolean;
  /** Log-probabilities of a *given* continuation (teacher forcing), for REER. */
  score: boolean;
  /** Generation constrained to a JSON schema. */
  jsonSchema: boolean;
  /** Reproducible sampling from a seed. */
  seed: boolean;
}

export type Capability = keyof LmCapabilities;

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** @default 0.7 */
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  /** JSON schema the output must satisfy (backends with `jsonSchema`). */
  jsonSchema?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Per-call timeout; the registry's default applies when absent. */
  timeoutMs?: number;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export type FinishReason = 'stop' | 'length' | 'cancelled' | 'error' | 'unknown';

/** What a backend returns for one chat call. */
export interface BackendChatResult {
  text: string;
  finishReason: FinishReason;
  usage: TokenUsage;
}

/** What a caller gets back: the backend's result plus where it came from. */
export interface ChatResult extends BackendChatResult {
  /** URI of the LM that actually answered (differs from the requested one after a fallback). */
  lm: string;
  latencyMs: number;
  attempts: number;
  /** Estimated cost of this call (all attempts that returned usage) from the provider's pricing. */
  costUsd: number;
}

export type StreamEvent = { type: 'delta'; text: string } | { type: 'done'; result: BackendChatResult };

export interface ScoreRequest {
  /** Conditioning text (already chat-formatted by the caller where needed). Not scored. */
  prompt: string;
  /** The text whose tokens are scored. */
  continuation: string;
}

export interface TokenLogprob {
  token: string;
  /** Natural-log probability of this token given everything before it. */
  logprob: number;
  /** Character offsets of the token within the continuation: [start, end). */
  start: number;
  end: number;
}

export interface ScoreResult {
  /** Only the continuation's tokens, in order; their spans cover the continuation exactly. */
  tokens: TokenLogprob[];
  /** Mean negative log-likelihood over `tokens`. */
  meanNll: number;
  /** REER's score: `-mean(clip(logp, -2, 0))`, in [0, 2]. */
  clippedMeanNll: number;
}

/** Implemented by each provider; no retries, limits or accounting here: the registry adds them. */
export interface LmBackend {
  readonly provider: string;
  readonly model: string;
  readonly capabilities: LmCapabilities;
  chat(request: ChatRequest, signal: AbortSignal): Promise<BackendChatResult>;
  /** Present when `capabilities.stream`. The last event is `done`. */
  streamChat?(request: ChatRequest, signal: AbortSignal): AsyncIterable<StreamEvent>;
  /** Present when `capabilities.score`. One result per request, in order. */
  score?(requests: ScoreRequest[], signal: AbortSignal): Promise<ScoreResult[]>;
  /** An Ax AI service for Ax programs, when the backend provides its own (e.g. an Ax profile). */
  axService?(): AxAIService;
  /** A cheap live call proving the backend is reachable and authorised (e.g. list models); returns
   * a short description. The registry falls back to a one-token chat when absent. */
  health?(signal: AbortSignal): Promise<string>;
  /** Release processes, models, sockets. */
  close?(): Promise<void>;
}

export interface UsageEntry {
  provider: string;
  model: string;
  calls: number;
  retries: number;
  failures: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** A resolved LM as callers see it. */
export interface LanguageModel {
  readonly uri: string;
  readonly provider: string;
  readonly model: string;
  readonly capabilities: LmCapabilities;
  chat(request: ChatRequest): Promise<ChatResult>;
  /** Throws `E_CAPABILITY` when the backend cannot stream. */
  stream(request: ChatRequest): AsyncIterable<StreamEvent>;
  /** Throws `E_CAPABILITY` (naming the providers that can) when the backend cannot score. */
  score(requests: ScoreRequest[], options?: { signal?: AbortSignal }): Promise<ScoreResult[]>;
  /** An Ax AI service whose calls go through this LM's limits, retries and accounting. */
  axService(): AxAIService;
}

/** What a backend factory receives. `settings` is the provider's entry from the `providers` config
 * section; each backend validates its own fields with zod. */
export interface BackendOptions {
  env: Readonly<Record<string, string | undefined>>;
  logger: import('@reer/core').Logger;
  settings: Record<string, unknown>;
  /** Replaces global fetch for HTTP backends (tests, proxies). */
  fetch?: typeof fetch;
}

/** Creates a backend for one model. Must not block: start processes or load weights lazily. */
export type BackendFactory = (model: string, options: BackendOptions) => LmBackend;
