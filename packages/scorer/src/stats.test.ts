import { describe, expect, it } from 'vitest';
import { pairwiseAccuracy, pearson, ranks, spearman } from './stats.ts';

describe('stats', () => {
  it('ranks share ties', () => {
    expect(Array.from(ranks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
  });

  it.each([
    ['perfect', [1, 2, 3, 4], [10, 20, 30, 40], 1],
    ['reversed', [1, 2, 3, 4], [4, 3, 2, 1], -1],
    ['monotone but not linear', [1, 2, 3, 4], [1, 4, 9, 100], 1],
    ['constant side', [1, 1, 1], [1, 2, 3], 0],
  ])('spearman %s', (_name, a, b, expected) => {
    expect(spearman(a, b)).toBeCloseTo(expected, 12);
  });

  it('spearman with ties matches the textbook value', () => {
    // Pearson of ranks [1,2.5,2.5,4] and [1,2,3,4].
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.9486832980505138, 12);
    expect(pearson([1, 2, 3], [2, 4, 7])).toBeCloseTo(0.9933992677987828, 12);
  });

  it('pairwise accuracy excludes pairs tied in the truth and counts score ties as half', () => {
    expect(pairwiseAccuracy([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(pairwiseAccuracy([3, 2, 1], [1, 2, 3])).toBe(0);
    expect(pairwiseAccuracy([1, 1], [1, 2])).toBe(0.5);
    expect(pairwiseAccuracy([1, 2, 3], [5, 5, 6])).toBe(1);
    expect(pairwiseAccuracy([1, 2], [4, 4])).toBeNull();
  });
});
