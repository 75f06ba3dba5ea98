import { describe, expect, it } from 'vitest';
import { standInLm } from '../test/stand-in-lm.ts';
import { extractQuery, extractRewrite, initialTrajectoryMessages, rewriteMessages } from './prompts.ts';
import { extractQueryFromPost, writeQuery } from './query.ts';
import { createScoreBatcher } from './score-batcher.ts';
import { postStructure } from './structure.ts';

describe('extractRewrite', () => {
  it.each([
    ['a tagged block', 'Sure!\n<rewrite>\nNew text.\n</rewrite>\nDone.', 'New text.'],
    ['the first of several blocks', '<rewrite>one</rewrite><rewrite>two</rewrite>', 'one'],
    ['no block', 'New text without tags', null],
    ['an unclosed block (truncated answer)', '<rewrite>New text', null],
    ['an empty block', '<rewrite>  \n </rewrite>', null],
  ])('%s', (_name, raw, expected) => {
    expect(extractRewrite(raw)).toBe(expected);
  });
});

describe('generator prompts', () => {
  it('give the initial prompt x and y, and ask for a first-person plan without copying', () => {
    const content = initialTrajectoryMessages('Announce it', 'The post text', 'x').at(-1)?.content ?? '';
    expect(content).toContain('Announce it');
    expect(content).toContain('The post text');
    expect(content).toMatch(/Do NOT copy the post/);
  });

  it('give a rewrite the finalised segments before, the original after, and the marked one', () => {
    const content = rewriteMessages({ query: 'q', post: 'p', platform: 'x', before: ['B0'], segment: 'S1', after: ['A2'] }).at(-1)?.content ?? '';
    expect(content).toContain('B0\n\n[[SEGMENT TO REWRITE]]\n\nA2');
    expect(content).toContain('currently reads:\n"""\nS1\n"""');
    expect(content).toContain('<rewrite>');
  });
});

describe('the query behind a post', () => {
  it('is written by the LM, from its tagged answer, at temperature 0', async () => {
    const lm = standInLm({ chat: () => 'Here:\n<brief>Announce the release\n to R users.</brief>' });
    const { query } = await writeQuery(lm, { text: 'v2 is out', platform: 'x' });
    expect(query).toBe('Announce the release to R users.');
    expect(lm.chatCalls[0]?.temperature).toBe(0);
    expect(extractQuery('just a brief')).toBe('just a brief');
  });

  it('is extracted from keywords and structure without an LM', () => {
    const text = 'We are excited to announce rtweet 1.0 for R users! Thanks @ropensci. Details: https://ropensci.org/blog/rtweet';
    const query = extractQueryFromPost({ text, platform: 'x' }, postStructure(text));
    expect(query).toMatch(/^Announce news on x about excited, announce, rtweet/);
    expect(query).toContain('mention @ropensci');
    expect(query).toContain('link to ropensci.org');
  });
});

describe('createScoreBatcher', () => {
  it('coalesces concurrent score requests into calls of at most maxBatch', async () => {
    const lm = standInLm();
    const batcher = createScoreBatcher(lm, 3);
    const req = (c: string) => ({ prompt: 'p ', continuation: c });
    const results = await Promise.all([batcher.score([req('a'), req('bb')]), batcher.score([req('ccc')]), batcher.score([req('dddd'), req('e')])]);
    expect(results.map((r) => r.map((x) => x.tokens.map((t) => t.token.trim()).join('')))).toEqual([['a', 'bb'], ['ccc'], ['dddd', 'e']]);
    expect(lm.scoreCalls.map((c) => c.length)).toEqual([3, 2]);
    expect(batcher.stats).toEqual({ calls: 2, requests: 5 });
  });

  it('rejects every waiting request when the call fails', async () => {
    const lm = standInLm({ canScore: false });
    const batcher = createScoreBatcher(lm, 4);
    await expect(batcher.score([{ prompt: 'p', continuation: 'c' }])).rejects.toThrow(/cannot score/);
  });
});
