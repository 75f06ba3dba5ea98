import twitterText from 'twitter-text';
import { describe, expect, it } from 'vitest';
import { extractFeatures } from './features.ts';
import {
  codePointCount,
  countEmoji,
  escapeLinkedInText,
  findUnescapedLinkedInChars,
  graphemeCount,
  platformLength,
  platformLengthBound,
  utf8Length,
  xWeightedLength,
} from './platform-length.ts';

const FAMILY = '👨‍👩‍👧‍👦'; // four people joined by three ZWJ: 11 UTF-16 units, 25 UTF-8 bytes
const FLAG = '🇵🇹';
const THUMBS_TONE = '👍🏽';
const KEYCAP = '1️⃣';
const E_COMBINING = 'e\u0301'; // e + COMBINING ACUTE ACCENT, NFC-composes to é

describe('platformLength x (twitter-text weighting)', () => {
  it.each([
    ['plain ASCII', 'hello world', 11],
    ['an https URL counts 23', 'see https://example.com/a/very/long/path/that/is/longer/than/23', 4 + 23],
    ['a bare domain is a URL too', 'see example.com', 4 + 23],
    ['two URLs', 'https://a.io https://b.io', 23 + 1 + 23],
    ['one emoji weighs 2', '🎉', 2],
    ['a ZWJ family weighs 2', FAMILY, 2],
    ['a flag weighs 2', FLAG, 2],
    ['skin tone sequence weighs 2', THUMBS_TONE, 2],
    ['keycap weighs 2', KEYCAP, 2],
    ['CJK weighs 2 each', '日本語', 6],
    ['Latin-1 accents weigh 1', 'café', 4],
    ['combining mark NFC-composes', `caf${E_COMBINING}`, 4],
    ['curly quotes and dashes weigh 1', '“quote” – ok', 12],
    ['attachment t.co link at the end is not counted', 'photo of the day https://t.co/AbCdEf1234', 16],
    ['a t.co link mid-text still counts', 'read https://t.co/AbCdEf1234 now', 5 + 23 + 4],
  ])('%s', (_name, text, expected) => {
    expect(platformLength(text, 'x')).toBe(expected);
  });

  it('the ASCII fast path agrees with twitter-text on random strings', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = 'abcdefghij klmnop@#_-!?\n\t0123456789ABC';
    for (let i = 0; i < 300; i++) {
      const len = Math.floor(rand() * 300);
      let s = '';
      for (let j = 0; j < len; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
      // Opening @mentions are reply metadata and deliberately not counted (tested below).
      if (s.startsWith('@')) s = `x${s}`;
      expect(xWeightedLength(s)).toBe(twitterText.parseTweet(s).weightedLength);
    }
  });

  it('280 ASCII characters fit, 281 do not', () => {
    expect(platformLength('a'.repeat(280), 'x')).toBe(280);
    expect(platformLength('日'.repeat(140), 'x')).toBe(280);
    expect(platformLength('日'.repeat(141), 'x')).toBe(282);
  });
});

describe('platformLength bluesky (graphemes)', () => {
  it.each([
    ['ASCII', 'hello', 5],
    ['CRLF is one grapheme', 'a\r\nb', 3],
    ['ZWJ family is one grapheme', FAMILY, 1],
    ['flag is one grapheme', FLAG, 1],
    ['combining mark joins its base', E_COMBINING, 1],
    ['CJK one each', '日本語', 3],
    ['URL counts in full', 'https://example.com', 19],
  ])('%s', (_name, text, expected) => {
    expect(platformLength(text, 'bluesky')).toBe(expected);
    expect(graphemeCount(text)).toBe(expected);
  });

  it.each([
    ['ASCII', 'abc', 3],
    ['é precomposed', 'é', 2],
    ['CJK', '日', 3],
    ['family', FAMILY, 25],
  ])('utf8Length %s', (_name, text, expected) => {
    expect(utf8Length(text)).toBe(expected);
  });
});

describe('platformLength threads (emoji as UTF-8 bytes)', () => {
  it.each([
    ['text', 'hello', 5],
    ['one emoji is 4 bytes', 'hi 🎉', 3 + 4],
    ['a family counts its 25 bytes', FAMILY, 25],
    ['a flag counts 8 bytes', FLAG, 8],
    ['CJK counts as characters', '日本', 2],
    ['combining mark joins its base', E_COMBINING, 1],
  ])('%s', (_name, text, expected) => {
    expect(platformLength(text, 'threads')).toBe(expected);
  });
});

