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
  const pieces = ['plain ascii '.repeat(40), 'café ', '日本語 ', '🚀👩‍👩‍👧 ', 'x'.repeat(33), 'ñ'];
  const bytes = Buffer.concat([Buffer.from(pieces.join('').repeat(5)), Buffer.from([0xff, 0x41, 0xe6, 0x97])]);
  const file = join(dir, 'mixed.csv');
  writeFileSync(file, bytes);

  it.each([1, 2, 3, 5, 7, 64, 1 << 18])('decodes exactly as Buffer#toString does, in chunks of %i bytes', async (size) => {
    expect(await readAll(file, 'utf8', size)).toBe(bytes.toString('utf8'));
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
