import { describe, expect, it } from 'vitest';
import { alignTokenSpans, type Detokenizer } from './_token-spans.ts';

/** A byte-level vocabulary: each token is a byte string, decoded like llama.cpp (invalid UTF-8 → U+FFFD). */
function byteTokenizer(vocab: Uint8Array[], options: { dropLeadingSpace?: boolean } = {}): Detokenizer {
  const decoder = new TextDecoder('utf-8');
  return {
    detokenize(tokens, _special, lastTokens = []) {
      const decode = (ids: readonly number[]) => {
        const bytes = ids.flatMap((id) => [...(vocab[id] ?? [])]);
        const text = decoder.decode(new Uint8Array(bytes));
        return options.dropLeadingSpace && text.startsWith(' ') ? text.slice(1) : text;
      };
      if (lastTokens.length === 0) return decode(tokens);
      const before = decode(lastTokens);
      const all = decode([...lastTokens, ...tokens]);
      return all.startsWith(before) ? all.slice(before.length) : decode(tokens);
    },
  };
}

const enc = new TextEncoder();
function tokensFor(pieces: Array<string | number[]>): { vocab: Uint8Array[]; ids: number[] } {
  const vocab = pieces.map((p) => (typeof p === 'string' ? enc.encode(p) : new Uint8Array(p)));
  return { vocab, ids: vocab.map((_, i) => i) };
}

describe('alignTokenSpans', () => {
  it.each([
    { name: 'plain words', pieces: ['The', ' cat', ' sat', '.'], text: 'The cat sat.', spans: [[0, 3], [3, 7], [7, 11], [11, 12]] },
    { name: 'a space-prefixed first piece the decoder drops', pieces: [' Hello', ' world'], text: 'Hello world', spans: [[0, 5], [5, 11]] },
    {
      name: 'an emoji split over two byte tokens',
      // 🐱 is F0 9F 90 B1: the first two tokens hold partial bytes and get an empty span.
      pieces: ['I', [0x20, 0xf0, 0x9f], [0x90, 0xb1], '!'],
      text: 'I 🐱!',
      spans: [[0, 1], [1, 1], [1, 4], [4, 5]],
    },
    { name: 'CJK characters split mid-character', pieces: [[0xe6, 0x97], [0xa5, 0xe6, 0x9c, 0xac]], text: '日本', spans: [[0, 0], [0, 2]] },
  ])('$name', ({ pieces, text, spans }) => {
    const { vocab, ids } = tokensFor(pieces);
    const result = alignTokenSpans(byteTokenizer(vocab, { dropLeadingSpace: text === 'Hello world' }), ids, text);
    expect(result.map((s) => [s.start, s.end])).toEqual(spans);
  });

  it('fails loudly when the tokens do not spell the text', () => {
    const { vocab, ids } = tokensFor(['abc', 'def']);
    expect(() => alignTokenSpans(byteTokenizer(vocab), ids, 'abcxyz')).toThrow(/cannot align token 1/);
    expect(() => alignTokenSpans(byteTokenizer(vocab), ids, 'abcdefg')).toThrow(/cover 6 of 7/);
  });
});
