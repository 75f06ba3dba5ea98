import { describe, expect, it } from 'vitest';
import { reerSearch, type RewriteContext, type SearchDeps } from './search.ts';
import { joinSegments } from './segment.ts';

/** A scripted search: scores looked up by trajectory, rewrites scripted per (segment, expansion). */
function scripted(scores: Record<string, number>, rewrites: Record<string, string | null>, fallback = 1.5) {
  const rewriteCalls: { index: number; expansion: number; context: RewriteContext }[] = [];
  const scoreBatches: string[][] = [];
  const deps: SearchDeps = {
    async score(trajectories) {
      scoreBatches.push(trajectories);
      return trajectories.map((t) => scores[t] ?? fallback);
    },
    async rewrite(context, expansion) {
      rewriteCalls.push({ index: context.index, expansion, context });
      const key = `${context.index}:${expansion}`;
      return key in rewrites ? (rewrites[key] ?? null) : `${context.segment}~${expansion}`;
    },
  };
  return { deps, rewriteCalls, scoreBatches };
}

const params = { maxSteps: 10, expansions: 2, threshold: 0.25 };

describe('reerSearch', () => {
  it('sweeps left to right once, N rewrites per segment, one score batch per segment', async () => {
    const { deps, rewriteCalls, scoreBatches } = scripted({ [joinSegments(['A', 'B', 'C'])]: 1 }, {});
    const out = await reerSearch(['A', 'B', 'C'], deps, params);
    expect(rewriteCalls.map((c) => `${c.index}:${c.expansion}`)).toEqual(['0:0', '0:1', '1:0', '1:1', '2:0', '2:1']);
    expect(scoreBatches.map((b) => b.length)).toEqual([1, 2, 2, 2]);
    expect(out.generations).toBe(6);
    expect(out.scoredCandidates).toBe(7);
    expect(out.history).toHaveLength(7);
    expect(out.stop).toBe('sweep-complete');
  });

  it('accepts a rewrite only when strictly better than the best so far', async () => {
    const { deps } = scripted(
      {
        [joinSegments(['A', 'B'])]: 1,
        [joinSegments(['A1', 'B'])]: 1, // equal: rejected
        [joinSegments(['A2', 'B'])]: 1.2,
        [joinSegments(['A', 'B1'])]: 0.9,
        [joinSegments(['A', 'B2'])]: 0.8,
      },
      { '0:0': 'A1', '0:1': 'A2', '1:0': 'B1', '1:1': 'B2' },
    );
    const out = await reerSearch(['A', 'B'], deps, params);
    expect(out.segments).toEqual(['A', 'B2']);
    expect(out.initialScore).toBe(1);
    expect(out.finalScore).toBe(0.8);
    expect(out.history.filter((h) => h.accepted).map((h) => h.candidate)).toEqual(['A\n\nB', 'B2']);
  });

  it('never lets the best score rise, and shows later rewrites the finalised segments before them', async () => {
    const segs = ['S0', 'S1', 'S2', 'S3'];
    const scores: Record<string, number> = { [joinSegments(segs)]: 1.4 };
    // Rewrites of segment 0 improve; later ones are all worse than the best so far.
    scores[joinSegments(['R0', 'S1', 'S2', 'S3'])] = 1.1;
    const { deps, rewriteCalls } = scripted(scores, { '0:0': 'R0', '0:1': null }, 1.3);
    const out = await reerSearch(segs, deps, params);
    let best = Number.POSITIVE_INFINITY;
    for (const step of out.history) {
      if (step.accepted && step.score !== null) {
        expect(step.score).toBeLessThan(best);
        best = step.score;
      }
    }
    expect(out.finalScore).toBe(1.1);
    const atSegment2 = rewriteCalls.find((c) => c.index === 2)?.context;
    expect(atSegment2?.before).toEqual(['R0', 'S1']);
    expect(atSegment2?.after).toEqual(['S3']);
  });

  it('stops as soon as the best score drops below the threshold', async () => {
    const { deps, rewriteCalls } = scripted({ [joinSegments(['A', 'B', 'C'])]: 0.9, [joinSegments(['A', 'B*', 'C'])]: 0.2 }, { '1:0': 'B*' });
    const out = await reerSearch(['A', 'B', 'C'], deps, params);
    expect(out.stop).toBe('threshold');
    expect(out.finalScore).toBe(0.2);
    expect(rewriteCalls.map((c) => c.index)).toEqual([0, 0, 1, 1]);
    expect(out.segments).toEqual(['A', 'B*', 'C']);
  });

  it('makes no edits when the initial trajectory is already below the threshold', async () => {
    const { deps, rewriteCalls, scoreBatches } = scripted({ [joinSegments(['A', 'B'])]: 0.1 }, {});
    const out = await reerSearch(['A', 'B'], deps, params);
    expect(out.stop).toBe('initial-below-threshold');
    expect(rewriteCalls).toHaveLength(0);
    expect(scoreBatches).toHaveLength(1);
    expect(out.segments).toEqual(['A', 'B']);
  });

  it('skips malformed rewrites: kept in history unscored, never sent to the scorer', async () => {
    const { deps, scoreBatches } = scripted({}, { '0:0': null, '0:1': null, '1:0': null }, 1);
    const out = await reerSearch(['A', 'B'], deps, params);
    expect(scoreBatches.map((b) => b.length)).toEqual([1, 1]);
    expect(out.history.filter((h) => h.score === null)).toHaveLength(3);
    expect(out.history.filter((h) => h.score === null).every((h) => !h.accepted)).toBe(true);
    expect(out.segments).toEqual(['A', 'B']);
  });

  it('visits at most max-steps segments; unvisited ones stay unchanged', async () => {
    const { deps, rewriteCalls } = scripted({}, {}, 1);
    await reerSearch(['A', 'B', 'C', 'D', 'E'], deps, { ...params, maxSteps: 2, expansions: 3 });
    expect(rewriteCalls.map((c) => c.index)).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('costs at most 1 + 10 × 2 generations-worth of candidates with the defaults', async () => {
    const segs = Array.from({ length: 14 }, (_, i) => `S${i}`);
    const { deps, rewriteCalls, scoreBatches } = scripted({}, {}, 1);
    const out = await reerSearch(segs, deps, params);
    expect(rewriteCalls).toHaveLength(20);
    expect(scoreBatches.flat()).toHaveLength(21);
    expect(out.scoredCandidates).toBe(21);
  });
});
