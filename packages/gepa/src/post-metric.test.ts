import { describe, expect, it } from 'vitest';
import { scriptedLm } from '../test/scripted-lm.ts';
import { type PostScorer, createPostMetric } from './post-metric.ts';

/** A scorer shaped like `CandidateScorer`: X's 280 limit, a hook check on the first line. */
const scorer: PostScorer = {
  score({ text }) {
    const tooLong = text.length > 280;
    const hook = /\?|!/.test(text.split('\n')[0] ?? '');
    const base = Math.min(1, 0.4 + (hook ? 0.3 : 0));
    return {
      score: tooLong ? 0 : base,
      valid: !tooLong,
      violations: [
        ...(tooLong ? [{ rule: 'too_long', reason: `too_long: ${text.length}/280 weighted`, hard: true }] : []),
        ...(hook ? [] : [{ rule: 'no_hook', reason: 'no hook in the first line', hard: false }]),
      ],
      contributions: [{ feature: 'hook', value: hook ? 1 : 0, effect: hook ? 0.3 : -0.1 }],
      explanation: `Score ${base.toFixed(2)}. ${hook ? 'Raised by an opening hook.' : 'Lowered by an opening hook (−0.10).'}`,
    };
  },
};

interface Ex {
  brief: string;
  reference: string;
}
const example: Ex = { brief: 'announce v2', reference: 'v2 is out! What will you build?' };

describe('createPostMetric', () => {
  it('scores 0 and names the broken rule with its numbers', async () => {
    const metric = createPostMetric<Ex>({ scorer, platformOf: () => 'x', referenceOf: (e) => e.reference });
    const result = await metric(example, 'x'.repeat(312));
    expect(result.score).toBe(0);
    expect(result.feedback).toContain('too_long: 312/280');
    expect(result.feedback).toContain('v2 is out! What will you build?');
    expect(result.objectives).toEqual({ engagement: 0, validity: 0 });
  });

  it('passes on the scorer score and its advice for a valid post', async () => {
    const metric = createPostMetric<Ex>({ scorer, platformOf: () => 'x' });
    const result = await metric(example, 'Version 2 is here.');
    expect(result.score).toBeCloseTo(0.4);
    expect(result.feedback).toContain('no hook in the first line');
    expect(result.objectives).toEqual({ engagement: 0.4, validity: 1 });
  });

  it('blends in the voice judge and reports its reason', async () => {
    const lm = scriptedLm(() => 'rating: 8\nwhy: same short, upbeat sentences.');
    const metric = createPostMetric<Ex>({
      scorer,
      platformOf: () => 'x',
      judge: { lm, weight: 0.5, samplesOf: (e) => [e.reference] },
    });
    const result = await metric(example, 'Version 2 is here! Try it?');
    expect(result.score).toBeCloseTo(0.5 * 0.7 + 0.5 * 0.8);
    expect(result.objectives).toEqual({ engagement: 0.7, validity: 1, voice: 0.8 });
    expect(result.feedback).toContain('same short, upbeat sentences');
    expect(lm.requests[0]?.messages[1]?.content).toContain('v2 is out!');
  });

  it('gives 0 voice when the judge answers without a rating', async () => {
    const metric = createPostMetric<Ex>({ scorer, platformOf: () => 'x', judge: { lm: scriptedLm(() => 'hmm'), weight: 1, samplesOf: () => [] } });
    const result = await metric(example, 'Hi!');
    expect(result.objectives?.voice).toBe(0);
    expect(result.feedback).toContain('no rating');
  });
});
