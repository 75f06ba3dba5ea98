import { hashString } from './src/record-codec.ts';
import { createHash } from 'node:crypto';
const N = 100000;
const strs: string[] = [];
for (let i = 0; i < N; i++) strs.push(JSON.stringify({ platform: 'x', post_id: String(1e18 + i), author: 'bench_author', text: `Post number ${i}: a line of text about shipping small tools, with a link https://example.com/${i} #bench`, created_at: '2020-01-01T00:00:00.000Z', url: `https://x.com/bench_author/status/${i}`, is_reply: false, is_repost: false, metrics: { impressions: 1000 + (i % 5000), likes: 10, reposts: i % 13, replies: i % 5, engagements: 30, engagement_rate: 0.021 } }));
console.log('len', strs[0]!.length);
for (let rep = 0; rep < 3; rep++) {
let t = performance.now(); let s = 0;
for (const x of strs) s += hashString(x);
console.log('fnv2', ((performance.now() - t) * 1000 / N).toFixed(2));
t = performance.now();
for (const x of strs) createHash('sha1').update(x).digest('latin1');
console.log('sha1', ((performance.now() - t) * 1000 / N).toFixed(2));
t = performance.now();
for (const x of strs) createHash('md5').update(x).digest('base64');
console.log('md5', ((performance.now() - t) * 1000 / N).toFixed(2));
t = performance.now();
for (let i = 0; i < N; i++) crypto.randomUUID();
console.log('uuid', ((performance.now() - t) * 1000 / N).toFixed(2));
const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const ids = Array.from({length: N}, () => crypto.randomUUID());
t = performance.now();
for (const id of ids) re.test(id);
console.log('re', ((performance.now() - t) * 1000 / N).toFixed(2));
}
const { hash } = await import('node:crypto') as unknown as { hash: (alg: string, s: string, enc: string) => string };
for (let rep = 0; rep < 3; rep++) {
  let t = performance.now();
  for (const x of strs) hash('md5', x, 'base64');
  console.log('hash md5 oneshot', ((performance.now() - t) * 1000 / N).toFixed(2));
  t = performance.now();
  for (const x of strs) hash('sha1', x, 'base64');
  console.log('hash sha1 oneshot', ((performance.now() - t) * 1000 / N).toFixed(2));
  t = performance.now();
  let s = 0;
  for (const x of strs) { let h = 0x811c9dc5 | 0; const n = x.length; for (let i = 0; i < n; i++) h = Math.imul(h ^ x.charCodeAt(i), 16777619); s += h; }
  console.log('fnv1 single', ((performance.now() - t) * 1000 / N).toFixed(2));
}
