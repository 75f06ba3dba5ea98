import { describe, expect, it } from 'vitest';
import { continuationLogprobs, tokenSpans } from './echo-logprobs.ts';

describe('continuationLogprobs', () => {
  it('keeps only the continuation tokens, with offsets into the continuation', () => {
    const prompt = 'Write: ';
    const continuation = 'hello world';
    const tokens = ['Write', ':', ' ', 'hello', ' world'];
    const out = continuationLogprobs(prompt, continuation, tokens, [null, -1, -0.5, -2, -0.25], [0, 5, 6, 7, 12]);
    expect(out).toEqual([
      { token: 'hello', logprob: -2, start: 0, end: 5 },
      { token: ' world', logprob: -0.25, start: 5, end: 11 },
    ]);
  });

  it('counts a token straddling the boundary for the continuation and drops generated tokens', () => {
    const out = continuationLogprobs('Post:', ' Ship it', ['Post', ': Ship', ' it', ' GEN'], [null, -1, -0.5, -3], [0, 4, 10, 13]);
    expect(out).toEqual([
      { token: ': Ship', logprob: -1, start: 0, end: 5 },
      { token: ' it', logprob: -0.5, start: 5, end: 8 },
    ]);
  });

  it('walks the text when the server sends no offsets (Together), skipping BOS and mapping ▁', () => {
    const out = continuationLogprobs('Hi', ' there you', ['<s>', 'Hi', '▁there', '▁you'], [null, -1, -2, -3]);
    expect(out).toEqual([
      { token: '▁there', logprob: -2, start: 0, end: 6 },
      { token: '▁you', logprob: -3, start: 6, end: 10 },
    ]);
  });

  it('falls back to walking when offsets are inconsistent', () => {
    expect(tokenSpans('ab', ['a', 'b'], [0, 5])).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });
});
