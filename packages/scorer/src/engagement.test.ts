import { describe, expect, it } from 'vitest';
import { postKey, type PostData } from '@reer/core';
import { syntheticHistory } from '../test/synthetic.ts';
import { engagementOf, periodNormalizedEngagement, weightedEngagement } from './engagement.ts';
import { spearman } from './stats.ts';

describe('engagementOf', () => {
  it.each([
    ['per thousand impressions', { impressions: 1000, likes: 10, replies: 2, reposts: 1 }, Math.log1p(30 + 10 + 4)],
    ['bookmarks and shares weigh 5', { impressions: 2000, bookmarks: 2, shares: 2 }, Math.log1p((1000 * 20) / 2000)],
    ['likes only, no impressions', { likes: 9 }, Math.log1p(27)],
    ['zero impressions falls back to counts', { impressions: 0, likes: 1 }, Math.log1p(3)],
    ['zero engagement', { impressions: 500, likes: 0 }, 0],
  ])('%s', (_name, metrics, expected) => {
    expect(engagementOf({ metrics })).toBeCloseTo(expected, 12);
  });

  it('is null without engagement metrics (impressions alone are not engagement)', () => {
    expect(engagementOf({ metrics: { impressions: 100 } })).toBeNull();
    expect(weightedEngagement({})).toBeNull();
  });

  it('normalizes by reach: the same rate scores the same at any audience size', () => {
    expect(engagementOf({ metrics: { impressions: 100, likes: 1 } })).toBeCloseTo(engagementOf({ metrics: { impressions: 10_000, likes: 100 } }) ?? 0, 12);
  });
});

describe('periodNormalizedEngagement', () => {
  it('removes follower growth: raw engagement trends with time, the normalized one does not', () => {
    const posts = syntheticHistory(400, 5, { webinar: 0, question: 0, link: 0, noise: 0.3 }).map(
      (p, i): PostData => ({ ...p, metrics: { likes: Math.round((p.metrics.likes ?? 0) * (1 + i / 40)) } }),
    );
    const originals = posts.filter((p) => !p.is_reply);
    const time = originals.map((p) => Date.parse(p.created_at));
    const raw = originals.map((p) => engagementOf(p) ?? 0);
    const normalized = periodNormalizedEngagement(posts);
    const detrended = originals.map((p) => normalized.get(postKey(p)) ?? Number.NaN);
    expect(spearman(time, raw)).toBeGreaterThan(0.8);
    expect(Math.abs(spearman(time, detrended))).toBeLessThan(0.15);
  });

  it('keeps the planted signal while removing the trend', () => {
    const posts = syntheticHistory(400, 5);
    const normalized = periodNormalizedEngagement(posts);
    const originals = posts.filter((p) => !p.is_reply);
    const webinar = originals.map((p) => (p.text.includes('webinar') ? 1 : 0));
    expect(spearman(webinar, originals.map((p) => normalized.get(postKey(p)) ?? 0))).toBeGreaterThan(0.3);
  });

  it('leaves out replies, reposts and posts without metrics', () => {
    const [a, b] = syntheticHistory(2, 1);
    const map = periodNormalizedEngagement([
      { ...a!, is_reply: true },
      { ...b!, is_repost: true },
      { ...a!, post_id: 'x1', is_reply: false, metrics: {} },
    ]);
    expect(map.size).toBe(0);
  });

  it('is the difference from the median of the neighbours', () => {
    const base = syntheticHistory(1, 1)[0]!;
    const posts = [1, 2, 3, 10].map((likes, i) => ({
      ...base,
      is_reply: false,
      post_id: String(i),
      created_at: new Date(Date.parse('2024-01-01T00:00:00.000Z') + i * 86_400_000).toISOString(),
      metrics: { likes },
    }));
    const map = periodNormalizedEngagement(posts, { windowDays: 30, minNeighbours: 2 });
    // Post 3 (10 likes): neighbours have 1, 2, 3 likes → median engagement log1p(6).
    expect(map.get('x:3')).toBeCloseTo(Math.log1p(30) - Math.log1p(6), 12);
  });
});
