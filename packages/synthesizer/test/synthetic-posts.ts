import type { PostData } from '@reer/core';

/** Deterministic PRNG for fixtures. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOPICS = ['mapping', 'parsing', 'plotting', 'testing', 'caching', 'geocoding', 'scraping', 'modelling'];

/** Post shapes with different typical engagement: announcements with a link do best. */
const SHAPES = [
  {
    weight: 3,
    likes: 40,
    text: (t: string, i: number) => `We're excited to announce version ${i}.0 of our ${t} package! It is faster and easier to use. Read the release notes: https://example.org/blog/${t}-${i}`,
  },
  { weight: 2, likes: 15, text: (t: string) => `How do you handle ${t} in your projects? We are collecting examples for a tutorial.` },
  { weight: 2, likes: 8, text: (t: string) => `Some notes on ${t} from this week's community call, with thanks to all who joined.` },
  { weight: 1, likes: 12, text: (t: string) => `Three tips for ${t}:\n- start small\n- write tests\n- share your code` },
] as const;

/** `n` original posts (plus a few replies and reposts) by one author on X, spread over two years. */
export function syntheticPosts(n: number, seed = 1, author = 'demo'): PostData[] {
  const random = rng(seed);
  const total = SHAPES.reduce((s, x) => s + x.weight, 0);
  const start = Date.UTC(2021, 0, 4, 9);
  const posts: PostData[] = [];
  for (let i = 0; i < n; i++) {
    const pick = random() * total;
    let cumulative = 0;
    const shape =
      SHAPES.find((s) => {
        cumulative += s.weight;
        return pick < cumulative;
      }) ?? SHAPES[0];
    const topic = TOPICS[Math.floor(random() * TOPICS.length)] as string;
    const likes = Math.round(shape.likes * (0.5 + random()));
    const impressions = 1000 + Math.round(random() * 1000);
    posts.push({
      platform: 'x',
      post_id: String(1000 + i),
      author,
      text: shape.text(topic, i),
      created_at: new Date(start + i * 3 * 86_400_000 + Math.floor(random() * 10) * 3_600_000).toISOString(),
      is_reply: false,
      is_repost: i % 17 === 16,
      metrics: { impressions, likes, replies: Math.round(likes / 5), reposts: Math.round(likes / 4) },
    });
  }
  posts.push({ platform: 'x', post_id: '999', author, text: '@someone thanks!', created_at: new Date(start).toISOString(), is_reply: true, is_repost: false, metrics: { likes: 500 } });
  return posts;
}

/** A plain ranker for tests: log of weighted engagement per thousand impressions. */
export function testEngagement(posts: readonly PostData[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of posts) {
    const m = p.metrics;
    const weighted = 3 * (m.likes ?? 0) + 5 * (m.replies ?? 0) + 4 * (m.reposts ?? 0);
    out.set(`${p.platform}:${p.post_id}`, Math.log1p((1000 * weighted) / (m.impressions ?? 1000)));
  }
  return out;
}
