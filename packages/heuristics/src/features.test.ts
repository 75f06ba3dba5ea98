import { describe, expect, it } from 'vitest';
import { FingerprintMap, fingerprintOf as tokenFingerprint, pairH1 } from './_fingerprint.ts';
import { FEATURE_DESCRIPTIONS, analyzeText, analyzeTextFingerprints, extractFeatures, type TextFeatures } from './features.ts';
import { fleschKincaidGrade, fleschReadingEase, syllablesOf } from './readability.ts';
import { sentimentOfTokens } from './sentiment.ts';

describe('extractFeatures counts', () => {
  it.each<[string, string, Partial<TextFeatures>]>([
    ['words, links, mentions, hashtags', 'New #rstats package by @maelle: https://ropensci.org/blog/x', { words: 3, hashtags: 1, mentions: 1, links: 1, link_at_end: true }],
    ['bare domain is a link', 'docs at example.org/start today', { links: 1, words: 3, link_at_end: false }],
    ['emoji sequences count once', 'launch 🚀 team 👨‍👩‍👧‍👦 flag 🇵🇹', { emoji: 3, words: 3 }],
    ['numbers', 'We grew 35% in 2024, to 1,200 users', { numbers: 3, words: 8 }],
    ['line breaks and blank lines', 'one\n\ntwo\nthree', { line_breaks: 3, blank_lines: 1, lines: 3 }],
    ['questions and exclamations', 'Really? Yes! Wow!', { questions: 1, exclamations: 2, sentences: 3 }],
    ['CJK characters are words', '日本語の投稿', { words: 6 }],
    ['shouting', 'THIS IS HUGE', { uppercase_ratio: 1 }],
    ['email is not a mention', 'write to me@example.com', { mentions: 0 }],
    ['HTML entity is not a hashtag', 'R &#38; Python', { hashtags: 0 }],
    ['chars are code points', 'hé 🎉', { chars: 4 }],
  ])('%s', (_name, text, expected) => {
    expect(extractFeatures(text)).toMatchObject(expected);
  });

  it('empty text is all zeros', () => {
    expect(extractFeatures('')).toMatchObject({ chars: 0, words: 0, sentences: 0, flesch_reading_ease: 0, hook: 'none', is_reply: false });
  });
});

describe('hooks, CTA and structure', () => {
  it.each<[string, string, TextFeatures['hook']]>([
    ['question mark', 'Ever wondered why builds are slow?\nHere is what we found.', 'question'],
    ['question word', 'How we cut CI time in half', 'question'],
    ['list promise', '5 ways to speed up your tests', 'list_promise'],
    ['here is', "Here's what we learned shipping v2", 'list_promise'],
    ['thread emoji', 'A 🧵 on our release process', 'list_promise'],
    ['number', 'We shipped 3 releases this week.', 'number'],
    ['bold claim', 'Nobody reads the docs. Write better errors.', 'bold_claim'],
    ['exclamation is bold', 'Big news today!', 'bold_claim'],
    ['you', 'Your tests deserve better fixtures.', 'you'],
    ['none', 'Release notes for the spring update.', 'none'],
  ])('hook: %s', (_name, text, hook) => {
    expect(extractFeatures(text).hook).toBe(hook);
  });

  it.each([
    ['read more', 'New post. Read more at the link', true],
    ['let us know', 'Let us know what you think', true],
    ['sign up', 'Sign up for the webinar', true],
    ['no ask', 'We released version two', false],
  ])('CTA: %s', (_name, text, cta) => {
    expect(extractFeatures(text).has_cta).toBe(cta);
  });

  it.each([
    ['dash list', 'Tips:\n- one\n- two\n- three', true, 3],
    ['numbered', 'Steps\n1. install\n2) run', true, 2],
    ['emoji bullets', '✅ fast\n✅ small', true, 2],
    ['single item is not a list', 'Note:\n- only one', false, 1],
  ])('list: %s', (_name, text, isList, items) => {
    expect(extractFeatures(text)).toMatchObject({ is_list: isList, list_items: items });
  });

  it.each([
    ['numbered start', '1/ Why we rewrote the parser', true],
    ['numbered end', 'and that is the story 5/5', true],
    ['word thread', 'A thread on caching', true],
    ['thread emoji', 'caching 🧵', true],
    ['a date is not a thread', 'See you on 12/05 at noon', false],
  ])('thread: %s', (_name, text, isThread) => {
    expect(extractFeatures(text).is_thread).toBe(isThread);
  });

  it.each([
    ['leading mention', '@bob thanks!', true, false],
    ['dot mention is a public reply', '.@bob is right', true, false],
    ['manual retweet', 'RT @bob: great post', false, true],
    ['mention later', 'Thanks @bob!', false, false],
  ])('reply-ness: %s', (_name, text, reply, repost) => {
    expect(extractFeatures(text)).toMatchObject({ is_reply: reply, is_repost: repost });
  });
});

