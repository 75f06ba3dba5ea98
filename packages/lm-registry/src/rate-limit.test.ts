import { describe, expect, it } from 'vitest';
import { isReerError } from '@reer/core';
import { ProviderLimiter } from './rate-limit.ts';

describe('ProviderLimiter', () => {
  it('never starts more than rpm requests in any window, even in a burst', async () => {
    const windowMs = 500;
    const limiter = new ProviderLimiter({ rpm: 10, concurrency: 100 }, windowMs);
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        const slot = await limiter.acquire(1);
        starts.push(performance.now());
        slot.release();
      }),
    );
    starts.sort((a, b) => a - b);
    // Any 11 starts span at least a whole window: no window holds 11. (Timers only fire late.)
    for (let i = 0; i + 10 < starts.length; i++) expect((starts[i + 10] ?? 0) - (starts[i] ?? 0)).toBeGreaterThanOrEqual(windowMs - 0.5);
    // And the limiter does not hold back more than the limit requires.
    expect((starts.at(-1) ?? 0) - (starts[0] ?? 0)).toBeLessThan(2.4 * windowMs + 150);
  });

  it('queues first come, first served beyond the concurrency limit', async () => {
    const limiter = new ProviderLimiter({ rpm: 1_000_000, concurrency: 2 });
    const a = await limiter.acquire(1);
    const b = await limiter.acquire(1);
    const order: string[] = [];
    const c = limiter.acquire(1).then((slot) => {
      order.push('c');
      return slot;
    });
    const d = limiter.acquire(1).then((slot) => {
      order.push('d');
      return slot;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    a.release();
    a.release(); // a second release must not free a second slot
    (await c).release();
    b.release();
    (await d).release();
    expect(order).toEqual(['c', 'd']);
  });

  it('drops a queued request when its caller aborts, and refuses all after stop', async () => {
    const limiter = new ProviderLimiter({ rpm: 1_000_000, concurrency: 1 });
    const held = await limiter.acquire(1);
    const controller = new AbortController();
    const waiting = limiter.acquire(1, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toSatisfy((e: unknown) => isReerError(e, 'E_ABORTED'));
    held.release();
    const next = await limiter.acquire(1);
    const queued = limiter.acquire(1);
    limiter.stop();
    await expect(queued).rejects.toSatisfy((e: unknown) => isReerError(e, 'E_ABORTED'));
    next.release();
  });

  it('keeps estimated tokens per window within tpm', async () => {
    const windowMs = 200;
    const limiter = new ProviderLimiter({ rpm: 1_000_000, tpm: 100, concurrency: 10 }, windowMs);
    const starts: number[] = [];
    await Promise.all(
      [60, 60, 60].map(async (tokens) => {
        const slot = await limiter.acquire(tokens);
        starts.push(performance.now());
        slot.release();
      }),
    );
    starts.sort((a, b) => a - b);
    expect((starts[1] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(windowMs - 1);
    expect((starts[2] ?? 0) - (starts[1] ?? 0)).toBeGreaterThanOrEqual(windowMs - 1);
  });
});
