import { describe, expect, it } from 'vitest';
import { chunkTokenizer, lengthLogprob, standInLm } from '../test/stand-in-lm.ts';
import { DEFAULT_SCORE_OPTIONS, scoreTrajectories, scoringContinuation, scoringPrompt, tokensInSpan } from './reer-score.ts';

const opts = DEFAULT_SCORE_OPTIONS;
const query = 'Announce the release to R users';

describe('REER scoring function', () => {
  it('puts x (never y) in a chat-formatted prompt and z, y in the think/answer continuation', async () => {
    const lm = standInLm();
    const post = 'ab abc abcdef';
    await scoreTrajectories(lm, { query, post, trajectories: ['plan one'] }, opts);
    const [request] = lm.scoreCalls[0] ?? [];
    expect(request?.prompt).toBe(scoringPrompt(query, 'chatml'));
    expect(request?.prompt).toContain(query);
    expect(request?.prompt).not.toContain(post);
    expect(request?.prompt.endsWith('<|im_start|>assistant\n')).toBe(true);
    expect(request?.continuation).toBe(`<think>\nplan one\n</think>\n<answer>\n${post}\n</answer>`);
  });

  it("scores only y's tokens: hand-computed value, whatever z holds", async () => {
    const lm = standInLm({ logprob: lengthLogprob });
    // y tokens: "\nab" (-1), " abc" (-1.5), " abcdef" (-3, clipped to -2) → (1 + 1.5 + 2) / 3 = 1.5
    const post = 'ab abc abcdef';
    const [short, long] = await scoreTrajectories(lm, { query, post, trajectories: ['a', 'averyveryverylongword another'] }, opts);
    expect(short).toEqual({ score: 1.5, tokens: 3 });
    expect(long).toEqual({ score: 1.5, tokens: 3 });
  });

  it('clips each log-probability to [-2, 0] before the mean', async () => {
    const lm = standInLm({ logprob: lengthLogprob });
    // "\nabcdefghij" is -5 unclipped; " a" is -0.5 → (2 + 0.5) / 2 = 1.25 (unclipped would be 2.75)
    const [result] = await scoreTrajectories(lm, { query, post: 'abcdefghij a', trajectories: ['z'] }, opts);
    expect(result?.score).toBeCloseTo(1.25, 12);
    const [loose] = await scoreTrajectories(lm, { query, post: 'abcdefghij a', trajectories: ['z'] }, { ...opts, clip: -10 });
    expect(loose?.score).toBeCloseTo(2.75, 12);
  });

  describe('first-segment rule', () => {
    // Segment 1: 26 × "aaa" = 103 chars (tokens -1.5 each); segment 2: 34 × "bb" = 101 chars (-1 each).
    const first = Array(26).fill('aaa').join(' ');
    const second = Array(34).fill('bb').join(' ');
    const post = `${first}\n\n${second}`;

    it('conditions on the first segment and scores the rest', async () => {
      const lm = standInLm({ logprob: lengthLogprob });
      const [result] = await scoreTrajectories(lm, { query, post, trajectories: ['plan'] }, opts);
      expect(result).toEqual({ score: 1, tokens: 34 });
    });

    it('scores all of y when the rule is off', async () => {
      const lm = standInLm({ logprob: lengthLogprob });
      const [result] = await scoreTrajectories(lm, { query, post, trajectories: ['plan'] }, { ...opts, conditionFirstSegment: false });
      expect(result?.tokens).toBe(60);
      expect(result?.score).toBeCloseTo((26 * 1.5 + 34 * 1) / 60, 12);
    });

    it('scores a one-segment post whole (nothing would be left to score)', async () => {
      const lm = standInLm({ logprob: lengthLogprob });
      const [result] = await scoreTrajectories(lm, { query, post: first, trajectories: ['plan'] }, opts);
      expect(result).toEqual({ score: 1.5, tokens: 26 });
    });
  });

  describe('token spans across a boundary', () => {
    it('keeps a token that straddles the start or the end of the scored range, and no other', () => {
      const tokens = [
        { token: 'aa', logprob: -1, start: 0, end: 5 },
        { token: 'bb', logprob: -1, start: 5, end: 9 },
        { token: 'cc', logprob: -1, start: 9, end: 12 },
        { token: 'dd', logprob: -1, start: 12, end: 14 },
      ];
      expect(tokensInSpan(tokens, { start: 7, end: 10 }).map((t) => t.token)).toEqual(['bb', 'cc']);
      expect(tokensInSpan(tokens, { start: 5, end: 9 }).map((t) => t.token)).toEqual(['bb']);
      expect(tokensInSpan(tokens, { start: 12, end: 12 })).toEqual([]);
    });

    it('locates y by character offsets on the one tokenization of the full string', async () => {
      // Four-character tokens of prompt + continuation straddle y's start and end.
      const lm = standInLm({ tokenizer: chunkTokenizer(4), logprob: () => -1 });
      const post = 'hello world';
      const z = 'my plan';
      const [result] = await scoreTrajectories(lm, { query, post, trajectories: [z] }, opts);
      const prompt = scoringPrompt(query, 'chatml');
      const { continuation, post: span } = scoringContinuation(z, post, opts);
      const yStart = prompt.length + span.start;
      const yEnd = prompt.length + span.end;
      const expected = Math.ceil(yEnd / 4) - Math.floor(yStart / 4);
      expect(continuation.slice(span.start, span.end)).toBe(post);
      expect(yStart % 4).not.toBe(0);
      expect(result).toEqual({ score: 1, tokens: expected });
    });
  });

  it('sends all trajectories of a post in one batched call', async () => {
    const lm = standInLm();
    await scoreTrajectories(lm, { query, post: 'ab', trajectories: ['a', 'b', 'c'] }, opts);
    expect(lm.scoreCalls).toHaveLength(1);
    expect(lm.scoreCalls[0]).toHaveLength(3);
  });

  it('fails clearly when the backend reports no tokens over y', async () => {
    const lm = standInLm();
    const broken = { ...lm, score: async () => [{ tokens: [], meanNll: 0, clippedMeanNll: 0 }] };
    await expect(scoreTrajectories(broken, { query, post: 'ab', trajectories: ['a'] }, opts)).rejects.toThrow(/no scored tokens/);
  });
});
