import { describe, expect, it } from 'vitest';
import { initialSamplerState, nextMinibatch } from './minibatch.ts';
import { SeededRng } from './rng.ts';

describe('epoch-shuffled minibatches', () => {
  it('covers every train id once per epoch when the size divides', () => {
    const state = initialSamplerState(6);
    const rng = new SeededRng(1);
    const epoch = [0, 1].flatMap((i) => nextMinibatch(state, rng, i, 3));
    expect([...epoch].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const next = [2, 3].flatMap((i) => nextMinibatch(state, rng, i, 3));
    expect([...next].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(state.epoch).toBe(1);
  });

  it('pads the last batch with the least-used ids so every batch is full', () => {
    const state = initialSamplerState(7);
    const rng = new SeededRng(2);
    const batches = [0, 1, 2].map((i) => nextMinibatch(state, rng, i, 3));
    for (const batch of batches) expect(batch).toHaveLength(3);
    const flat = batches.flat();
    expect(new Set(flat).size).toBe(7);
    // Two padding slots, both filled with distinct least-used ids (each used once before padding).
    expect(state.useCounts.filter((c) => c === 2)).toHaveLength(2);
  });

  it('is reproducible from its saved state', () => {
    const a = initialSamplerState(5);
    const rngA = new SeededRng(3);
    nextMinibatch(a, rngA, 0, 3);
    const saved = structuredClone(a);
    const rngB = new SeededRng(0);
    const restoredRng = SeededRng.fromState(rngA.state);
    const rest = [1, 2, 3, 4].map((i) => nextMinibatch(a, rngA, i, 3));
    const again = [1, 2, 3, 4].map((i) => nextMinibatch(saved, restoredRng, i, 3));
    expect(again).toEqual(rest);
    expect(rngB.next()).not.toBe(restoredRng.next());
  });
});
