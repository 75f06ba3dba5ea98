import pRetry from 'p-retry';
import type { AxAIService } from '@ax-llm/ax';
import { ReerError, type Logger } from '@reer/core';
import { createAxService } from './ax-service.ts';
import { callCostUsd, type ProviderConfig, type RetryConfig } from './provider-config.ts';
import { providerError, retryInfoOf } from './provider-error.ts';
import { abortableSleep, type LimiterSlot, type ProviderLimiter } from './rate-limit.ts';
import type { UsageLedger } from './usage.ts';
import { estimateTokens } from './backends/openai-compatible.ts';
import type {
  BackendChatResult,
  ChatRequest,
  ChatResult,
  LanguageModel,
  LmBackend,
  LmCapabilities,
  ScoreRequest,
  ScoreResult,
  StreamEvent,
  TokenUsage,
} from './types.ts';

/** One provider + model the registry can call, with its limiter and a lazily created backend. */
export interface LmTarget {
  uri: string;
  provider: string;
  model: string;
  entry: ProviderConfig;
  limiter: ProviderLimiter;
  /** Declared until the backend is loaded, then the backend's own. */
  capabilities(): LmCapabilities;
  backend(): Promise<LmBackend>;
  /** Score requests sent per backend call (1 for HTTP: each is a request against the rate limit). */
  scoreBatchSize: number;
  timeoutMs: number;
}

export interface ManagedLmDeps {
  retry: RetryConfig;
  usage: UsageLedger;
  logger: Logger;
  logCalls: 'debug' | 'info';
  /** Providers whose models can score (noting a missing credential), for the E_CAPABILITY hint. */
  scoringProviders: () => string[];
  /** Credential values to scrub from any error message. */
  secrets: readonly string[];
}

type Outcome<T> =
  | { ok: true; value: T; attempts: number; slotHeld?: LimiterSlot }
  | { ok: false; error: ReerError; attempts: number; fallback: boolean };

const DEFAULT_OUTPUT_ESTIMATE = 256;

function requestTokenEstimate(request: ChatRequest): number {
  return estimateTokens(request.messages.map((m) => m.content).join('\n')) + (request.maxTokens ?? DEFAULT_OUTPUT_ESTIMATE);
}

function combineSignals(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a ? AbortSignal.any([a, b]) : b;
}

/**
 * A `LanguageModel` over a chain of targets: the first is the LM asked for, the rest its fallbacks.
 * Every call waits for its provider's limiter, runs with a timeout, is retried with backoff on
 * transient failures, moves to the next target when retries are exhausted, and is accounted and
 * logged once.
 */
export class ManagedLanguageModel implements LanguageModel {
  readonly uri: string;
  readonly provider: string;
  readonly model: string;
  private ax: AxAIService | undefined;

  constructor(
    private readonly chain: readonly LmTarget[],
    private readonly deps: ManagedLmDeps,
  ) {
    const first = chain[0];
    if (!first) throw new ReerError('E_INTERNAL', 'a language model needs at least one target');
    this.uri = first.uri;
    this.provider = first.provider;
    this.model = first.model;
  }

  private get primary(): LmTarget {
    return this.chain[0] as LmTarget;
  }

  get capabilities(): LmCapabilities {
    return this.primary.capabilities();
  }

  /** Load the primary backend now (local backends load lazily), so `capabilities` are exact. */
  async load(): Promise<this> {
    await this.primary.backend();
    return this;
  }

  axService(): AxAIService {
    this.ax ??= createAxService(this);
    return this.ax;
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    const started = performance.now();
    let attempts = 0;
    for (let i = 0; i < this.chain.length; i++) {
      const target = this.chain[i] as LmTarget;
      const outcome = await this.attempt(target, request.signal, request.timeoutMs, requestTokenEstimate(request), (backend, signal) => backend.chat(request, signal), (r) => r.usage);
      attempts += outcome.attempts;
      if (outcome.ok) {
        const costUsd = callCostUsd(target.entry, target.model, outcome.value.usage.inputTokens, outcome.value.usage.outputTokens);
        return { ...outcome.value, lm: target.uri, latencyMs: performance.now() - started, attempts, costUsd };
      }
      this.fallOrThrow(outcome, i);
    }
    throw new ReerError('E_INTERNAL', 'fallback chain ended without a result');
  }

