import { PostDataSchema } from '@reer/core';
import { randomUUID } from 'node:crypto';
const N = 300000;
const posts = [];
for (let i = 0; i < N; i++) posts.push({ platform: 'x', post_id: String(1200000000000000000n + BigInt(i)), author: 'rOpenSci', text: 'the quick brown fox jumps over the lazy dog #rstats https://t.co/abc '+i, created_at: '2019-01-31T23:32:00.000Z', url: 'https://twitter.com/rOpenSci/status/1', is_reply: false, is_repost: false, metrics: { impressions: 100+i, likes: 3, reposts: 1, replies: 0, clicks: 2, profile_visits: 1, follows: 0, engagements: 7, engagement_rate: 0.07 } });
let t = performance.now();
for (const p of posts) { const r = PostDataSchema.safeParse(p); if (!r.success) throw 1; }
console.log('zod us/row', ((performance.now() - t) * 1000 / N).toFixed(2));
t = performance.now(); let L = 0;
for (const p of posts) { L += JSON.stringify({ id: randomUUID(), timestamp: new Date().toISOString(), type: 'post', source: 'x-legacy', data: p, metadata: { file: '/x/y.csv', line: 3, format: 'x-legacy' } }).length; }
console.log('stringify+uuid us/row', ((performance.now() - t) * 1000 / N).toFixed(2));
t = performance.now();
const d = new Date('2019-01-31T23:32:00Z');
for (let i=0;i<N;i++) { Date.parse('2019-01-31T23:32:00Z'); }
console.log('date.parse us/row', ((performance.now() - t) * 1000 / N).toFixed(2));
