import { describe, expect, it } from 'vitest';
import { CellError, decodeEntities, handleFromPermalink, hasMojibake, parseCount, parseDate, parseRate, repairMojibake, repairMojibakeDetailed, resolvePostId } from './values.ts';

describe('parseCount', () => {
  it.each([
    ['2633.0', 2633],
    ['1,234', 1234],
    ['12 345', 12345],
    ['1,234,567.5', 1234567.5],
    ['0', 0],
    [' 42 ', 42],
    [7, 7],
  ] as const)('%j → %j', (raw, expected) => {
    expect(parseCount(raw, 'likes')).toBe(expected);
  });

  it('reads plain numbers exactly as Number() does, whatever their form', () => {
    for (const raw of ['0', '7', '007', '12.0', '12.00', '12.', '12.5', '12.05', '0.0', '1e3', '123456789012345', '1234567890123456', '12345678901234.0', '9.0x']) {
      const expected = Number(raw);
      if (Number.isFinite(expected)) expect(parseCount(raw, 'likes'), raw).toBe(expected);
      else expect(() => parseCount(raw, 'likes'), raw).toThrow(CellError);
    }
  });

  it.each(['', '-', 'N/A', undefined, null, '  '])('%j is missing, not zero', (raw) => {
    expect(parseCount(raw, 'likes')).toBeUndefined();
  });

  it.each(['lots', '-5', '1,23'])('%j is rejected with the column name', (raw) => {
    expect(() => parseCount(raw, 'likes')).toThrow(CellError);
    expect(() => parseCount(raw, 'likes')).toThrow(/likes/);
  });
});

describe('parseRate', () => {
  it.each([
    ['0.07142857142857142', 0.07142857142857142],
    ['7.5%', 0.075],
    ['3,4 %', 0.034],
    [0.0562, 0.0562],
  ] as const)('%j → %j (a fraction)', (raw, expected) => {
    expect(parseRate(raw, 'rate')).toBeCloseTo(expected, 12);
  });
  it('- is missing', () => expect(parseRate('-', 'rate')).toBeUndefined());
});

describe('parseDate', () => {
  it.each([
    ['2019-01-31 23:32 +0000', '2019-01-31T23:32:00.000Z', 'minute'],
    ['2019-01-31 23:32 +0200', '2019-01-31T21:32:00.000Z', 'minute'],
    ['Wed Oct 19 19:37:25 +0000 2022', '2022-10-19T19:37:25.000Z', 'second'],
    ['Sun, Nov 9, 2025', '2025-11-09T00:00:00.000Z', 'day'],
    ['09/01/2025 21:13', '2025-09-01T21:13:00.000Z', 'minute'],
    ['1/15/2024', '2024-01-15T00:00:00.000Z', 'day'],
    ['3/2/2024 9:05 PM', '2024-03-02T21:05:00.000Z', 'minute'],
    ['2024-01-15 14:32:10', '2024-01-15T14:32:10.000Z', 'second'],
    ['2024-06-01T12:00:00Z', '2024-06-01T12:00:00.000Z', 'second'],
    ['2024-06-01T12:00:00.123+01:00', '2024-06-01T11:00:00.000Z', 'second'],
    ['2024-06-01', '2024-06-01T00:00:00.000Z', 'day'],
    ['November 9, 2025', '2025-11-09T00:00:00.000Z', 'day'],
  ] as const)('%s → %s', (raw, iso, precision) => {
    expect(parseDate(raw, 'date')).toEqual({ iso, precision });
  });

  it('reads Excel dates and serial day numbers', () => {
    expect(parseDate(new Date(Date.UTC(2024, 2, 10)), 'date')?.iso).toBe('2024-03-10T00:00:00.000Z');
    expect(parseDate(45361, 'date')?.iso).toBe('2024-03-10T00:00:00.000Z');
  });

  it.each(['yesterday', '2024-02-30 10:00 +0000', '13/45/2024'])('%j is not a date', (raw) => {
    expect(() => parseDate(raw, 'time')).toThrow(/time/);
  });

  it('an empty cell is missing', () => expect(parseDate('', 'date')).toBeUndefined());
});

