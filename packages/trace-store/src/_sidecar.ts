import { open, rename, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import type { CollectionIndex } from './_collection-index.ts';
import { hashBytes } from './record-codec.ts';

// Version 3: content hashes from `hashBytes` (version 2 held SHA-1 ones): older sidecars are rebuilt from the log.
const MAGIC = 'REERIDX3\n';
const FINGERPRINT_BYTES = 4096;
/** offset f64, length u32, type u8, content hash f64, id 16 bytes, key length i32 (-1: none); then the key's UTF-8. */
const ROW_BYTES = 8 + 4 + 1 + 8 + 16 + 4;
const IO_BYTES = 1 << 20;

/**
 * The sidecar of one log file (`<file>.idx`) indexes its first `end` bytes. The log is append-only,
 * so the sidecar stays valid while the file keeps its inode and the bytes just before `end` hash to
 * `fingerprint`; records past `end` are indexed by reading the tail. Anything else: rebuild from the log.
 */
const SidecarHeaderSchema = z.object({
  version: z.literal(3),
  file: z.string(),
  ino: z.number(),
  end: z.number().int().nonnegative(),
  fingerprint: z.string(),
  count: z.number().int().nonnegative(),
  /** Size of the whole sidecar file, to catch truncation before loading anything. */
  bytes: z.number().int().nonnegative(),
});
type SidecarHeader = z.infer<typeof SidecarHeaderSchema>;

/** A sidecar that passed its header checks but broke while loading: the index it touched must be rebuilt. */
export class SidecarCorrupt extends Error {
  override readonly name = 'SidecarCorrupt';
}

export function sidecarPath(file: string): string {
  return `${file}.idx`;
}

/** Hash of the bytes just before `end`, tying a sidecar to the log content it indexed. */
export async function fingerprint(file: string, end: number): Promise<string> {
  if (end === 0) return '0';
  const handle = await open(file, 'r');
  try {
    const length = Math.min(end, FINGERPRINT_BYTES);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, end - length);
    return hashBytes(buf).toString(16);
  } finally {
    await handle.close();
  }
}

