import { TraceStore } from './src/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
const N = 50000;
function post(i: number, likes: number) {
  const id = String(1_100_000_000_000_000_000n + BigInt(i));
  return { type: 'post' as const, source: 'bench:x-legacy', data: { platform: 'x', post_id: id, author: 'bench_author', text: `Post number ${i}: a line of text about shipping small tools, with a link https://example.com/${i} #bench`, created_at: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(), url: `https://x.com/bench_author/status/${id}`, is_reply: i % 7 === 0, is_repost: false, metrics: { impressions: 1000 + (i % 5000), likes, reposts: i % 13, replies: i % 5, engagements: likes + 20, engagement_rate: 0.021 } }, metadata: { file: 'tweet_activity_metrics_bench.csv', line: i + 2, format: 'x-legacy' } };
}
const recs = []; for (let i = 0; i < N; i++) recs.push(post(i, 10));
const dir = mkdtempSync('/tmp/p5-');
const store = await TraceStore.open(dir);
for (let b = 0; b < N; b += 5000) await store.append('posts', recs.slice(b, b + 5000));
const mode = process.argv[2];
for (let rep = 0; rep < 10; rep++) {
  for (let b = 0; b < N; b += 5000) {
    if (mode === 'upsert') await store.upsert('posts', recs.slice(b, b + 5000));
    else await store.append('posts', recs.slice(b, b + 5000));
  }
}
await store.close(); rmSync(dir, { recursive: true });