describe('decodeEntities', () => {
  it.each([
    ['R &amp; Python', 'R & Python'],
    ['a &lt;3 b &gt; c', 'a <3 b > c'],
    ['&quot;hi&quot; &#39;x&#39; &#x1F600;', '"hi" \'x\' 😀'],
    ['no entities', 'no entities'],
    ['&unknown; stays', '&unknown; stays'],
    ['only &amp; and &amp;amp; and &AMP;', 'only & and &amp; and &'],
    ['&amp;lt; is not decoded twice', '&lt; is not decoded twice'],
    ['tail &', 'tail &'],
  ])('%j → %j', (raw, expected) => expect(decodeEntities(raw)).toBe(expected));
});

describe('repairMojibake', () => {
  const garble = (s: string) => {
    // UTF-8 bytes read as Windows-1252 (undefined bytes pass through as C1 controls), as Excel does.
    const cp1252 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
    return [...Buffer.from(s, 'utf8')].map((b) => (b >= 0x80 && b <= 0x9f ? cp1252[b - 0x80] : String.fromCharCode(b))).join('');
  };
  it.each(['Don’t', '📌 remember', 'café — “quoted”', '1️⃣ 144…', '🥳🏅'])('repairs %j', (text) => {
    const broken = garble(text);
    expect(broken).not.toBe(text);
    expect(hasMojibake(broken)).toBe(true);
    expect(repairMojibake(broken)).toBe(text);
  });
  it.each(['café', 'naïve façade', 'Ã  la', '日本語', 'plain'])('leaves correct text %j alone', (text) => {
    expect(repairMojibake(text)).toBe(text);
  });
  it('recovers NBSP bytes saved as spaces and marks characters lost for good', () => {
    // 🛠 is F0 9F 9B A0: the A0 (NBSP) came back as a space.
    expect(repairMojibakeDetailed('the ðŸ›  tool')).toEqual({ text: 'the 🛠 tool', lossy: true });
    // 🤝 is F0 9F A4 9D: 9D is undefined in Windows-1252 and was dropped.
    expect(repairMojibakeDetailed('ðŸ¤x')).toEqual({ text: '\ufffdx', lossy: true });
    expect(repairMojibakeDetailed(garble('Don’t'))).toEqual({ text: 'Don’t', lossy: false });
  });

  it('repairs the damaged part of a mixed string', () => {
    expect(repairMojibake(`ok 日本 ${garble('’')}`)).toBe('ok 日本 ’');
  });
});

describe('resolvePostId', () => {
  const link = 'https://twitter.com/a/status/1575769809442045953';
  it.each([
    ['1575769809442045953', link, '1575769809442045953'],
    ['1.57577E+18', link, '1575769809442045953'],
    ['1575769809442040000', link, '1575769809442045953'],
    ['', link, '1575769809442045953'],
    ['', 'https://x.com/a/status/undefined', undefined],
    ['123', undefined, '123'],
  ] as const)('%j with %j → %j', (raw, url, expected) => {
    expect(resolvePostId(raw, url, 'id')).toBe(expected);
  });
  it('a mangled id without a permalink is rejected', () => {
    expect(() => resolvePostId('1.57577E+18', undefined, 'Tweet id')).toThrow(/mangled/);
  });
});

describe('handleFromPermalink', () => {
  it('reads the handle of every link in turn, also when one handle starts with the last one', () => {
    const links: [string | undefined, string | undefined][] = [
      ['https://twitter.com/ab/status/1', 'ab'],
      ['https://twitter.com/ab/status/2', 'ab'],
      ['https://twitter.com/abc/status/3', 'abc'],
      ['https://twitter.com/ab/statuses/4', 'ab'],
      ['https://x.com/i/web/status/5', undefined],
      ['https://x.com/someone/status/6', 'someone'],
      ['https://example.com/someone/status/7', undefined],
      ['', undefined],
      [undefined, undefined],
    ];
    for (const [url, handle] of links) expect(handleFromPermalink(url), String(url)).toBe(handle);
  });
});
