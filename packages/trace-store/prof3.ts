import { prepareRecord } from './src/record-codec.ts';
import { TraceStore } from './src/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
const N = 50000;
function post(i: number, likes: number) {
  const id = String(1_100_000_000_000_000_000n + BigInt(i));
  return { type: 'post' as const, source: 'bench:x-legacy', data: { platform: 'x', post_id: id, author: 'bench_author', text: `Post number ${i}: a line of text about shipping small tools, with a link https://example.com/${i} #bench`, created_at: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(), url: `https://x.com/bench_author/status/${id}`, is_reply: i % 7 === 0, is_repost: false, metrics: { impressions: 1000 + (i % 5000), likes, reposts: i % 13, replies: i % 5, engagements: likes + 20, engagement_rate: 0.021 } }, metadata: { file: 'tweet_activity_metrics_bench.csv', line: i + 2, format: 'x-legacy' } };
}
const recs = []; for (let i = 0; i < N; i++) recs.push(post(i, 10));
const now = new Date().toISOString();
const best: Record<string, number> = {};
const time = (name: string, fn: () => void) => { const c = process.cpuUsage(); fn(); const u = process.cpuUsage(c); const v = (u.user + u.system) / N; best[name] = Math.min(best[name] ?? 1e9, v); };
for (let rep = 0; rep < 7; rep++) {
  time('prepare', () => { for (let i = 0; i < N; i++) prepareRecord('posts', i, recs[i]!, now); });
}
const dir = mkdtempSync('/tmp/p3-');
const store = await TraceStore.open(dir);
for (let rep = 0; rep < 5; rep++) {
  const c = process.cpuUsage();
  for (let b = 0; b < N; b += 5000) await store.append('posts', recs.slice(b, b + 5000));
  const u = process.cpuUsage(c); best.append = Math.min(best.append ?? 1e9, (u.user + u.system) / N);
}
for (let rep = 0; rep < 3; rep++) {
  const c = process.cpuUsage();
  for (let b = 0; b < N; b += 5000) await store.upsert('posts', recs.slice(b, b + 5000));
  const u = process.cpuUsage(c); best.upsertUnchanged = Math.min(best.upsertUnchanged ?? 1e9, (u.user + u.system) / N);
}
const ids: string[] = [];
for await (const r of store.scan('posts')) { ids.push(r.id); if (ids.length > 5000) break; }
let t = performance.now();
for (let i = 0; i < 5000; i++) await store.get('posts', ids[i]!);
best.getMicros = (performance.now() - t) / 5000 * 1000;
await store.close(); rmSync(dir, { recursive: true });
console.log(Object.fromEntries(Object.entries(best).map(([k, v]) => [k, v.toFixed(2)])));
