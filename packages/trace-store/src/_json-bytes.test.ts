import { seededRandom } from '@reer/core';
import { describe, expect, it } from 'vitest';
import { JsonByteWriter } from './_json-bytes.ts';

function written(value: unknown): string {
  const out = new JsonByteWriter(8);
  out.value(value);
  return Buffer.from(out.bytes.subarray(0, out.used)).toString('latin1');
}

function expected(value: unknown): string {
  return Buffer.from(JSON.stringify(value) ?? 'null', 'utf8').toString('latin1');
}

describe('JsonByteWriter', () => {
  it.each([
    ['plain ASCII', 'hello world'],
    ['quotes, backslashes and every control character', `say "hi" \\ ${Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).join('')} \u007f`],
    ['two- and three-byte characters', 'café — naïve 日本語も大丈夫。'],
    ['emoji and ZWJ sequences (surrogate pairs)', 'Ship it 🚀 👩‍👩‍👧 🇯🇵'],
    ['lone surrogates, escaped as JSON.stringify does', 'a\ud800b\udfffc\ud83d'],
    ['a surrogate pair split across a lone high surrogate', '\ud83d\ud83d\ude80'],
    ['U+2028 and U+2029 (left raw)', 'line\u2028para\u2029'],
    ['empty string', ''],
    ['integers', [0, 1, 9, 10, 99, 100, 12345, 2 ** 53 - 1, 1e21, -0, -5]],
    ['fractions and exponents', [0.1, 0.034, 1 / 3, 5e-7, 1.5e300, -2.5]],
    ['non-finite numbers', [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]],
    ['booleans and null', [true, false, null]],
    ['undefined and functions in arrays and objects', { a: [undefined, () => 1, 2], b: undefined, c: () => 1, d: 1 }],
    ['nested objects with integer-like keys', { z: { 2: 'b', 1: 'a', k: [{}, []] }, a: 'x' }],
    ['a Date (toJSON)', { at: new Date(Date.UTC(2024, 0, 31)) }],
    ['keys that need escaping', { 'q"uote': 1, 'new\nline': 2, 'é': 3 }],
    ['long strings repeated among others (copied from where they were first written)', (() => {
      const file = '/data/exports/tweet_activity_metrics_someone_20240101_20240201_en.csv';
      const texts = ['first line\nsecond "line"', 'naïve 👩‍💻 日本語 text that is long enough', file];
      return Array.from({ length: 12 }, (_, i) => ({ file, text: texts[i % 3], n: i, other: `${file}#${i % 5}` }));
    })()],
    ['an object with a null prototype', Object.assign(Object.create(null) as object, { a: 1 })],
  ])('writes %s exactly as JSON.stringify', (_name, value) => {
    expect(written(value)).toBe(expected(value));
  });

  it('matches JSON.stringify on random strings drawn from every range of UTF-16', () => {
    const random = seededRandom(7);
    const pools = [
      [0x00, 0x7f],
      [0x80, 0x7ff],
      [0x800, 0xd7ff],
      [0xd800, 0xdfff],
      [0xe000, 0xffff],
    ] as const;
    for (let n = 0; n < 2000; n++) {
      let s = '';
      const length = Math.floor(random() * 40);
      for (let i = 0; i < length; i++) {
        const [lo, hi] = pools[Math.floor(random() * pools.length)]!;
        s += String.fromCharCode(lo + Math.floor(random() * (hi - lo + 1)));
      }
      const value = { s, n: Math.floor(random() * 1e6), f: random() };
      expect(written(value)).toBe(expected(value));
    }
  });

  it('throws where JSON.stringify throws (a bigint)', () => {
    expect(() => written({ n: 1n })).toThrow(TypeError);
  });

  it('grows its buffer and keeps what it wrote', () => {
    const out = new JsonByteWriter(8);
    const text = 'x'.repeat(10_000);
    out.value([text, text]);
    expect(out.used).toBe(20_007);
    expect(Buffer.from(out.bytes.subarray(0, out.used)).toString()).toBe(JSON.stringify([text, text]));
  });
});
