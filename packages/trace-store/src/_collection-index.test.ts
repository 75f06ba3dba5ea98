import { describe, expect, it } from 'vitest';
import { CollectionIndex } from './_collection-index.ts';
import { KeyTable } from './_key-table.ts';

function uuid(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

describe('KeyTable', () => {
  it('finds every key exactly, including non-Latin-1 keys, across table growth and arena chunks', () => {
    const table = new KeyTable();
    const keys = Array.from({ length: 70_000 }, (_, i) => (i % 3 === 0 ? `x:${i}` : i % 3 === 1 ? `linkedin:ポスト${i}` : `strategy:${'s'.repeat(i % 300)}${i}`));
    for (const [i, key] of keys.entries()) table.setLatest(table.insert(key), i, i * 2);
    expect(table.size).toBe(keys.length);
    const wrong = keys.filter((key, i) => {
      const keyIndex = table.find(key);
      return keyIndex !== i || table.keyAt(keyIndex) !== key || table.latestOf(keyIndex) !== i || table.contentOf(keyIndex) !== i * 2;
    });
    expect(wrong).toEqual([]);
    expect(table.find('x:70001')).toBe(-1);
    expect(table.find('x:1')).toBe(-1);
    expect(table.insert('x:3')).toBe(3);
  });
});

describe('CollectionIndex', () => {
  it('links versions, marks superseded ones relative to a snapshot, and finds ids case-insensitively', () => {
    const index = new CollectionIndex();
    expect(index.add(0, 0, 10, 0, 111, 'x:1', uuid(1))).toBe(0);
    expect(index.add(0, 11, 10, 0, 222, 'x:2', uuid(2))).toBe(1);
    expect(index.add(0, 22, 10, 3, 0, undefined, uuid(3))).toBe(2);
    expect(index.add(1, 0, 10, 0, 333, 'x:1', uuid(4))).toBe(3);
    expect(index.add(1, 11, 10, 0, 0, undefined, 'not-a-uuid')).toBe(-1);
    expect(index.count).toBe(4);
    expect(index.superseded).toBe(1);
    expect(index.isSuperseded(0)).toBe(true);
    expect(index.isSuperseded(0, 3)).toBe(false);
    expect(index.latestVersionOf('x:1')).toEqual({ ordinal: 3, hash: 333 });
    expect(index.previousVersion(3)).toBe(0);
    expect(index.findId(uuid(4).toUpperCase())).toBe(3);
    expect(index.idOf(2)).toBe(uuid(3));
    expect(index.location(3)).toEqual({ segment: 1, offset: 0, length: 10 });
    const range = index.keysOfRange(0, 4);
    expect([...range.keyIndexes].map((k) => (k < 0 ? undefined : index.keys.keyAt(k)))).toEqual(['x:1', 'x:2', undefined, 'x:1']);
    expect([...range.hashes]).toEqual([0, 222, 0, 333]);
  });

  it('keeps ids findable after the id table grows', () => {
    const index = new CollectionIndex();
    for (let i = 0; i < 20_000; i++) index.add(0, i * 100, 99, 0, 0, undefined, uuid(i * 7919));
    for (let i = 0; i < 20_000; i += 97) expect(index.findId(uuid(i * 7919))).toBe(i);
    expect(index.findId(uuid(5))).toBe(-1);
  });
});