/** Write the sidecar for ordinals [from, to) of `index`, which live in `file`; streamed, then renamed into place. */
export async function writeSidecar(
  file: string,
  ino: number,
  end: number,
  index: CollectionIndex,
  from: number,
  to: number,
): Promise<void> {
  const count = to - from;
  const { keyIndexes, hashes } = index.keysOfRange(from, to);
  let bytes = 0;
  const keys = index.keys;
  for (let i = 0; i < count; i++) {
    const keyIndex = keyIndexes[i] ?? -1;
    bytes += ROW_BYTES + (keyIndex < 0 ? 0 : keys.utf8Length(keyIndex));
  }
  const headerFor = (total: number): Buffer => {
    const header: SidecarHeader = { version: 3, file: basename(file), ino, end, fingerprint: print, count, bytes: total };
    return Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`, 'utf8');
  };
  const print = await fingerprint(file, end);
  // The header holds the total size, which depends on the header's own length: settle it in two passes.
  let head = headerFor(0);
  head = headerFor(head.length + bytes);
  head = headerFor(head.length + bytes);
  const target = sidecarPath(file);
  const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
  const out = await open(temp, 'w');
  try {
    await out.write(head);
    const buf = Buffer.allocUnsafe(IO_BYTES);
    let used = 0;
    for (let i = 0; i < count; i++) {
      const ordinal = from + i;
      const keyIndex = keyIndexes[i] ?? -1;
      const need = ROW_BYTES + (keyIndex < 0 ? 0 : keys.utf8Length(keyIndex));
      if (used + need > buf.length) {
        await out.write(buf, 0, used);
        used = 0;
      }
      const row = need > buf.length ? Buffer.allocUnsafe(need) : buf;
      let p = row === buf ? used : 0;
      p = row.writeDoubleLE(index.offsetOf(ordinal), p);
      p = row.writeUInt32LE(index.lengthOf(ordinal), p);
      p = row.writeUInt8(index.typeOf(ordinal), p);
      p = row.writeDoubleLE(hashes[i] ?? 0, p);
      index.copyIdBytes(ordinal, row, p);
      p += 16;
      if (keyIndex < 0) {
        p = row.writeInt32LE(-1, p);
      } else {
        const keyBytes = keys.writeUtf8(keyIndex, row, p + 4);
        row.writeInt32LE(keyBytes, p);
        p += 4 + keyBytes;
      }
      if (row === buf) used = p;
      else await out.write(row, 0, p);
    }
    if (used > 0) await out.write(buf, 0, used);
  } finally {
    await out.close();
  }
  await rename(temp, target);
}

/**
 * Load a sidecar into `index` as segment `segment` when it matches the log (same inode, log at least
 * `end` long, fingerprint equal). Returns the byte offset indexed up to, or -1 when the sidecar is
 * missing or stale (nothing loaded). Throws `SidecarCorrupt` if it breaks after rows were loaded.
 */
export async function loadSidecar(file: string, ino: number, size: number, segment: number, index: CollectionIndex): Promise<number> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(sidecarPath(file), 'r');
  } catch {
    return -1;
  }
  try {
    const total = (await handle.stat()).size;
    let buf = Buffer.allocUnsafe(IO_BYTES);
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, total), 0);
    if (bytesRead < MAGIC.length || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) return -1;
    const headEnd = buf.indexOf(0x0a, MAGIC.length);
    if (headEnd === -1 || headEnd >= bytesRead) return -1;
    let header: SidecarHeader;
    try {
      const parsed = SidecarHeaderSchema.safeParse(JSON.parse(buf.toString('utf8', MAGIC.length, headEnd)));
      if (!parsed.success) return -1;
      header = parsed.data;
    } catch {
      return -1;
    }
    if (header.ino !== ino || header.end > size || header.bytes !== total) return -1;
    if ((await fingerprint(file, header.end)) !== header.fingerprint) return -1;

    index.reserve(index.count + header.count);
    let filled = bytesRead;
    let p = headEnd + 1;
    let position = bytesRead;
    for (let row = 0; row < header.count; row++) {
      if (filled - p < ROW_BYTES || filled - p < ROW_BYTES + Math.max(0, buf.readInt32LE(p + ROW_BYTES - 4))) {
        const rest = filled - p;
        const want = rest >= ROW_BYTES ? ROW_BYTES + buf.readInt32LE(p + ROW_BYTES - 4) : ROW_BYTES;
        if (want > buf.length) {
          const bigger = Buffer.allocUnsafe(want * 2);
          buf.copy(bigger, 0, p, filled);
          buf = bigger;
        } else {
          buf.copy(buf, 0, p, filled);
        }
        p = 0;
        filled = rest;
        const more = await handle.read(buf, filled, buf.length - filled, position);
        position += more.bytesRead;
        filled += more.bytesRead;
        const keyBytes = filled >= ROW_BYTES ? buf.readInt32LE(ROW_BYTES - 4) : 0;
        if (filled < ROW_BYTES || filled < ROW_BYTES + Math.max(0, keyBytes)) throw new SidecarCorrupt(`${sidecarPath(file)}: truncated at row ${row}`);
      }
      const offset = buf.readDoubleLE(p);
      const length = buf.readUInt32LE(p + 8);
      const type = buf[p + 12] ?? 0;
      const hash = buf.readDoubleLE(p + 13);
      const keyBytes = buf.readInt32LE(p + ROW_BYTES - 4);
      const key = keyBytes < 0 ? undefined : buf.toString('utf8', p + ROW_BYTES, p + ROW_BYTES + keyBytes);
      index.addWithIdBytes(segment, offset, length, type, hash, key, buf, p + 21);
      p += ROW_BYTES + Math.max(0, keyBytes);
    }
    return header.end;
  } finally {
    await handle.close();
  }
}

export async function removeSidecar(file: string): Promise<void> {
  await rm(sidecarPath(file), { force: true });
}
