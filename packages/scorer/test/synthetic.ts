// Synthetic post histories with a known, planted signal, for tests and the benchmark.
import { type PostData, seededRandom } from '@reer/core';

export { seededRandom } from '@reer/core';

const FILLER = [
  'release', 'package', 'data', 'team', 'update', 'community', 'docs', 'review', 'project', 'code',
  'testing', 'support', 'version', 'guide', 'notes', 'meeting', 'today', 'weekly', 'new', 'open',
  'source', 'thanks', 'everyone', 'build', 'tools', 'science', 'research', 'workflow', 'cloud', 'api',
];

export interface PlantedSignal {
  /** Log-engagement bonus of the word "webinar". */
  webinar: number;
  /** Bonus of ending the first sentence with a question. */
  question: number;
  /** Bonus (negative: penalty) of containing a link. */
  link: number;
  /** Standard deviation of the unexplained noise. */
  noise: number;
}

export const DEFAULT_SIGNAL: PlantedSignal = { webinar: 0.9, question: 0.5, link: -0.5, noise: 0.3 };

/**
 * `count` original posts over two years (plus 10% replies, which a fit must ignore), with
 * impressions that triple over the period (follower growth) and a like rate driven by the planted
 * signal. Oldest first.
 */
export function syntheticHistory(count: number, seed = 1, signal: PlantedSignal = DEFAULT_SIGNAL): PostData[] {
  const rand = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const start = Date.parse('2022-01-01T00:00:00.000Z');
  const span = 730 * 86_400_000;
  const posts: PostData[] = [];
  for (let i = 0; i < count; i++) {
    const t = i / count;
    const words: string[] = [];
    const n = 6 + Math.floor(rand() * 18);
    for (let k = 0; k < n; k++) words.push(FILLER[Math.floor(rand() * FILLER.length)]!);
    const webinar = rand() < 0.25;
    const question = rand() < 0.3;
    const link = rand() < 0.5;
    if (webinar) words.splice(Math.floor(rand() * words.length), 0, 'webinar');
    let text = words.join(' ');
    text = `${text[0]!.toUpperCase()}${text.slice(1)}${question ? '?' : '.'}`;
    if (link) text += ` https://example.org/p/${i}`;
    const reply = rand() < 0.1;
    if (reply) text = `@someone ${text}`;
    const impressions = Math.round(1000 * (1 + 2 * t) * (0.8 + 0.4 * rand()));
    const logRate = Math.log(0.01) + signal.webinar * Number(webinar) + signal.question * Number(question) + signal.link * Number(link) + signal.noise * gauss();
    const likes = Math.round(impressions * Math.exp(logRate));
    posts.push({
      platform: 'x',
      post_id: String(100_000 + i),
      author: 'synthetic',
      text,
      created_at: new Date(start + t * span + Math.floor(rand() * 86_400_000)).toISOString(),
      is_reply: reply,
      is_repost: false,
      metrics: { impressions, likes, replies: Math.round(likes * 0.1), reposts: Math.round(likes * 0.2) },
    });
  }
  return posts.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/**
 * `count` original posts whose engagement depends on their length alone (log-rate rising with the
 * log of the character count, plus noise), with varied words, questions, links and emoji that carry
 * no signal: a history where nothing beyond length is learnable. Oldest first.
 */
export function lengthOnlyHistory(count: number, seed = 1, noise = 0.6): PostData[] {
  const rand = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const start = Date.parse('2023-01-01T00:00:00.000Z');
  const posts: PostData[] = [];
  for (let i = 0; i < count; i++) {
    const words: string[] = [];
    const n = 2 + Math.floor(rand() * 28);
    for (let k = 0; k < n; k++) words.push(FILLER[Math.floor(rand() * FILLER.length)]!);
    let text = words.join(' ');
    if (rand() < 0.3) text += '?';
    if (rand() < 0.3) text += ' 🎉';
    if (rand() < 0.4) text += ` https://example.org/p/${i}`;
    const impressions = 500 + Math.floor(rand() * 500);
    const logRate = Math.log(0.002) + 0.8 * Math.log(text.length) + noise * gauss();
    const likes = Math.round(impressions * Math.exp(logRate));
    posts.push({
      platform: 'x',
      post_id: String(200_000 + i),
      author: 'synthetic',
      text,
      created_at: new Date(start + i * 86_400_000 + Math.floor(rand() * 86_400_000)).toISOString(),
      is_reply: false,
      is_repost: false,
      metrics: { impressions, likes },
    });
  }
  return posts;
}
