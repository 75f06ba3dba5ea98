import { hash } from 'node:crypto';
const N = 100000;
const strs: string[] = [];
for (let i = 0; i < N; i++) strs.push(JSON.stringify({ platform: 'x', post_id: String(1e18 + i), author: 'bench_author', text: `Post number ${i}: a line of text about shipping small tools, with a link https://example.com/${i} #bench`, created_at: '2020-01-01T00:00:00.000Z', url: `https://x.com/bench_author/status/${i}`, is_reply: false, is_repost: false, metrics: { impressions: 1000 + (i % 5000), likes: 10, reposts: i % 13, replies: i % 5, engagements: 30, engagement_rate: 0.021 } }));
const best: Record<string, number> = {};
const time = (name: string, fn: () => void) => { const c = process.cpuUsage(); fn(); const u = process.cpuUsage(c); best[name] = Math.min(best[name] ?? 1e9, (u.user + u.system) / N); };
let s = 0;
for (let rep = 0; rep < 7; rep++) {
  time('sha1hex', () => { for (const x of strs) s += Number.parseInt(hash('sha1', x, 'hex').slice(0, 13), 16); });
  time('sha1buf', () => { for (const x of strs) s += (hash('sha1', x, 'buffer') as Buffer).readUIntBE(0, 6); });
  time('md5buf', () => { for (const x of strs) s += (hash('md5', x, 'buffer') as Buffer).readUIntBE(0, 6); });
  time('fnv2lane', () => { for (const x of strs) { let h1 = 0x811c9dc5, h2 = 0x01000193; for (let i = 0; i < x.length; i++) { const c = x.charCodeAt(i); h1 = Math.imul(h1 ^ c, 0x01000193); h2 = Math.imul(h2 ^ c, 0x5bd1e995); } s += (h1 >>> 0) * 0x100000 + ((h2 >>> 0) & 0xfffff); } });
  time('murmurish', () => { for (const x of strs) { let h1 = 0x9747b28c, h2 = 0x1b873593; const n = x.length; let i = 0; for (; i + 1 < n; i += 2) { const k = x.charCodeAt(i) | (x.charCodeAt(i + 1) << 16); h1 = Math.imul(h1 ^ k, 0xcc9e2d51); h1 = (h1 << 13) | (h1 >>> 19); h2 = Math.imul(h2 ^ k, 0x85ebca6b) + h1 | 0; } if (i < n) h1 ^= x.charCodeAt(i); h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b); h2 = Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35); s += (h1 >>> 0) * 0x100000 + ((h2 >>> 0) & 0xfffff); } });
}
console.log(Object.fromEntries(Object.entries(best).map(([k, v]) => [k, v.toFixed(2)])), s > 0);