describe('platformLength mastodon', () => {
  it.each([
    ['text', 'hello', 5],
    ['URL counts 23', 'see https://example.com/a/very/long/path/indeed/yes', 4 + 23],
    ['short URL still 23', 'https://a.io', 23],
    ['remote mention counts only the user part', 'hi @alice@example.social', 3 + 6],
    ['local mention counts as written', 'hi @alice', 9],
    ['emoji family is one', FAMILY, 1],
    ['URL followed by period keeps the period', 'see https://a.io/x.', 4 + 23 + 1],
  ])('%s', (_name, text, expected) => {
    expect(platformLength(text, 'mastodon')).toBe(expected);
  });
});

describe('linkedin escaping', () => {
  it.each([
    ['nothing reserved', 'hello world', 'hello world'],
    ['hashtag and mention', '#ai @bob', '\\#ai \\@bob'],
    ['brackets and parens', '[a](b)', '\\[a\\]\\(b\\)'],
    ['every reserved character', '\\|{}@[]()<>#*_~', '\\\\\\|\\{\\}\\@\\[\\]\\(\\)\\<\\>\\#\\*\\_\\~'],
  ])('escapes %s', (_name, text, escaped) => {
    expect(escapeLinkedInText(text)).toBe(escaped);
    expect(findUnescapedLinkedInChars(escaped)).toEqual([]);
  });

  it.each([
    ['plain text has none', 'hello', []],
    ['a bare hashtag', 'a #b', [2]],
    ['escaped then bare', '\\# #', [3]],
    ['a lone trailing backslash', 'a\\', [1]],
  ])('finds unescaped: %s', (_name, text, offsets) => {
    expect(findUnescapedLinkedInChars(text)).toEqual(offsets);
  });

  it('measures plain text as it will be sent, escaped', () => {
    expect(platformLength('#ai (beta)', 'linkedin')).toBe(13);
    expect(platformLength('\\#ai', 'linkedin', { linkedinEscaped: true })).toBe(4);
  });
});

describe('code point platforms', () => {
  it.each([
    ['facebook', 'héllo 🎉', 7],
    ['instagram', '日本', 2],
    ['discord', FAMILY, 7],
  ] as const)('%s counts code points', (platform, text, expected) => {
    expect(platformLength(text, platform)).toBe(expected);
    expect(codePointCount(text)).toBe(expected);
  });
});

describe('countEmoji', () => {
  it.each([
    ['none', 'hello', 0],
    ['one', 'hi 🎉', 1],
    ['family once', FAMILY, 1],
    ['flag once', FLAG, 1],
    ['skin tone once', THUMBS_TONE, 1],
    ['keycap once', KEYCAP, 1],
    ['three', '🎉🎉 ✨', 3],
  ])('%s', (_name, text, expected) => {
    expect(countEmoji(text)).toBe(expected);
  });
});

describe('fast paths agree with the exact counters', () => {
  const pieces = ['a', 'Z', ' ', '\n', '\r\n', '.', 'é', 'e\u0301', '日', '한', '\u1100\u1161', '🎉', FAMILY, FLAG, THUMBS_TONE, KEYCAP, '❤️', 'https://ex.org/p', '@bob@x.social', '#tag', 'ก่', 'ü'];
  let seed = 11;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const samples = Array.from({ length: 400 }, () => Array.from({ length: Math.floor(rand() * 40) }, () => pieces[Math.floor(rand() * pieces.length)]).join(''));
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

  it('graphemeCount equals Intl.Segmenter', () => {
    for (const s of samples) expect(graphemeCount(s), JSON.stringify(s)).toBe([...segmenter.segment(s)].length);
  });

  it.each(['x', 'linkedin', 'threads', 'bluesky', 'mastodon', 'facebook', 'instagram', 'discord'] as const)('platformLengthBound is an upper bound on %s', (platform) => {
    for (const s of samples) expect(platformLengthBound(s, platform).upper, JSON.stringify(s)).toBeGreaterThanOrEqual(platformLength(s, platform));
  });

  it.each(['x', 'linkedin', 'threads', 'mastodon'] as const)('platformLengthBound after analyzeText (reused counts) equals a fresh count on %s', (platform) => {
    for (const s of [...samples, 'a.b\n\n#x @y', '\ud83d lone \udc00 surrogates.']) {
      extractFeatures('something else');
      const fresh = platformLengthBound(s, platform);
      extractFeatures(s);
      expect(platformLengthBound(s, platform), JSON.stringify(s)).toEqual(fresh);
    }
  });
});

