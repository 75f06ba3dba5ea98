import { describe, expect, it } from 'vitest';
import { planMerge, stratifiedMergeIds } from './merge.ts';
import { SeededRng } from './rng.ts';

const memory = () => ({ triplets: [] as string[], compositions: [] as string[] });
const components = ['a', 'b', 'c'];

describe('planMerge', () => {
  // 0 is the ancestor; 1 changed a; 2 changed b and c; 3 is 1's child that changed c too.
  const candidates = [
    { a: 'a0', b: 'b0', c: 'c0' },
    { a: 'a1', b: 'b0', c: 'c0' },
    { a: 'a0', b: 'b2', c: 'c2' },
    { a: 'a1', b: 'b0', c: 'c3' },
  ];
  const parents = [[], [0], [0], [1]];

  it('takes each module from the parent that changed it, and the better parent’s where both did', () => {
    const plan = planMerge(new SeededRng(1), [2, 3], candidates, parents, [0.1, 0.3, 0.5, 0.4], components, memory());
    expect(plan?.parents).toEqual([2, 3]);
    expect(plan?.ancestor).toBe(0);
    // a: only 3 changed it → a1; b: only 2 → b2; c: both changed, 2 scores higher → c2.
    expect(plan?.candidate).toEqual({ a: 'a1', b: 'b2', c: 'c2' });
    const flipped = planMerge(new SeededRng(1), [2, 3], candidates, parents, [0.1, 0.3, 0.4, 0.5], components, memory());
    expect(flipped?.candidate).toEqual({ a: 'a1', b: 'b2', c: 'c3' });
  });

  it('needs a common ancestor no better than either parent', () => {
    expect(planMerge(new SeededRng(1), [2, 3], candidates, parents, [0.45, 0.3, 0.5, 0.4], components, memory())).toBeNull();
  });

  it('never merges a candidate with its own ancestor, nor the same triplet twice', () => {
    expect(planMerge(new SeededRng(1), [1, 3], candidates, parents, [0.1, 0.3, 0.5, 0.4], components, memory())).toBeNull();
    const m = memory();
    expect(planMerge(new SeededRng(1), [2, 3], candidates, parents, [0.1, 0.3, 0.5, 0.4], components, m)).not.toBeNull();
    expect(planMerge(new SeededRng(2), [2, 3], candidates, parents, [0.1, 0.3, 0.5, 0.4], components, m)).toBeNull();
  });
});

describe('stratifiedMergeIds', () => {
  it('draws from where A wins, where B wins and the ties, then tops up', () => {
    const a = [1, 1, 1, 0, 0, 0, 0.5, 0.5];
    const b = [0, 0, 0, 1, 1, 1, 0.5, 0.5];
    const ids = stratifiedMergeIds(new SeededRng(3), a, b);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    expect(ids.slice(0, 2).every((k) => k < 3)).toBe(true);
    expect(ids.slice(2, 4).every((k) => k >= 3 && k < 6)).toBe(true);
    expect(ids[4]).toBeGreaterThanOrEqual(6);
  });

  it('repeats ids when the validation set has fewer than 5', () => {
    const ids = stratifiedMergeIds(new SeededRng(3), [1, 0, 0], [0, 1, 0]);
    expect(ids).toHaveLength(5);
    expect(new Set(ids)).toEqual(new Set([0, 1, 2]));
  });
});
