import { prepareRecord } from './src/record-codec.ts';
import { PostDataSchema } from '@reer/core';
const N = 100000;
function post(i: number, likes: number) {
  const id = String(1_100_000_000_000_000_000n + BigInt(i));
  return { type: 'post' as const, source: 'bench:x-legacy', data: { platform: 'x', post_id: id, author: 'bench_author', text: `Post number ${i}: a line of text about shipping small tools, with a link https://example.com/${i} #bench`, created_at: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(), url: `https://x.com/bench_author/status/${id}`, is_reply: i % 7 === 0, is_repost: false, metrics: { impressions: 1000 + (i % 5000), likes, reposts: i % 13, replies: i % 5, engagements: likes + 20, engagement_rate: 0.021 } }, metadata: { file: 'tweet_activity_metrics_bench.csv', line: i + 2, format: 'x-legacy' } };
}
for (let rep = 0; rep < 2; rep++) {
let t = performance.now();
const recs = []; for (let i = 0; i < N; i++) recs.push(post(i, 10));
console.log('gen', ((performance.now() - t) * 1000 / N).toFixed(2));
t = performance.now();
for (const r of recs) PostDataSchema.safeParse(r.data);
console.log('zod', ((performance.now() - t) * 1000 / N).toFixed(2));
t = performance.now();
for (const r of recs) JSON.stringify(r.data);
console.log('stringify', ((performance.now() - t) * 1000 / N).toFixed(2));
const now = new Date().toISOString();
t = performance.now();
const p = recs.map((r, i) => prepareRecord('posts', i, r, now));
console.log('prepare', ((performance.now() - t) * 1000 / N).toFixed(2));
t = performance.now();
for (const r of p) Buffer.byteLength(r.line);
console.log('bytelen', ((performance.now() - t) * 1000 / N).toFixed(2));
t = performance.now();
const b = Buffer.from(p.map(r => r.line).join('\n'));
console.log('buf', ((performance.now() - t) * 1000 / N).toFixed(2));
}
