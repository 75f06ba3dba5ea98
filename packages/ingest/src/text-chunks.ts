import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/**
 * A file's text in chunks, decoded as `createReadStream(file, { encoding })` would decode it.
 * For UTF-8, chunks that are pure ASCII (nearly all of an analytics export) skip the UTF-8 decoder
 * and become strings by a byte copy: on a 457 MB export the decoder was ~1 s of the reader's CPU.
 */
export async function* readTextChunks(
  file: string,
  encoding: BufferEncoding,
  onBytes: (bytesRead: number) => void,
  chunkBytes = 1 << 18,
): AsyncGenerator<string> {
  const utf8 = encoding === 'utf8' || encoding === 'utf-8';
  const stream = createReadStream(file, { highWaterMark: chunkBytes });
  const decoder = new StringDecoder(encoding);
  // True while the decoder may hold the start of a character split across chunks.
  let pending = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    onBytes(stream.bytesRead);
    if (utf8 && !pending && isAscii(chunk)) {
      yield chunk.toString('latin1');
      continue;
    }
    const text = decoder.write(chunk);
    pending = !utf8 || !endsOnCharBoundary(chunk);
    if (text.length > 0) yield text;
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

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
