import type { FileHandle } from 'node:fs/promises';

const NEWLINE = 0x0a;

/** Complete lines found in one read: line i spans `buf[starts[i]..ends[i])` at file offset `offsets[i]`. */
export interface LineBatch {
  buf: Buffer;
  starts: number[];
  ends: number[];
  offsets: number[];
}

/**
 * Stream the complete lines of `file` between byte `from` and `to` with a fixed buffer, so
 * memory stays flat whatever the file size. A line longer than the buffer grows it. Bytes
 * after the last newline before `to` are not yielded; `tail` reports where they start.
 */
export async function* readLines(
  file: FileHandle,
  from: number,
  to: number,
  tail?: { offset: number; bytes: number },
  bufferSize = 1 << 20,
): AsyncGenerator<LineBatch> {
  let buf = Buffer.allocUnsafe(bufferSize);
  let carry = 0;
  let carryOffset = from;
  let position = from;
  while (position < to) {
    if (carry === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, carry);
      buf = bigger;
    }
    const want = Math.min(buf.length - carry, to - position);
    const { bytesRead } = await file.read(buf, carry, want, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const filled = carry + bytesRead;
    const starts: number[] = [];
    const ends: number[] = [];
    const offsets: number[] = [];
    let start = 0;
    let nl = buf.indexOf(NEWLINE, carry);
    while (nl !== -1 && nl < filled) {
      starts.push(start);
      ends.push(nl);
      offsets.push(carryOffset + start);
      start = nl + 1;
      nl = start < filled ? buf.indexOf(NEWLINE, start) : -1;
    }
    if (starts.length > 0) yield { buf, starts, ends, offsets };
    // The consumer is done with this batch once it asks for the next, so the buffer can be reused.
    carry = filled - start;
    carryOffset += start;
    if (carry > 0 && start > 0) buf.copy(buf, 0, start, filled);
  }
  if (tail) {
    tail.offset = carryOffset;
    tail.bytes = carry;
  }
}
