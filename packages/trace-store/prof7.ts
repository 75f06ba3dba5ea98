import { CollectionIndex } from './src/_collection-index.ts';
import { uuidToBytes } from './src/record-codec.ts';
const N = 1_000_000;
const ids = Array.from({ length: N }, () => crypto.randomUUID());
const keys = Array.from({ length: N }, (_, i) => `x:${1_100_000_000_000_000_000n + BigInt(i)}`);
for (let rep = 0; rep < 3; rep++) {
  const idx = new CollectionIndex();
  let c = process.cpuUsage();
  for (let i = 0; i < N; i++) idx.add(0, i * 500, 499, 0, 12345, keys[i], ids[i]!);
  let u = process.cpuUsage(c);
  console.log('add µs', ((u.user + u.system) / N).toFixed(2), 'rss', (process.memoryUsage().rss / 1e6).toFixed(0), 'heap', (process.memoryUsage().heapUsed / 1e6).toFixed(0));
  const scratch = new Uint8Array(16);
  c = process.cpuUsage();
  for (let i = 0; i < N; i++) uuidToBytes(ids[i]!, scratch, 0);
  u = process.cpuUsage(c);
  console.log('uuidToBytes µs', ((u.user + u.system) / N).toFixed(2));
  c = process.cpuUsage();
  let f = 0;
  for (let i = 0; i < N; i++) if (idx.findId(ids[(i * 7919) % N]!) >= 0) f++;
  u = process.cpuUsage(c);
  console.log('findId µs', ((u.user + u.system) / N).toFixed(2), f);
  c = process.cpuUsage();
  for (let i = 0; i < N; i++) if (idx.latestOf(keys[(i * 7919) % N]!) >= 0) f++;
  u = process.cpuUsage(c);
  console.log('latestOf µs', ((u.user + u.system) / N).toFixed(2), f);
}
