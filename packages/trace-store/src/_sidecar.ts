import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import type { CollectionIndex } from './_collection-index.ts';
import { hashString } from './record-codec.ts';

const MAGIC = 'REERIDX1\n';
const FINGERPRINT_BYTES = 4096;

/**
 * The sidecar of one log file (`<file>.idx`) indexes its first `end` bytes. The log is append-only,
 * so the sidecar stays valid while the file keeps its inode and the bytes just before `end` hash to
 * `fingerprint`; records past `end` are indexed by reading the tail. Anything else: rebuild from the log.
 */
const SidecarHeaderSchema = z.object({
  version: z.literal(1),
  file: z.string(),
  ino: z.number(),
  end: z.number().int().nonnegative(),
  fingerprint: z.string(),
  count: z.number().int().nonnegative(),
  keysBytes: z.number().int().nonnegative(),
});
type SidecarHeader = z.infer<typeof SidecarHeaderSchema>;

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
    return hashString(buf.toString('latin1')).toString(16);
  } finally {
    await handle.close();
  }
}

/** Write the sidecar for ordinals [from, to) of `index`, which live in `file` (segment `segment`). */
export async function writeSidecar(
  file: string,
  ino: number,
  end: number,
  index: CollectionIndex,
  from: number,
  to: number,
): Promise<void> {
  const count = to - from;
  const { keys, hashes } = index.keysOfRange(from, to);
  const keysBlob = Buffer.from(JSON.stringify(keys.map((k) => k ?? null)), 'utf8');
  const header: SidecarHeader = {
    version: 1,
    file: basename(file),
    ino,
    end,
    fingerprint: await fingerprint(file, end),
    count,
    keysBytes: keysBlob.length,
  };
  const head = Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`, 'utf8');
  const body = Buffer.allocUnsafe(count * (8 + 4 + 1 + 8 + 16));
  let p = 0;
  for (let o = from; o < to; o++, p += 8) body.writeDoubleLE(index.offsetOf(o), p);
  for (let o = from; o < to; o++, p += 4) body.writeUInt32LE(index.lengthOf(o), p);
  for (let o = from; o < to; o++, p += 1) body[p] = index.typeOf(o);
  for (let i = 0; i < count; i++, p += 8) body.writeDoubleLE(hashes[i] ?? 0, p);
  for (let o = from; o < to; o++, p += 16) index.copyIdBytes(o, body, p);
  const target = sidecarPath(file);
  const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, Buffer.concat([head, body, keysBlob]));
  await rename(temp, target);
}

/**
 * Load a sidecar into `index` as segment `segment` when it matches the log (same inode, log at least
 * `end` long, fingerprint equal). Returns the byte offset indexed up to, or -1 when the sidecar is
 * missing or stale.
 */
export async function loadSidecar(
  file: string,
  ino: number,
  size: number,
  segment: number,
  index: CollectionIndex,
): Promise<number> {
  let raw: Buffer;
  try {
    raw = await readFile(sidecarPath(file));
  } catch {
    return -1;
  }
  if (raw.length < MAGIC.length || raw.toString('latin1', 0, MAGIC.length) !== MAGIC) return -1;
  const headEnd = raw.indexOf(0x0a, MAGIC.length);
  if (headEnd === -1) return -1;
  let header: SidecarHeader;
  try {
    const parsed = SidecarHeaderSchema.safeParse(JSON.parse(raw.toString('utf8', MAGIC.length, headEnd)));
    if (!parsed.success) return -1;
    header = parsed.data;
  } catch {
    return -1;
  }
  const { count } = header;
  const bodyStart = headEnd + 1;
  if (header.ino !== ino || header.end > size || raw.length !== bodyStart + count * 37 + header.keysBytes) return -1;
  if ((await fingerprint(file, header.end)) !== header.fingerprint) return -1;
  let keys: unknown;
  try {
    keys = JSON.parse(raw.toString('utf8', bodyStart + count * 37, raw.length));
  } catch {
    return -1;
  }
  if (!Array.isArray(keys) || keys.length !== count) return -1;
  const lenAt = bodyStart + count * 8;
  const typeAt = lenAt + count * 4;
  const hashAt = typeAt + count;
  const idAt = hashAt + count * 8;
  for (let i = 0; i < count; i++) {
    const key: unknown = keys[i];
    index.addWithIdBytes(
      segment,
      raw.readDoubleLE(bodyStart + i * 8),
      raw.readUInt32LE(lenAt + i * 4),
      raw[typeAt + i] ?? 0,
      raw.readDoubleLE(hashAt + i * 8),
      typeof key === 'string' ? key : undefined,
      raw,
      idAt + i * 16,
    );
  }
  return header.end;
}

export async function removeSidecar(file: string): Promise<void> {
  await rm(sidecarPath(file), { force: true });
}
