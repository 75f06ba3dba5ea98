import { describe, expect, it } from 'vitest';
import { paretoFronts, paretoSamplingWeights, paretoSurvivors, sampleParetoCandidate } from './pareto.ts';
import { SeededRng } from './rng.ts';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('Pareto sampling', () => {
  // The worked check from the notes: P0 = [1,0,0], P1 = [1,1,0], P2 = [0,0,1], P3 = [0,1,0].
  const scores = [
    [1, 0, 0],
    [1, 1, 0],
    [0, 0, 1],
    [0, 1, 0],
  ];
  const means = scores.map(mean);

  it('keeps every candidate tied for an example on its front', () => {
    expect(paretoFronts(scores)).toEqual([[0, 1], [1, 3], [2]]);
  });

  it('gives P1 exactly 2/3 and P2 exactly 1/3, and never P0 or P3', () => {
    const weights = paretoSamplingWeights(paretoFronts(scores), means);
    const total = [...weights.values()].reduce((a, b) => a + b, 0);
    expect(Object.fromEntries([...weights].map(([c, w]) => [c, w / total]))).toEqual({ 1: 2 / 3, 2: 1 / 3 });
  });

  it('draws in those proportions', () => {
    const rng = new SeededRng(7);
    const fronts = paretoFronts(scores);
    const counts = [0, 0, 0, 0];
    for (let n = 0; n < 30_000; n++) counts[sampleParetoCandidate(rng, fronts, means)]! += 1;
    expect(counts[0]).toBe(0);
    expect(counts[3]).toBe(0);
    expect(counts[1]! / 30_000).toBeCloseTo(2 / 3, 2);
    expect(counts[2]! / 30_000).toBeCloseTo(1 / 3, 2);
  });

  it('prunes from the lowest mean upwards: of two candidates tied everywhere, the better-scoring one survives', () => {
    const tied = [
      [1, 0],
      [1, 0.5],
      [0, 1],
    ];
    // Front 0 = {0,1}; front 1 = {2}. C0 (mean .5) goes before C1 (mean .75): C0 is dropped, C1 stays.
    expect(paretoSurvivors(paretoFronts(tied), tied.map(mean))).toEqual([1, 2]);
    // With the means reversed, the other of the pair is dropped.
    expect(paretoSurvivors(paretoFronts(tied), [0.9, 0.1, 0.5])).toEqual([0, 2]);
  });

  it('keeps a candidate that alone holds an example even when its mean is the lowest', () => {
    const s = [
      [0.2, 0, 0],
      [0.1, 1, 1],
    ];
    expect(paretoSurvivors(paretoFronts(s), s.map(mean))).toEqual([0, 1]);
  });

  it('of two identical candidates exactly one survives: the first in pruning order is dropped', () => {
    const s = [
      [1, 1],
      [1, 1],
    ];
    expect(paretoSurvivors(paretoFronts(s), s.map(mean))).toEqual([1]);
  });
});
