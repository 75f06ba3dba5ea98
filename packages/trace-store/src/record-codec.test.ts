import { RecordEnvelopeSchema, seededRandom } from '@reer/core';
import { describe, expect, it } from 'vitest';
import { postRecord } from '../test/records.ts';
import { bytesToUuid, contentHash, decodeLine, formatHash, hashBytes, hashString, prepareRecord, randomUuidBytes, serializeRecord, uuidToBytes } from './record-codec.ts';

describe('record codec', () => {
  it('generates distinct uuid v4 ids that round-trip through bytes', () => {
    const bytes = new Uint8Array(16 * 1000);
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      randomUuidBytes(bytes, i * 16);
      const id = bytesToUuid(bytes, i * 16);
      expect(RecordEnvelopeSchema.shape.id.safeParse(id).success).toBe(true);
      const back = new Uint8Array(16);
      expect(uuidToBytes(id, back, 0)).toBe(true);
      expect([...back]).toEqual([...bytes.subarray(i * 16, i * 16 + 16)]);
      ids.add(id);
    }
    expect(ids.size).toBe(1000);
    expect(uuidToBytes('6F1C2A4E-8B3D-4F5A-9C7E-0D1B2A3C4E5F', new Uint8Array(16), 0)).toBe(true);
    expect(uuidToBytes('6f1c2a4e-8b3d-4f5a-9c7e-0d1b2a3c4e5', new Uint8Array(16), 0)).toBe(false);
    expect(uuidToBytes('6f1c2a4e_8b3d-4f5a-9c7e-0d1b2a3c4e5f', new Uint8Array(16), 0)).toBe(false);
    expect(uuidToBytes('6f1c2a4e-8b3d-4f5a-9c7e-0d1b2a3c4e5g', new Uint8Array(16), 0)).toBe(false);
  });

  it('serializes exactly the envelope, in its key order, with the key and content hash of the data', () => {
    const prepared = prepareRecord('posts', 0, postRecord('42', 3), '2024-01-01T00:00:00.000Z');
    expect(prepared.line).toBe('');
    const idBytes = new Uint8Array(32);
    serializeRecord(prepared, idBytes, 16);
    expect(bytesToUuid(idBytes, 16)).toBe(prepared.id);
    const envelope = JSON.parse(prepared.line);
    expect(Object.keys(envelope)).toEqual(['id', 'timestamp', 'type', 'source', 'data', 'metadata']);
    expect(prepared.line).toBe(JSON.stringify({ ...envelope }));
    expect(RecordEnvelopeSchema.safeParse(envelope).success).toBe(true);
    expect(prepared.key).toBe('x:42');
    expect(formatHash(prepared.hash)).toBe(contentHash(envelope.data));
    expect(contentHash(postRecord('42', 3).data)).not.toBe(contentHash(postRecord('42', 4).data));
    const decoded = decodeLine(prepared.line, true);
    expect(decoded.ok && decoded.dataValid).toBe(true);
  });

  it('hashes a string and its UTF-8 bytes alike, into 52 bits, and any byte changes it', () => {
    const random = seededRandom(11);
    const texts = ['', 'a', 'ab', 'abc', 'abcd', '{"platform":"x"}', 'naïve 👩‍💻 日本語', 'x'.repeat(10_000)];
    for (const text of texts) {
      const bytes = Buffer.from(text, 'utf8');
      const h = hashString(text);
      expect(hashBytes(bytes)).toBe(h);
      expect(Number.isSafeInteger(h) && h >= 0 && h < 2 ** 52).toBe(true);
      // The same bytes anywhere inside a larger buffer hash the same (the store hashes records in place).
      const padded = Buffer.concat([Buffer.from('pre'), bytes, Buffer.from('post')]);
      expect(hashBytes(padded, 3, 3 + bytes.length)).toBe(h);
      // Flipping any single bit, or dropping or adding a byte, gives another hash.
      for (let n = 0; n < Math.min(bytes.length * 8, 64); n++) {
        const flipped = Buffer.from(bytes);
        const bit = Math.floor(random() * bytes.length * 8);
        flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        expect(hashBytes(flipped)).not.toBe(h);
      }
      expect(hashBytes(Buffer.concat([bytes, Buffer.from([0])]))).not.toBe(h);
      if (bytes.length > 0) expect(hashBytes(bytes, 0, bytes.length - 1)).not.toBe(h);
    }
  });

  it('spreads similar posts over the whole 52 bits (no collisions among 200,000 near-identical lines)', () => {
    const seen = new Set<number>();
    let high = 0;
    for (let i = 0; i < 200_000; i++) {
      const h = hashString(`{"platform":"x","post_id":"${1_200_000_000 + i}","metrics":{"likes":${i % 97}}}`);
      seen.add(h);
      if (h >= 2 ** 51) high++;
    }
    expect(seen.size).toBe(200_000);
    // Half the hashes should have the top bit set; 200,000 draws put a fair coin within ±1 %.
    expect(Math.abs(high / 200_000 - 0.5)).toBeLessThan(0.01);
  });

  it('reports why a stored line is bad', () => {
    expect(decodeLine('', true)).toMatchObject({ ok: false, message: 'empty line' });
    expect(decodeLine('{"id":', true)).toMatchObject({ ok: false, message: expect.stringMatching(/^not valid JSON/) });
    expect(decodeLine('{"id":"x"}', true)).toMatchObject({ ok: false, message: expect.stringMatching(/id/) });
  });
});
