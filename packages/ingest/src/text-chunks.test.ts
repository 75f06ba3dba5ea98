import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { endsOnCharBoundary, readTextChunks } from './text-chunks.ts';

const dir = mkdtempSync(join(tmpdir(), 'reer-text-chunks-'));

async function readAll(file: string, encoding: BufferEncoding, chunkBytes: number): Promise<string> {
  let text = '';
  for await (const chunk of readTextChunks(file, encoding, () => undefined, chunkBytes)) text += chunk;
  return text;
}

describe('readTextChunks', () => {
  // ASCII runs long enough to fill whole chunks, then characters of every UTF-8 length at every
  // offset against the chunk boundaries, an invalid byte and a sequence cut off at the very end.
  const pieces = ['plain ascii '.repeat(40), 'café ', '日本語\n', '🚀👩‍👩‍👧 ', 'x'.repeat(33), 'line\r\n', 'ñ'];
  const bytes = Buffer.concat([Buffer.from(pieces.join('').repeat(5)), Buffer.from([0xff, 0x41, 0xe6, 0x97])]);
  const file = join(dir, 'mixed.csv');
  writeFileSync(file, bytes);

  it.each([1, 2, 3, 5, 7, 64, 1 << 18])('decodes exactly as Buffer#toString does, in chunks of %i bytes', async (size) => {
    expect(await readAll(file, 'utf8', size)).toBe(bytes.toString('utf8'));
  });

  it('ends ASCII chunks at a line break, carrying the rest of the line to the next chunk', async () => {
    const lines = join(dir, 'lines.csv');
    const text = Array.from({ length: 50 }, (_, i) => `${i},"a ${'word '.repeat(i % 7)}\nmore"`).join('\r\n');
    writeFileSync(lines, text);
    for (const size of [16, 100, 333]) {
      const chunks: string[] = [];
      for await (const chunk of readTextChunks(lines, 'utf8', () => undefined, size)) chunks.push(chunk);
      expect(chunks.join('')).toBe(text);
      // Every chunk but the last ends with a line break, unless a line was longer than a chunk.
      for (const chunk of chunks.slice(0, -1)) if (chunk.includes('\n')) expect(chunk.endsWith('\n')).toBe(true);
    }
  });

  it('decodes other encodings through the decoder', async () => {
    const latin = join(dir, 'latin1.csv');
    writeFileSync(latin, Buffer.from('caf\xe9;na\xefve', 'latin1'));
    expect(await readAll(latin, 'latin1', 3)).toBe('café;naïve');
    expect(readFileSync(latin).length).toBe(10);
  });

  it('knows when a chunk ends inside a character', () => {
    expect(endsOnCharBoundary(Buffer.from('abc'))).toBe(true);
    expect(endsOnCharBoundary(Buffer.from('é'))).toBe(true);
    expect(endsOnCharBoundary(Buffer.from('é').subarray(0, 1))).toBe(false);
    expect(endsOnCharBoundary(Buffer.from('🚀').subarray(0, 3))).toBe(false);
    expect(endsOnCharBoundary(Buffer.from('x🚀'))).toBe(true);
    expect(endsOnCharBoundary(Buffer.from([0x80, 0x80]))).toBe(false);
  });
});