  async *stream(request: ChatRequest): AsyncIterable<StreamEvent> {
    if (!this.capabilities.stream) {
      throw new ReerError('E_CAPABILITY', `${this.uri} cannot stream`, { hint: 'Use chat() instead.' });
    }
    for (let i = 0; i < this.chain.length; i++) {
      const target = this.chain[i] as LmTarget;
      const started = performance.now();
      // Retries and fallback cover opening the stream and its first event; once text has been
      // yielded a failure ends the stream.
      const outcome = await this.attempt(
        target,
        request.signal,
        request.timeoutMs,
        requestTokenEstimate(request),
        async (backend, signal) => {
          if (!backend.streamChat) throw new ReerError('E_CAPABILITY', `${target.uri} cannot stream`, { details: { retryable: false } });
          const iterator = backend.streamChat(request, signal)[Symbol.asyncIterator]();
          const first = await iterator.next();
          return { iterator, first };
        },
        () => undefined,
        true,
      );
      if (!outcome.ok) {
        this.fallOrThrow(outcome, i);
        continue;
      }
      const { iterator, first } = outcome.value;
      const slot = outcome.slotHeld;
      let result: BackendChatResult | undefined;
      let failure: ReerError | undefined;
      try {
        let step = first;
        while (!step.done) {
          const event = step.value;
          if (event.type === 'done') result = event.result;
          yield event;
          step = await iterator.next();
        }
      } catch (error) {
        failure = providerError(error, { provider: target.provider, model: target.model, secrets: this.deps.secrets });
        throw failure;
      } finally {
        // Also reached when the consumer stops early: the call is still counted once.
        const usage = result?.usage ?? { inputTokens: 0, outputTokens: 0 };
        slot?.settleTokens(usage.inputTokens + usage.outputTokens);
        slot?.release();
        if (!failure) await iterator.return?.();
        this.account(target, 'stream', outcome.attempts, performance.now() - started, failure ? undefined : usage, failure);
      }
      return;
    }
  }

  async score(requests: ScoreRequest[], options: { signal?: AbortSignal } = {}): Promise<ScoreResult[]> {
    const target = this.primary;
    if (!this.capabilities.score) {
      const can = this.deps.scoringProviders();
      throw new ReerError('E_CAPABILITY', `${this.uri} cannot score (no log-probabilities of given text from this provider)`, {
        hint: `Use an LM that can score: ${can.length > 0 ? can.join(', ') : 'mlx::<model>, llama::<model>, or an OpenAI-compatible completions server with score: echo'}.`,
        details: { capability: 'score', providers: can },
      });
    }
    if (requests.length === 0) return [];
    // No fallback for scoring: scores from different models are not comparable.
    const batches: ScoreRequest[][] = [];
    for (let i = 0; i < requests.length; i += target.scoreBatchSize) batches.push(requests.slice(i, i + target.scoreBatchSize));
    const results = await Promise.all(
      batches.map(async (batch) => {
        const estimate = batch.reduce((n, r) => n + estimateTokens(r.prompt + r.continuation), 0);
        const outcome = await this.attempt(
          target,
          options.signal,
          undefined,
          estimate,
          async (backend, signal) => {
            if (!backend.score) throw new ReerError('E_CAPABILITY', `${target.uri} cannot score`, { details: { retryable: false } });
            const scored = await backend.score(batch, signal);
            if (scored.length !== batch.length) {
              throw new ReerError('E_PROVIDER', `${target.uri}: score returned ${scored.length} results for ${batch.length} requests`, { details: { retryable: false } });
            }
            return scored;
          },
          () => ({ inputTokens: estimate, outputTokens: 0 }),
        );
        if (!outcome.ok) throw outcome.error;
        return outcome.value;
      }),
    );
    return results.flat();
  }

  private fallOrThrow(outcome: Extract<Outcome<unknown>, { ok: false }>, index: number): void {
    const next = this.chain[index + 1];
    if (!outcome.fallback || !next) throw outcome.error;
    this.deps.logger.warn(
      { lm: this.chain[index]?.uri, fallback: next.uri, code: outcome.error.code, error: outcome.error.message },
      'lm call failed after retries; falling back to the next provider',
    );
  }

  private account(target: LmTarget, op: string, attempts: number, latencyMs: number, usage: TokenUsage | undefined, error?: ReerError): void {
    const base = { lm: target.uri, provider: target.provider, model: target.model, op, latencyMs: Math.round(latencyMs), attempts };
    if (error) {
      this.deps.usage.record(target.provider, target.model, { calls: 1, retries: attempts - 1, failures: 1 });
      this.deps.logger.warn({ ...base, outcome: 'error', code: error.code, error: error.message }, 'lm call');
      return;
    }
    const input = usage?.inputTokens ?? 0;
    const output = usage?.outputTokens ?? 0;
    this.deps.usage.record(target.provider, target.model, {
      calls: 1,
      retries: attempts - 1,
      inputTokens: input,
      outputTokens: output,
      costUsd: callCostUsd(target.entry, target.model, input, output),
    });
    this.deps.logger[this.deps.logCalls]({ ...base, inputTokens: input, outputTokens: output, outcome: 'ok' }, 'lm call');
  }

