import { PostDataSchema } from '@reer/core';
const N = 50000;
function post(i: number, likes: number) {
  const id = String(1_100_000_000_000_000_000n + BigInt(i));
  return { platform: 'x', post_id: id, author: 'bench_author', text: `Post number ${i}: a line of text about shipping small tools, with a link https://example.com/${i} #bench`, created_at: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(), url: `https://x.com/bench_author/status/${id}`, is_reply: i % 7 === 0, is_repost: false, metrics: { impressions: 1000 + (i % 5000), likes, reposts: i % 13, replies: i % 5, engagements: likes + 20, engagement_rate: 0.021 } };
}
const recs = []; for (let i = 0; i < N; i++) recs.push(post(i, 10));
const parsed = recs.map((r) => PostDataSchema.parse(r));
const best: Record<string, number> = {};
const time = (name: string, fn: () => void) => { const c = process.cpuUsage(); fn(); const u = process.cpuUsage(c); best[name] = Math.min(best[name] ?? 1e9, (u.user + u.system) / N); };
let s = 0;
for (let rep = 0; rep < 7; rep++) {
  time('stringify original', () => { for (const x of recs) s += JSON.stringify(x).length; });
  time('stringify zod output', () => { for (const x of parsed) s += JSON.stringify(x).length; });
  time('zod', () => { for (const x of recs) s += PostDataSchema.safeParse(x).success ? 1 : 0; });
}
console.log(best);