describe('x weighted length of ASCII text without links', () => {
  it.each(['Done. Next step... really.', 'see http://localhost:8080/x now', 'a .b and www. or ftp://a', 'e.g. this', 'v1.2 is out', 'x.y', 'example.com.'])('%s matches twitter-text', (text) => {
    expect(platformLength(text, 'x')).toBe(twitterText.parseTweet(text).weightedLength);
  });
});

describe('x reply mentions', () => {
  it.each([
    ['leading mentions of a reply are not counted', '@alice @bob_2 thanks both', 11],
    ['a mention later in the text counts', 'thanks @alice', 13],
    ['dot-mention prefix is not counted either', '.@alice is right', 8],
  ])('%s', (_name, text, expected) => {
    expect(platformLength(text, 'x')).toBe(expected);
  });
});

describe('exact counts agree with the libraries they replace', () => {
  let seed = 29;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const build = (pieces: readonly string[], most: number) =>
    Array.from({ length: 1 + Math.floor(rand() * most) }, () => pieces[Math.floor(rand() * pieces.length)]).join('');

  it('x weighted length equals parseTweet with links, emoji, NFC and surrogates', () => {
    // Links of every shape next to odd neighbours: URLs are found chunk by chunk between white space.
    const pieces = [' ', '  ', '\n', '\t', '.', ',', ')', '(', '"', '-', '_', '/', '#', ':', '?', '!', 'a', 'Z', '9', 'https://', 'http://', 'www.', 'example', '.com', '.org', '.co', '.c', '.jp', '.рф', 'пример', 'path', '?q=1&b=2', '😀', 'é', 'e\u0301', '日本', '\u00a0', '\u3000', '。', ':8080', '..', 'bit.ly/x', 'a.b.c', 'foo@bar.com', '$AAPL', FAMILY, FLAG, THUMBS_TONE, KEYCAP, '❤️', '\ud83d', '\udc4d', '\u200d'];
    // What precedes a domain decides how much of it is the link: white space or the text's start.
    const fixed = ['see éexample.com now', 'x ébit.ly/x', 'x\néa.рф|', 'éexample.com x', 'a (https://a.co/b) and www.x.io.', 'end https://example.org/42'];
    for (const s of fixed) expect(xWeightedLength(s), s).toBe(twitterText.parseTweet(s).weightedLength);
    for (let i = 0; i < 3000; i++) {
      const s = `x${build(pieces, 25)}`;
      expect(xWeightedLength(s), JSON.stringify(s)).toBe(twitterText.parseTweet(s).weightedLength);
    }
  });

  it('graphemeCount equals Intl.Segmenter around prepended marks, conjuncts, flags and joiners', () => {
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const pieces = ['a', 'B', ' ', '\n', '.', '1', '#', 'é', '\u0301', '\u200d', '\u200c', '\ufe0f', '\u20e3', '\u0600', '\u06dd', '\u1100', '\u1161', '\u11a8', '가', '\u0915\u094d\u0937', '\u093f', '🇵', '🇹', '🏽', '👍', FAMILY, '日', '\ud83d'];
    for (let i = 0; i < 3000; i++) {
      const s = `${build(pieces, 30)}\u0301`;
      expect(graphemeCount(s), JSON.stringify(s)).toBe([...segmenter.segment(s)].length);
    }
  });

  it('utf8Length equals TextEncoder, lone surrogates included', () => {
    const encoder = new TextEncoder();
    const pieces = ['a', '\u007f', '\u0080', 'é', '\u07ff', '\u0800', '日', '\uffff', '😀', '\ud83d', '\udc4d', '\udc4d\ud83d'];
    for (let i = 0; i < 2000; i++) {
      const s = build(pieces, 20);
      expect(utf8Length(s), JSON.stringify(s)).toBe(encoder.encode(s).length);
    }
  });
});