  /** Backoff before retry `n` (0-based): exponential with jitter in [50%, 100%]. */
  private backoffMs(n: number): number {
    const { min_delay_ms: min, max_delay_ms: max } = this.deps.retry;
    const ceiling = Math.min(max, min * 2 ** n);
    return ceiling * (0.5 + Math.random() * 0.5);
  }

  /**
   * Run `exec` on one target with limits, a timeout per attempt and retries. With `holdSlot` the
   * limiter slot stays held on success and is handed to the caller (streams).
   */
  private async attempt<T>(
    target: LmTarget,
    callerSignal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    estimatedTokens: number,
    exec: (backend: LmBackend, signal: AbortSignal) => Promise<T>,
    usageOf: (value: T) => TokenUsage | undefined,
    holdSlot = false,
  ): Promise<Outcome<T>> {
    const retry = this.deps.retry;
    const started = performance.now();
    const perCallTimeout = timeoutMs ?? target.timeoutMs;
    let attempts = 0;
    let rateLimitedTooLong = false;
    let heldSlot: LimiterSlot | undefined;
    try {
      const value = await pRetry(
        async () => {
          attempts++;
          const slot = await target.limiter.acquire(estimatedTokens, callerSignal);
          const timeout = new AbortController();
          const timer = setTimeout(() => timeout.abort(new Error('timeout')), perCallTimeout);
          let keep = false;
          try {
            const backend = await target.backend();
            const result = await exec(backend, combineSignals(callerSignal, timeout.signal));
            const usage = usageOf(result);
            if (usage) slot.settleTokens(usage.inputTokens + usage.outputTokens);
            if (holdSlot) {
              keep = true;
              heldSlot = slot;
            }
            return result;
          } catch (error) {
            if (callerSignal?.aborted) {
              throw new ReerError('E_ABORTED', `${target.uri}: call aborted`, { cause: error, details: { retryable: false } });
            }
            if (timeout.signal.aborted) {
              throw new ReerError('E_TIMEOUT', `${target.uri}: no answer within ${perCallTimeout} ms`, {
                hint: 'Raise providers.timeout_ms (or the provider entry timeout_ms), or check the server.',
                details: { retryable: true },
              });
            }
            throw providerError(error, { provider: target.provider, model: target.model, secrets: this.deps.secrets });
          } finally {
            clearTimeout(timer);
            if (!keep) slot.release();
          }
        },
        {
          retries: retry.retries,
          // Delays are chosen in shouldRetry (Retry-After aware); p-retry's own backoff is off.
          minTimeout: 0,
          factor: 1,
          maxRetryTime: retry.max_retry_time_ms,
          ...(callerSignal ? { signal: callerSignal } : {}),
          shouldRetry: async ({ error, retriesConsumed }) => {
            const info = retryInfoOf(error);
            if (!info.retryable) return false;
            if (info.status === 429 && info.retryAfterMs !== undefined && info.retryAfterMs > retry.max_rate_limit_wait_ms) {
              rateLimitedTooLong = true;
              return false;
            }
            const delay = info.retryAfterMs ?? this.backoffMs(retriesConsumed);
            if (performance.now() - started + delay > retry.max_retry_time_ms) return false;
            this.deps.logger.warn(
              { lm: target.uri, attempt: attempts, status: info.status, code: error instanceof ReerError ? error.code : undefined, delayMs: Math.round(delay) },
              'lm attempt failed; retrying',
            );
            await abortableSleep(delay, callerSignal);
            return true;
          },
        },
      );
      if (!holdSlot) this.account(target, 'call', attempts, performance.now() - started, usageOf(value));
      return { ok: true, value, attempts, ...(heldSlot ? { slotHeld: heldSlot } : {}) };
    } catch (thrown) {
      const error =
        thrown instanceof ReerError
          ? thrown
          : callerSignal?.aborted
            ? new ReerError('E_ABORTED', `${target.uri}: call aborted`, { cause: thrown })
            : providerError(thrown, { provider: target.provider, model: target.model, secrets: this.deps.secrets });
      const final =
        rateLimitedTooLong && error.code === 'E_RATE_LIMITED'
          ? new ReerError('E_RATE_LIMITED', `${error.message} (asked to wait longer than providers.retry.max_rate_limit_wait_ms)`, {
              hint: error.hint,
              details: error.details,
            })
          : error;
      this.account(target, 'call', Math.max(1, attempts), performance.now() - started, undefined, final);
      const info = retryInfoOf(final);
      const fallback = final.code !== 'E_ABORTED' && (info.retryable || rateLimitedTooLong);
      return { ok: false, error: final, attempts: Math.max(1, attempts), fallback };
    }
  }
}
