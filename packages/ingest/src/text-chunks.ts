import { isAscii } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
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
  const decoder = new StringDecoder(encoding);
  // True while the decoder may hold the start of a character split across chunks.
  let pending = false;
  // One buffer for the whole file: every chunk becomes a string (a copy) before the next read.
  const buf = Buffer.allocUnsafe(chunkBytes);
  // Bytes at the front of `buf` carried over from the previous chunk (ASCII after its last line break).
  let held = 0;
  let total = 0;
  const fd = openSync(file, 'r');
  try {
    for (;;) {
      // Blocking reads: this runs on a reader that has nothing else to do meanwhile, and a read
      // through libuv's pool waited for a pool thread to get a core (a large import's two cores
      // are busy), a wait of ~0.1 ms per 64 KB that added up to most of a second per 457 MB.
      const n = readSync(fd, buf, held, buf.length - held, null);
      if (n === 0) break;
      total += n;
      onBytes(total);
      const end = held + n;
      const chunk = buf.subarray(0, end);
      held = 0;
      if (utf8 && !pending && isAscii(chunk)) {
        let cut = chunk.lastIndexOf(LF) + 1;
        if (cut === 0) cut = end;
        yield buf.toString('latin1', 0, cut);
        buf.copyWithin(0, cut, end);
        held = end - cut;
        continue;
      }
      // The decoder copies what it keeps of an incomplete character.
      const text = decoder.write(chunk);
      pending = !utf8 || !endsOnCharBoundary(chunk);
      if (text.length > 0) yield text;
    }
  } finally {
    closeSync(fd);
  }
  if (held > 0) yield buf.toString('latin1', 0, held);
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
