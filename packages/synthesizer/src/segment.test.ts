import { describe, expect, it } from 'vitest';
import { segmentSpans, segmentText } from './segment.ts';

const long = (c: string) => c.repeat(120);

describe('segmentText', () => {
  it.each([
    ['splits on blank lines', `${long('a')}\n\n${long('b')}\n\n${long('c')}`, [long('a'), long('b'), long('c')]],
    ['merges a short piece into the next one', `short\n\n${long('b')}`, [`short\n\n${long('b')}`]],
    ['merges a short tail into the previous segment', `${long('a')}\n\n${long('b')}\n\ntail`, [long('a'), `${long('b')}\n\ntail`]],
    ['falls back to single newlines when blank lines give one segment', `${long('a')}\n${long('b')}`, [long('a'), long('b')]],
    ['trims surrounding blank space', `\n\n  ${long('a')}  \n \n${long('b')}\n`, [long('a'), long('b')]],
    ['keeps a short text whole', 'just a line', ['just a line']],
    ['returns nothing for blank text', ' \n\n ', []],
  ])('%s', (_name, text, expected) => {
    expect(segmentText(text)).toEqual(expected);
  });

  it('gives spans that slice the original text', () => {
    const text = `intro\n\n${long('x')}\n\n${long('y')}`;
    const spans = segmentSpans(text);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual([`intro\n\n${long('x')}`, long('y')]);
  });
});
