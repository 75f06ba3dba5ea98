import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '@reer/lm-registry';
import { bigramCopyLogprob, standInLm } from '../test/stand-in-lm.ts';
import { DEFAULT_LEAK_OPTIONS, checkLeak } from './leak.ts';
import { DEFAULT_SCORE_OPTIONS, scoreTrajectories } from './reer-score.ts';
import { DEFAULT_SEARCH_PARAMS } from './search.ts';
import { synthesizeTrajectory, type SynthesisOptions } from './synthesize.ts';

const post =
  'Version 2.0 of our mapping package is out on CRAN today. It reads shapefiles three times faster and now supports vector tiles. Thanks to everyone who tested the release candidate! Read the full changelog on the blog: https://example.org/blog/maps-2';
const query = 'Announce the new release of the mapping package to R users and link to the blog.';

const draft = [
  'I want R users who make maps to notice this release. They are busy, so the first words must say what happened and why it matters to them, or they will scroll past.',
  'Hmm, what is the one concrete detail? Speed, probably: loading big files was slow and now it is faster. Wait, there is also something new they can do, so I should mention that too.',
  'Structure: the version and where to get it first, then the speed and the new feature, then thank the testers, then the link to the blog. Outline: version out; faster; new support; thanks; link.',
];
/** Rewrites that reason toward the post's words and order without copying four words in a row. */
const better: Record<number, string> = {
  0: 'I want R users to hear that our mapping package has version 2.0 out, available on CRAN today, so it reads like news from us.',
  1: 'The concrete detail: shapefiles load three times as fast, and vector tiles are now supported, the thing people kept asking for.',
  2: 'Then thank the people who tested the candidate release, and end by pointing readers to the blog changelog, with the link.',
};

const fullOptions: SynthesisOptions = {
  search: DEFAULT_SEARCH_PARAMS,
  score: DEFAULT_SCORE_OPTIONS,
  generation: { temperature: 0.8, topP: 0.85, maxTokens: 1024, initialAttempts: 1, minTrajectoryTokens: 100 },
  leak: DEFAULT_LEAK_OPTIONS,
};

function markedSegment(request: ChatRequest): string {
  const content = request.messages.at(-1)?.content ?? '';
  return /currently reads:\n"""\n([\s\S]*?)\n"""/.exec(content)?.[1] ?? '';
}

function scriptedGenerator(initial: string, rewrite: (segment: string, call: number) => string) {
  let rewrites = 0;
  return standInLm({
    uri: 'stand-in::generator',
    outputTokens: () => 150,
    chat: (request) => {
      const content = request.messages.at(-1)?.content ?? '';
      if (content.includes('[[SEGMENT TO REWRITE]]')) return rewrite(markedSegment(request), rewrites++);
      return initial;
    },
  });
}

describe('synthesizeTrajectory on a fixed post', () => {
  it('copy < REER result < first draft < empty z, and only the copy is flagged as a leak', async () => {
    const scorer = standInLm({ logprob: bigramCopyLogprob });
    const generator = scriptedGenerator(draft.join('\n\n'), (segment, call) => {
      const index = draft.indexOf(segment);
      // Even calls propose a plan closer to the post; odd calls answer without the tagged block.
      return call % 2 === 0 ? `Sure.\n<rewrite>\n${better[index] ?? segment}\n</rewrite>` : 'Here is my rewrite: (forgot the tags)';
    });
    const result = await synthesizeTrajectory({ query, post, platform: 'x' }, { generator, scorer }, fullOptions);
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;

    const [copy, empty, first] = await scoreTrajectories(scorer, { query, post, trajectories: [post, '', draft.join('\n\n')] }, DEFAULT_SCORE_OPTIONS);
    expect(first?.score).toBe(result.initialScore);
    expect(copy?.score).toBeLessThan(result.finalScore);
    expect(result.finalScore).toBeLessThan(result.initialScore);
    expect(result.initialScore).toBeLessThan(empty?.score ?? 0);

    expect(result.segments).toEqual([better[0], better[1], better[2]]);
    expect(result.leak.flagged).toBe(false);
    expect(result.leak.overlap).toBeLessThan(0.1);
    expect(checkLeak(post, post).flagged).toBe(true);
    expect(checkLeak(post, post).overlap).toBe(1);
    // 3 segments × 2 expansions, half malformed: 6 generations after the initial one, 3 rewrites scored.
    expect(result.usage.generatorCalls).toBe(7);
    expect(result.usage.scoredCandidates).toBe(4);
    expect(result.history.filter((h) => h.score === null)).toHaveLength(3);
  });

  it('asks the generator with the method sampling settings', async () => {
    const scorer = standInLm({ logprob: bigramCopyLogprob });
    const generator = scriptedGenerator(draft.join('\n\n'), () => 'no tags');
    await synthesizeTrajectory({ query, post, platform: 'x' }, { generator, scorer }, fullOptions);
    expect(generator.chatCalls[0]).toMatchObject({ temperature: 0.8, topP: 0.85 });
    expect(generator.chatCalls[0]?.messages.at(-1)?.content).toContain(post);
  });

  it('gives each call its own seed when one is set, so runs repeat', async () => {
    const generator = scriptedGenerator(draft.join('\n\n'), () => 'no tags');
    await synthesizeTrajectory({ query, post, platform: 'x' }, { generator, scorer: standInLm({ logprob: bigramCopyLogprob }) }, { ...fullOptions, generation: { ...fullOptions.generation, seed: 7 } });
    expect(generator.chatCalls.map((c) => c.seed)).toEqual([7, 8, 9, 10, 11, 12, 13]);
  });

  it('drops an initial trajectory under 100 tokens', async () => {
    const generator = standInLm({ chat: () => draft.join('\n\n'), outputTokens: () => 99 });
    const result = await synthesizeTrajectory({ query, post, platform: 'x' }, { generator, scorer: standInLm() }, fullOptions);
    expect(result).toMatchObject({ status: 'dropped', reason: expect.stringMatching(/too short/) });
  });

  it('drops an initial trajectory with a single segment', async () => {
    const generator = standInLm({ chat: () => draft.join(' '), outputTokens: () => 150 });
    const scorer = standInLm();
    const result = await synthesizeTrajectory({ query, post, platform: 'x' }, { generator, scorer }, fullOptions);
    expect(result).toMatchObject({ status: 'dropped', reason: expect.stringMatching(/single segment/) });
    expect(scorer.scoreCalls).toHaveLength(0);
  });
});

describe('leak check', () => {
  it('measures the share of the post n-grams found in the plan', () => {
    expect(checkLeak(draft.join('\n\n'), post).overlap).toBe(0);
    const half = post.split(' ').slice(0, 20).join(' ');
    const { overlap, flagged } = checkLeak(`My plan: ${half}`, post);
    expect(overlap).toBeGreaterThan(0.3);
    expect(flagged).toBe(true);
  });

  it('uses character n-grams for short or unspaced posts', () => {
    const ja = '新しいバージョンを公開しました。ぜひ試してください';
    expect(checkLeak(`計画: ${ja}`, ja).flagged).toBe(true);
    expect(checkLeak('読者に新機能を伝える計画', ja).flagged).toBe(false);
  });
});
