import { describe, expect, it } from 'vitest';
import { splitThread } from './thread-split.ts';

const chars = (t: string) => [...t].length;

describe('splitThread', () => {
  it.each([
    {
      name: 'keeps a short post whole',
      text: 'Short post.',
      limit: 280,
      numbering: false,
      expected: ['Short post.'],
    },
    {
      name: 'splits on sentence boundaries',
      text: 'First sentence here. Second sentence here. Third one.',
      limit: 25,
      numbering: false,
      expected: ['First sentence here.', 'Second sentence here.', 'Third one.'],
    },
    {
      name: 'falls back to words inside a long sentence',
      text: 'one two three four five six seven eight nine ten',
      limit: 15,
      numbering: false,
      expected: ['one two three', 'four five six', 'seven eight', 'nine ten'],
    },
    {
      name: 'numbers the parts within the limit',
      text: 'Alpha beta gamma. Delta epsilon zeta.',
      limit: 24,
      numbering: true,
      expected: ['Alpha beta gamma. 1/2', 'Delta epsilon zeta. 2/2'],
    },
  ])('$name', ({ text, limit, numbering, expected }) => {
    const parts = splitThread(text, { limit, measure: chars, numbering });
    expect(parts).toEqual(expected);
    for (const p of parts) expect(chars(p)).toBeLessThanOrEqual(limit);
  });

  it('never cuts a URL or a mention', () => {
    const url = 'https://example.org/a/very/long/path/to/a/page';
    const text = `Read this ${url} and thank @someone_long_handle for it today please`;
    const parts = splitThread(text, { limit: 50, measure: chars });
    expect(parts.some((p) => p.includes(url))).toBe(true);
    expect(parts.some((p) => p.includes('@someone_long_handle'))).toBe(true);
    expect(parts.join(' ').split(/\s+/)).toEqual(text.split(/\s+/));
  });

  it('cuts an ordinary word longer than the limit between characters', () => {
    const parts = splitThread(`start ${'a'.repeat(25)} end`, { limit: 10, measure: chars });
    expect(parts.join('').replace(/\s/g, '')).toBe(`start${'a'.repeat(25)}end`);
    for (const p of parts) expect(chars(p)).toBeLessThanOrEqual(10);
  });

  it('measures with the platform counter it is given', () => {
    // A counter that weighs every character 2 (as X does for CJK) halves what fits.
    const parts = splitThread('これは日本語の文です。これも日本語の文です。', { limit: 24, measure: (t) => chars(t) * 2 });
    expect(parts).toHaveLength(2);
  });
});
