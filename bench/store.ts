/**
 * Trace-store throughput: `pnpm bench:store [rows] [batch]` (defaults 1,000,000 and 5,000).
 * Appends synthetic normalized posts with `upsert` (the idempotent path ingest uses), re-upserts
 * them all (every one unchanged), reopens, then times id lookups, bulk key lookups and a scan.
 * Then the split ingest uses with its worker thread: `encodeRecords` (validate + serialize, on the
 * reader thread) and `upsertEncoded` (hash, dedupe, write, fsync, index: the store's thread), timed
 * apart into another empty store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceStore, encodeRecords, type NewRecord } from '@reer/trace-store';

const rows = Number(process.argv[2] ?? 1_000_000);
const batchSize = Number(process.argv[3] ?? 5_000);
const dir = mkdtempSync(join(tmpdir(), 'reer-bench-store-'));

function post(i: number, likes: number): NewRecord {
  const id = String(1_100_000_000_000_000_000n + BigInt(i));
  return {
    type: 'post',
    source: 'bench:x-legacy',
    data: {
      platform: 'x',
      post_id: id,
      author: 'bench_author',
      text: `Post number ${i}: a line of text about shipping small tools, with a link https://example.com/${i} #bench`,
      created_at: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(),
      url: `https://x.com/bench_author/status/${id}`,
      is_reply: i % 7 === 0,
      is_repost: false,
      metrics: { impressions: 1000 + (i % 5000), likes, reposts: i % 13, replies: i % 5, engagements: likes + 20, engagement_rate: 0.021 },
    },
    metadata: { file: 'tweet_activity_metrics_bench.csv', line: i + 2, format: 'x-legacy' },
  };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const rss = () => { (globalThis as { gc?: () => void }).gc?.(); return `(rss ${mb(process.memoryUsage().rss)}, heap ${mb(process.memoryUsage().heapUsed)})`; };
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} rows/s`;

/** Upsert every row in batches; times only the store calls (generating rows is the caller's cost). */
async function upsertAll(store: TraceStore, likes: number): Promise<{ ms: number; cpuMicrosPerRow: number; counts: Record<string, number> }> {
  const counts: Record<string, number> = { new: 0, updated: 0, unchanged: 0 };
  let ms = 0;
  let cpuMicros = 0;
  for (let from = 0; from < rows; from += batchSize) {
    const batch: NewRecord[] = [];
    for (let i = from; i < Math.min(rows, from + batchSize); i++) batch.push(post(i, likes));
    const cpu = process.cpuUsage();
    const start = performance.now();
    const result = await store.upsert('posts', batch);
    ms += performance.now() - start;
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
    for (const [k, v] of Object.entries(result.counts)) counts[k] = (counts[k] ?? 0) + v;
  }
  return { ms, cpuMicrosPerRow: Math.round((cpuMicros / rows) * 10) / 10, counts };
}

/** The same rows through `encodeRecords` + `upsertEncoded`, CPU of each side measured apart. */
async function encodedAll(store: TraceStore, likes: number): Promise<string> {
  let encodeMicros = 0;
  let storeMicros = 0;
  let ms = 0;
  for (let from = 0; from < rows; from += batchSize) {
    const batch: NewRecord[] = [];
    for (let i = from; i < Math.min(rows, from + batchSize); i++) batch.push(post(i, likes));
    const start = performance.now();
    let cpu = process.cpuUsage();
    const encoded = encodeRecords('posts', batch);
    let used = process.cpuUsage(cpu);
    encodeMicros += used.user + used.system;
    cpu = process.cpuUsage();
    await store.upsertEncoded('posts', [encoded]);
    used = process.cpuUsage(cpu);
    storeMicros += used.user + used.system;
    ms += performance.now() - start;
  }
  const per = (micros: number) => Math.round((micros / rows) * 10) / 10;
  return `${rate(rows, ms)} in one thread; encodeRecords ${per(encodeMicros)} µs CPU/row, upsertEncoded ${per(storeMicros)} µs CPU/row`;
}

try {
  console.log('baseline', rss());
  const store = await TraceStore.open(dir);
  const first = await upsertAll(store, 10);
  console.log(`upsert ${rows.toLocaleString('en-US')} new posts (batches of ${batchSize}): ${rate(rows, first.ms)}, ${first.cpuMicrosPerRow} µs CPU/row`, first.counts, rss());
  const again = await upsertAll(store, 10);
  console.log(`re-upsert, all unchanged: ${rate(rows, again.ms)}, ${again.cpuMicrosPerRow} µs CPU/row`, again.counts, rss());
  let t = performance.now();
  await store.close();
  console.log(`close (sidecar save): ${(performance.now() - t).toFixed(0)} ms`);

  t = performance.now();
  const reopened = await TraceStore.open(dir);
  console.log(`open with sidecar: ${(performance.now() - t).toFixed(0)} ms`, rss());
  const ids: string[] = [];
  for await (const r of reopened.scan('posts', { where: { is_reply: true } })) if (ids.length < 20_000) ids.push(r.id);
  console.log('scan', rss());
  t = performance.now();
  let found = 0;
  for (let i = 0; i < 10_000; i++) if (await reopened.get('posts', ids[(i * 7919) % ids.length] ?? '')) found++;
  console.log(`get by id: ${((performance.now() - t) / 10_000 * 1000).toFixed(1)} µs per lookup (${found} found)`);
  // Bulk idempotence lookups the way ingest makes them: one call per batch of keys.
  t = performance.now();
  let known = 0;
  for (let from = 0; from < rows; from += batchSize) {
    const keys: string[] = [];
    for (let i = from; i < Math.min(rows, from + batchSize); i++) keys.push(`x:${1_100_000_000_000_000_000n + BigInt(i)}`);
    for (const hit of await reopened.latestByKeys('posts', keys)) if (hit) known++;
  }
  console.log(`latestByKeys in batches of ${batchSize}: ${rate(rows, performance.now() - t)} (${known} found)`, rss());
  t = performance.now();
  let n = 0;
  for await (const _ of reopened.latest('posts')) n++;
  console.log(`latest() scan with validation: ${rate(n, performance.now() - t)}`, rss());
  await reopened.close();
  rmSync(join(dir, 'social', 'normalized.jsonl.idx'));
  t = performance.now();
  const rebuilt = await TraceStore.open(dir);
  console.log(`open rebuilding the index from the log: ${(performance.now() - t).toFixed(0)} ms`, rss());
  await rebuilt.close();
  const encodedDir = join(dir, 'encoded');
  const encodedStore = await TraceStore.open(encodedDir);
  console.log(`encode + upsertEncoded ${rows.toLocaleString('en-US')} new posts: ${await encodedAll(encodedStore, 10)}`);
  console.log(`again, all unchanged: ${await encodedAll(encodedStore, 10)}`, rss());
  await encodedStore.close();
  console.log(`peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
