import { seededRandom } from '@reer/core';
import { describe, expect, it } from 'vitest';
import { CsvParser, parseCsv, sniffDelimiter } from './csv.ts';

const SAMPLE = '\ufeff"id","text","n"\r\n"1","two\nlines, and ""quotes""","3.0"\r\n2,plain,\n"3","",""';

describe('CsvParser', () => {
  it('reads quoted multi-line fields, escaped quotes, CRLF, a BOM and a missing final newline', () => {
    expect(parseCsv(SAMPLE)).toEqual([
      { fields: ['id', 'text', 'n'], line: 1 },
      { fields: ['1', 'two\nlines, and "quotes"', '3.0'], line: 2 },
      { fields: ['2', 'plain', ''], line: 4 },
      { fields: ['3', '', ''], line: 5 },
    ]);
  });

  it('gives the same records however the text is split into chunks', () => {
    const whole = parseCsv(SAMPLE);
    for (const size of [1, 2, 3, 7, 13]) {
      const out: { fields: string[]; line: number }[] = [];
      const parser = new CsvParser((fields, line) => out.push({ fields, line }));
      for (let i = 0; i < SAMPLE.length; i += size) parser.push(SAMPLE.slice(i, i + size));
      parser.end();
      expect(out, `chunk size ${size}`).toEqual(whole);
    }
  });

  it('reads only the asked-for columns, with the same lines and the whole record text, however the text is chunked', () => {
    const text = '"id","skip","text","also"\n"1","x\ny","keep ""me""","z"junk\n2,"a ""b""",c,d\n\n"3","","",""';
    const full = parseCsv(text);
    for (const size of [1, 2, 5, text.length]) {
      const out: { fields: string[]; line: number; raw: string }[] = [];
      const parser = new CsvParser((fields, line) => out.push({ fields: [...fields], line, raw: parser.recordText() }), ',', [2]);
      for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
      parser.end();
      expect(out.map((r) => r.line), `chunk size ${size}`).toEqual(full.map((r) => r.line));
      expect(out.map((r) => r.fields), `chunk size ${size}`).toEqual(full.map((r) => r.fields.map((f, i) => (i === 0 || i === 2 ? f : ''))));
      expect(out.map((r) => parseCsv(r.raw)[0]?.fields), `chunk size ${size}`).toEqual(full.map((r) => r.fields));
    }
  });

  it('reads random files with quotes, escapes and line breaks in fields of every length like a simple reference reader', () => {
    const random = seededRandom(3);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const pieces = ['a', 'bb', ' ', ',', '\n', '\r\n', '""', 'x'.repeat(20), 'y'.repeat(23), 'z'.repeat(30)];
    for (let file = 0; file < 150; file++) {
      const columns = 1 + Math.floor(random() * 6);
      const rows: string[][] = [];
      for (let r = 0; r < 1 + Math.floor(random() * 8); r++) {
        rows.push(Array.from({ length: columns }, () => Array.from({ length: Math.floor(random() * 5) }, () => pick(pieces)).join('')));
      }
      // Every field quoted (as the exports quote them), `"` doubled.
      // Line endings mixed within a file too (LF, CRLF, a lone CR), one per record boundary.
      const text = rows
        .map((row) => row.map((v) => `"${v.replaceAll('""', '"').replaceAll('"', '""')}"`).join(','))
        .reduce((all, record, i) => (i === 0 ? record : all + pick(['\n', '\r\n', '\r']) + record), '');
      const expected = rows.map((row) => row.map((v) => v.replaceAll('""', '"')));
      const lines: number[] = [];
      let line = 1;
      for (const row of rows) {
        lines.push(line);
        line += 1 + row.reduce((sum, v) => sum + (v.match(/\n/g)?.length ?? 0), 0);
      }
      // The last column, or only the first ones (the rest of each record is then skipped whole).
      const keep = pick([[0, columns - 1], [0], [Math.min(1, columns - 1)]]);
      for (const size of [1, 7, 64, text.length]) {
        const out: { fields: string[]; line: number }[] = [];
        const parser = new CsvParser((fields, at) => out.push({ fields: [...fields], line: at }), ',', keep);
        for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
        parser.end();
        const label = `file ${file}, chunks of ${size}: ${JSON.stringify(text)}`;
        // Rows whose every field is empty read as blank lines only when they have one column.
        const kept = expected.map((row, i) => ({ row, line: lines[i] })).filter(({ row }) => !(row.length === 1 && row[0] === ''));
        expect(out.map((r) => r.line), label).toEqual(kept.map((r) => r.line));
        // Fields past the last kept column may come back fewer (one empty field stands for them).
        const lastKept = Math.max(...keep);
        // (The first column is always read: it tells a blank line from a record.)
        expect(out.map((r) => r.fields.slice(0, lastKept + 1)), label).toEqual(kept.map(({ row }) => row.slice(0, lastKept + 1).map((v, i) => (i === 0 || keep.includes(i) ? v : ''))));
      }
    }
  });

  it('ends a record at a lone carriage return even when the columns after the read ones are skipped whole', () => {
    const out: unknown[] = [];
    const parser = new CsvParser((fields, line) => out.push([line, fields[0]]), ',', [0]);
    parser.push('"a","b"\r"c","d"\n"e","f"\r\n"g","h\ni"\n"j",""');
    parser.end();
    expect(out).toEqual([
      [1, 'a'],
      [2, 'c'],
      [3, 'e'],
      [4, 'g'],
      [6, 'j'],
    ]);
  });

  it('skips blank lines but counts them', () => {
    expect(parseCsv('a,b\n\n1,2\n')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['1', '2'], line: 3 },
    ]);
  });

  it('keeps an unterminated quote at the end of the file instead of losing it', () => {
    expect(parseCsv('a\n"open')).toEqual([
      { fields: ['a'], line: 1 },
      { fields: ['open'], line: 2 },
    ]);
  });

  it('reads other delimiters', () => {
    expect(parseCsv('a;b\n"x;y";2', ';')[1]?.fields).toEqual(['x;y', '2']);
  });
});

describe('sniffDelimiter', () => {
  it.each([
    ['a,b,c\n1,2,3', ','],
    ['a;b;c\n1;2;3', ';'],
    ['a\tb\tc', '\t'],
    ['"x;y",b,c', ','],
  ])('%j → %j', (text, expected) => expect(sniffDelimiter(text)).toBe(expected));
});
