import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/**
 * A file's text in chunks, decoded as `createReadStream(file, { encoding })` would decode it.
 * For UTF-8, chunks that are pure ASCII (nearly all of an analytics export) skip the UTF-8 decoder
 * and become strings by a byte copy: on a 457 MB export the decoder was ~1 s of the reader's CPU.
 *
 * Two things keep the CSV reader on fast strings. Chunks are 64 KB: a string over V8's 128 KB
 * regular-object limit is born in the old generation, where only a full collection frees it (with
 * 256 KB chunks the reader's heap grew by ~20 MB and its GC threads worked ~1 s more). And an ASCII
 * chunk ends at its last line break, the bytes after it going to the front of the next chunk, so
 * the reader seldom holds a partial record to prepend as a string: that concatenation made a rope
 * that every character read had to go through (~0.3 µs a row of parsing).
 */
export async function* readTextChunks(
  file: string,
  encoding: BufferEncoding,
  onBytes: (bytesRead: number) => void,
  chunkBytes = 1 << 16,
): AsyncGenerator<string> {
  const utf8 = encoding === 'utf8' || encoding === 'utf-8';
  const stream = createReadStream(file, { highWaterMark: chunkBytes });
  const decoder = new StringDecoder(encoding);
  // True while the decoder may hold the start of a character split across chunks.
  let pending = false;
  // ASCII bytes after the last line break of the previous chunk.
  let carry: Buffer | undefined;
  for await (const read of stream as AsyncIterable<Buffer>) {
    onBytes(stream.bytesRead);
    let chunk = carry === undefined ? read : Buffer.concat([carry, read]);
    carry = undefined;
    if (utf8 && !pending && isAscii(chunk)) {
      const cut = chunk.lastIndexOf(LF) + 1;
      if (cut > 0 && cut < chunk.length) {
        carry = chunk.subarray(cut);
        chunk = chunk.subarray(0, cut);
      }
      yield chunk.toString('latin1');
      continue;
    }
    const text = decoder.write(chunk);
    pending = !utf8 || !endsOnCharBoundary(chunk);
    if (text.length > 0) yield text;
  }
  if (carry !== undefined) yield carry.toString('latin1');
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

const LF = 10;

/** True when the last UTF-8 sequence in `bytes` is complete (so a decoder holds nothing back). */
export function endsOnCharBoundary(bytes: Uint8Array): boolean {
  const n = bytes.length;
  for (let back = 1; back <= 4 && back <= n; back++) {
    const b = bytes[n - back]!;
    if (b < 0x80) return back === 1;
    if (b >= 0xc0) {
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return back >= length;
    }
  }
  // Only continuation bytes at the end: say "maybe not", which keeps the decoder in charge.
  return false;
}
