import { ReerError } from '@reer/core';
import type { RateLimits } from './provider-config.ts';

/** A minute, unless a test shortens it to keep rate-limit tests fast. */
export const DEFAULT_LIMIT_WINDOW_MS = 60_000;

/** Cap on how early the spacing timer is set (and so on the `setImmediate` wait after it). */
const MAX_TIMER_LATENESS_MS = 10;

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
 * One provider's limits: request starts are spread evenly, about `window / rpm` apart, so that no
 * window ever holds more than `rpm` of them, even in a burst; at most `concurrency` run at once
 * (first come, first served); and, where `tpm` is set, estimated tokens per window stay within it.
 *
 * Not Bottleneck (see docs/decisions/lm-registry-ax.md): its local datastore yields to the event
 * loop with `setTimeout(0)` several times per job (4 to 7 ms a call, measured), and its `minTime`
 * catches up after an event-loop stall without bound. Here catching up is bounded (see
 * `spaceStart`).
 */
export class ProviderLimiter {
  private readonly tokens: TokenWindow | undefined;
  readonly spacingMs: number;
  private readonly toleranceMs: number;
  private lastStartAt = Number.NEGATIVE_INFINITY;
  private lastLatenessMs = 0;
  private gate: Promise<void> = Promise.resolve();
  private timerLatenessMs = 0;
  private running = 0;
  private readonly waiting: { grant: () => void; refuse: (error: ReerError) => void }[] = [];
  private stopped = false;

  constructor(
    readonly limits: RateLimits,
    windowMs = DEFAULT_LIMIT_WINDOW_MS,
  ) {
    this.toleranceMs = windowMs / limits.rpm;
    this.spacingMs = (windowMs + this.toleranceMs) / limits.rpm;
    this.tokens = limits.tpm ? new TokenWindow(limits.tpm, windowMs) : undefined;
  }

  /** Take a concurrency slot, queueing (FIFO) while all are busy. */
  private takeSlot(signal?: AbortSignal): Promise<void> {
    if (this.stopped) return Promise.reject(new ReerError('E_ABORTED', 'the LM registry was closed', { details: { retryable: false } }));
    if (this.running < this.limits.concurrency && this.waiting.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiting.indexOf(waiter);
        if (index !== -1) this.waiting.splice(index, 1);
        reject(abortError(signal as AbortSignal));
      };
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.running++;
          resolve();
        },
        refuse: (error: ReerError) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      this.waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private freeSlot(): void {
    this.running--;
    this.waiting.shift()?.grant();
  }

  /**
   * Resolve at `target` (never before). Timers fire late on a busy machine, and every late start
   * pushes all later ones back, so the timer is set early by the lateness seen so far and the rest
   * is waited out with `setImmediate`, which still lets I/O run.
   */
  private async waitUntil(target: number): Promise<void> {
    for (;;) {
      const now = performance.now();
      const remaining = target - now;
      if (remaining <= 0) return;
      const early = this.timerLatenessMs + 1;
      if (remaining > early) {
        const planned = now + remaining - early;
        await abortableSleep(remaining - early);
        const late = Math.max(0, performance.now() - planned);
        this.timerLatenessMs = Math.min(MAX_TIMER_LATENESS_MS, 0.8 * this.timerLatenessMs + 0.2 * late);
      } else {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  /**
   * Wait for this request's turn, in arrival order. Starts are `spacingMs` apart, except that a
   * start that came late (a stalled event loop, a late timer) lets the next one come that much
   * sooner, up to `toleranceMs`, so stalls do not cost throughput for good. Any `n` starts then span
   * at least `(n - 1) * spacing - tolerance`, and with `spacing = (window + tolerance) / rpm` no
   * window ever holds more than `rpm`; a burst that starts on time is never faster than the limit.
   */
  private spaceStart(): Promise<void> {
    const arrivedAt = performance.now();
    const turn = this.gate.then(async () => {
      const allowedAt = Math.max(arrivedAt, this.lastStartAt + this.spacingMs - Math.min(this.toleranceMs, this.lastLatenessMs));
      await this.waitUntil(allowedAt);
      this.lastStartAt = performance.now();
      this.lastLatenessMs = this.lastStartAt - allowedAt;
    });
    this.gate = turn;
    return turn;
  }

  /** Wait for a slot (token budget, then concurrency, then request spacing). */
  async acquire(estimatedTokens: number, signal?: AbortSignal): Promise<LimiterSlot> {
    if (signal?.aborted) throw abortError(signal);
    const reservation = this.tokens ? await this.tokens.reserve(estimatedTokens, signal) : undefined;
    await this.takeSlot(signal);
    let released = false;
    const slot: LimiterSlot = {
      settleTokens: (actual) => reservation?.settle(actual),
      release: () => {
        if (released) return;
        released = true;
        this.freeSlot();
      },
    };
    try {
      await this.spaceStart();
      if (signal?.aborted) throw abortError(signal);
    } catch (error) {
      slot.release();
      throw error;
    }
    return slot;
  }

  /** Refuse queued requests (running ones finish). */
  stop(): void {
    this.stopped = true;
    for (const waiter of this.waiting.splice(0)) waiter.refuse(new ReerError('E_ABORTED', 'the LM registry was closed', { details: { retryable: false } }));
  }
}
