import Bottleneck from 'bottleneck';
import { ReerError } from '@reer/core';
import type { RateLimits } from './provider-config.ts';

/** A minute, unless a test shortens it to keep rate-limit tests fast. */
export const DEFAULT_LIMIT_WINDOW_MS = 60_000;

function abortError(signal: AbortSignal): ReerError {
  return new ReerError('E_ABORTED', `call aborted while waiting for the rate limiter (${String(signal.reason ?? 'aborted')})`, {
    details: { retryable: false },
  });
}

/** `setTimeout` as a promise that rejects with `E_ABORTED` when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Tokens per sliding window. A call reserves an estimate before it starts and settles the real
 * count when it ends. A single call larger than the whole budget still runs once the window is
 * empty, so it cannot wait forever.
 */
class TokenWindow {
  private readonly entries: { at: number; tokens: number }[] = [];
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  private prune(now: number): number {
    while (this.entries.length > 0 && (this.entries[0]?.at ?? 0) <= now - this.windowMs) this.entries.shift();
    return this.entries.reduce((sum, e) => sum + e.tokens, 0);
  }

  async reserve(tokens: number, signal?: AbortSignal): Promise<{ settle(actual: number): void }> {
    for (;;) {
      const now = performance.now();
      const used = this.prune(now);
      if (used + tokens <= this.limit || this.entries.length === 0) {
        const entry = { at: now, tokens };
        this.entries.push(entry);
        return {
          settle: (actual) => {
            entry.tokens = actual;
          },
        };
      }
      const oldest = this.entries[0]?.at ?? now;
      await abortableSleep(Math.max(1, oldest + this.windowMs - now), signal);
    }
  }
}

/** A slot held while a request runs; release it exactly once. */
export interface LimiterSlot {
  /** Report the tokens the call really used (for the tokens-per-minute budget). */
  settleTokens(actual: number): void;
  release(): void;
}

/**
 * One provider's limits: requests are started at least `window / rpm` apart (so no window ever
 * holds more than `rpm` of them, even in a burst), at most `concurrency` run at once, and, where
 * `tpm` is set, estimated tokens per window stay within it.
 *
 * Bottleneck queues the calls and caps concurrency. The spacing is measured from when each request
 * really started rather than with Bottleneck's `minTime`, which schedules from planned times and so
 * sends a catch-up burst after the event loop stalls.
 */
export class ProviderLimiter {
  private readonly bottleneck: Bottleneck;
  private readonly tokens: TokenWindow | undefined;
  readonly minSpacingMs: number;
  private nextStartAt = 0;
  private gate: Promise<void> = Promise.resolve();

  constructor(
    readonly limits: RateLimits,
    windowMs = DEFAULT_LIMIT_WINDOW_MS,
  ) {
    this.minSpacingMs = windowMs / limits.rpm;
    this.bottleneck = new Bottleneck({ maxConcurrent: limits.concurrency });
    this.tokens = limits.tpm ? new TokenWindow(limits.tpm, windowMs) : undefined;
  }

  /** Wait for this request's turn: one start per `minSpacingMs`, in arrival order. */
  private spaceStart(): Promise<void> {
    const turn = this.gate.then(async () => {
      const wait = this.nextStartAt - performance.now();
      if (wait > 0) await abortableSleep(wait);
      this.nextStartAt = performance.now() + this.minSpacingMs;
    });
    this.gate = turn;
    return turn;
  }

  /** Wait for a slot (token budget first, then request spacing and concurrency). */
  async acquire(estimatedTokens: number, signal?: AbortSignal): Promise<LimiterSlot> {
    if (signal?.aborted) throw abortError(signal);
    const reservation = this.tokens ? await this.tokens.reserve(estimatedTokens, signal) : undefined;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await new Promise<void>((granted, refused) => {
      // Rejects only when the limiter is stopped with this job still queued.
      this.bottleneck
        .schedule(async () => {
          await this.spaceStart();
          granted();
          return held;
        })
        .catch(refused);
    });
    let released = false;
    const slot: LimiterSlot = {
      settleTokens: (actual) => reservation?.settle(actual),
      release: () => {
        if (released) return;
        released = true;
        release();
      },
    };
    if (signal?.aborted) {
      slot.release();
      throw abortError(signal);
    }
    return slot;
  }

  /** Requests queued or running, for status displays. */
  pending(): number {
    const counts = this.bottleneck.counts();
    return (counts.QUEUED ?? 0) + (counts.RUNNING ?? 0) + (counts.EXECUTING ?? 0);
  }

  async stop(): Promise<void> {
    await this.bottleneck.stop({ dropWaitingJobs: true });
  }
}