describe('readability', () => {
  it('Flesch formulas match the published definitions', () => {
    expect(fleschReadingEase(100, 5, 130)).toBeCloseTo(206.835 - 1.015 * 20 - 84.6 * 1.3, 9);
    expect(fleschKincaidGrade(100, 5, 130)).toBeCloseTo(0.39 * 20 + 11.8 * 1.3 - 15.59, 9);
    expect(fleschReadingEase(0, 0, 0)).toBe(0);
  });

  it.each([
    ['cat', 1],
    ['water', 2],
    ['beautiful', 3],
    ['readability', 5],
  ])('syllables of %s', (word, n) => {
    expect(syllablesOf(word)).toBe(n);
  });

  it('simple text reads easier than dense jargon', () => {
    const simple = extractFeatures('We fixed the bug. It was small. Now it works.');
    const dense = extractFeatures('Comprehensive internationalization infrastructure necessitates considerable organizational coordination.');
    expect(simple.flesch_reading_ease).toBeGreaterThan(dense.flesch_reading_ease);
    expect(simple.flesch_kincaid_grade).toBeLessThan(dense.flesch_kincaid_grade);
    expect(simple.reading_time_s).toBeCloseTo((10 / 238) * 60, 6);
  });
});

describe('sentiment (AFINN + emoji)', () => {
  it.each([
    ['positive words', 'I love this amazing tool', 7],
    ['negative words', 'this is bad and awful', -6],
    ['negation flips', "I don't love it", -3],
    ['emoji rated', 'shipped 😍', 3],
    ['neutral', 'the release is out', 0],
  ])('%s', (_name, text, score) => {
    expect(extractFeatures(text).sentiment).toBe(score);
  });

  it('comparative is per token', () => {
    expect(sentimentOfTokens(['good', 'day'])).toEqual({ score: 3, comparative: 1.5 });
    expect(sentimentOfTokens([])).toEqual({ score: 0, comparative: 0 });
  });
});

describe('tokens for the model', () => {
  it('normalizes links, mentions and numbers and keeps hashtags and emoji', () => {
    expect(analyzeText('Thanks @bob! 3 new #RStats tips 🎉 https://x.org/a').tokens).toEqual(['thanks', '<mention>', '<num>', 'new', '#rstats', 'tips', '🎉', '<url>']);
  });

  it('documents every feature', () => {
    expect(Object.keys(FEATURE_DESCRIPTIONS).sort()).toEqual(Object.keys(extractFeatures('x')).sort());
  });
});

describe('sentiment agrees with the sentiment package', () => {
  it.each(['I love this amazing tool', "I don't love it", 'Great news! We are thrilled, not sad 🎉', 'I hate bugs but love fixes!', 'worst. release. ever.'])('%s', async (text) => {
    const { default: Sentiment } = await import('sentiment');
    expect(extractFeatures(text).sentiment).toBe(new Sentiment().analyze(text).score);
  });
});

describe('token fingerprints', () => {
  it.each([
    'Thanks @bob! 3 new #RStats tips 🎉 https://x.org/a',
    'ΣΟΦΟΣ ΛΌΓΟΣ and İstanbul: lowercasing beyond ASCII',
    'Café NAÏVE #Café ＃タグ ＠user 日本語のテキスト',
    'Family 👨‍👩‍👧‍👦, flag 🇵🇹, keycap 1️⃣, heart ❤️ and ❤',
    '',
  ])('match the fingerprint of each token string: %s', (text) => {
    const { tokens } = analyzeText(text);
    const { fingerprints } = analyzeTextFingerprints(text);
    expect(fingerprints.count).toBe(tokens.length);
    tokens.forEach((token, i) => {
      expect([fingerprints.h1[i], fingerprints.h2[i]]).toEqual(tokenFingerprint(token));
    });
  });

  it('tell apart tokens that differ only in case beyond ASCII, emoji selector aside', () => {
    expect(tokenFingerprint('❤')).not.toEqual(tokenFingerprint('❤️'));
    const { fingerprints } = analyzeTextFingerprints('❤️ ❤');
    expect(fingerprints.h1[0]).toBe(fingerprints.h1[1]);
    expect(pairH1(1, 2)).not.toBe(pairH1(2, 1));
  });
});

describe('FingerprintMap', () => {
  it('stores, finds and refuses new keys when full until cleared', () => {
    const map = new FingerprintMap(3);
    const keys = ['a', 'b', 'c', 'd'].map((w) => tokenFingerprint(w));
    for (const [i, [h1, h2]] of keys.entries()) map.set(h1, h2, i + 1);
    expect(map.full).toBe(true);
    expect(keys.map(([h1, h2]) => map.get(h1, h2, -1))).toEqual([1, 2, 3, -1]);
    const [h1, h2] = keys[0]!;
    map.set(h1, h2, 7);
    expect(map.get(h1, h2, -1)).toBe(7);
    map.clear();
    expect(map.has(h1, h2)).toBe(false);
    expect(map.size).toBe(0);
  });
});

describe('the per-token lexicon when its syllable cache fills up', () => {
  it('resets without losing the sentiment and call-to-action words', () => {
    const before = extractFeatures("I don't love it. Sign up and let us know 🧵");
    for (let i = 0; i < 60_000; i++) syllablesOf(`zq${i.toString(36)}`);
    expect(extractFeatures("I don't love it. Sign up and let us know 🧵")).toEqual(before);
    expect(syllablesOf('beautiful')).toBe(3);
  });
});
