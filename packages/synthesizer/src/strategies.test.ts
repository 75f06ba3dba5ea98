import { describe, expect, it } from 'vitest';
import { postKey, type PostData, type TraceData } from '@reer/core';
import { bootstrapLogLift } from './_stats.ts';
import { selectExemplars } from './exemplars.ts';
import { clusterByStructure, mineStrategies, type ScoredPost } from './strategies.ts';
import { postStructure, type PostStructure } from './structure.ts';

const base: PostStructure = { hook: 'none', format: 'statement', tone: 'neutral', length: 'short', cta: false, link: false };

function scored(id: string, engagement: number, structure: Partial<PostStructure> = {}, extra: Partial<PostData> = {}): ScoredPost {
  return {
    post: { platform: 'x', post_id: id, author: 'demo', text: `post ${id}`, created_at: '2024-01-01T10:00:00.000Z', is_reply: false, is_repost: false, metrics: {}, ...extra },
    engagement,
    structure: { ...base, ...structure },
  };
}

const options = { minClusterSize: 3, minTimeSamples: 4, bootstrapSamples: 500, confidence: 0.95, seed: 0 };

describe('clusterByStructure', () => {
  it('groups equal structures and backs off to coarser keys for small groups', () => {
    const items = [
      ...['a', 'b', 'c'].map((id) => scored(id, 1, { format: 'list', hook: 'number', length: 'medium', tone: 'positive' })),
      // Two list posts with another tone: too few alone, so they join a coarser list cluster with a third.
      scored('d', 1, { format: 'list', hook: 'number', length: 'medium', tone: 'negative' }),
      scored('e', 1, { format: 'list', hook: 'number', length: 'medium', tone: 'neutral' }),
      scored('f', 1, { format: 'list', hook: 'number', length: 'long', tone: 'neutral' }),
      scored('g', 1, { format: 'thread' }),
    ];
    const clusters = clusterByStructure(items, 3);
    expect(clusters.map((c) => [c.key, c.members.map((m) => m.post.post_id)])).toEqual([
      ['format=list,hook=number,length=medium,tone=positive', ['a', 'b', 'c']],
      ['format=list,hook=number', ['d', 'e', 'f']],
    ]);
  });
});

describe('bootstrapLogLift', () => {
  it('gives exp of the mean difference with an interval around it, the same for the same seed', () => {
    const group = [1, 1.2, 0.8, 1.1];
    const baseline = [0, 0.1, -0.1, 0.2, -0.2, 0];
    const lift = bootstrapLogLift(group, baseline, { samples: 1000, confidence: 0.95, seed: 3 });
    expect(lift.estimate).toBeCloseTo(Math.exp(1.025), 10);
    expect(lift.low).toBeLessThan(lift.estimate);
    expect(lift.high).toBeGreaterThan(lift.estimate);
    expect(lift.n).toBe(4);
    expect(bootstrapLogLift(group, baseline, { samples: 1000, confidence: 0.95, seed: 3 })).toEqual(lift);
  });
});

describe('mineStrategies', () => {
  const winners = ['w1', 'w2', 'w3', 'w4'].map((id, i) => scored(id, 2 + i * 0.1, { format: 'announcement', hook: 'bold_claim', length: 'long', tone: 'excited', link: true, cta: true }));
  const rest = Array.from({ length: 20 }, (_, i) => scored(`r${i}`, i % 2 === 0 ? -0.5 : 0.5));
  const posts = [...winners, ...rest];
  const exemplars = new Set(winners.map((w) => postKey(w.post)));

  it('turns a cluster of exemplars into a strategy with lift over the author baseline', () => {
    const [strategy, ...others] = mineStrategies({ posts, exemplars, traces: new Map(), runId: 'r1', minedAt: '2024-02-01T00:00:00.000Z' }, options);
    expect(others).toEqual([]);
    expect(strategy).toMatchObject({
      strategy_id: 'x:demo:format-announcement-hook-bold-claim-length-long-tone-excited',
      name: 'Announcement with bold-claim hook, long, excited',
      platform: 'x',
      author: 'demo',
      example_post_ids: ['w4', 'w3', 'w2', 'w1'],
      mode: 'heuristic',
      exemplar_count: 4,
      run_id: 'r1',
      features: { format: 'announcement', hook: 'bold_claim', length: 'long', tone: 'excited', cta: true, link: true },
    });
    const baselineMean = posts.reduce((s, p) => s + p.engagement, 0) / posts.length;
    expect(strategy?.lift.estimate).toBeCloseTo(Math.exp(2.15 - baselineMean), 10);
    expect(strategy?.lift.n).toBe(4);
    expect(strategy?.lift.low).toBeGreaterThan(1);
    expect(strategy?.brief).toMatch(/Announce one concrete thing/);
    expect(strategy?.brief).toMatch(/call to action/);
  });

  it('reports best times only for slots with enough posts', () => {
    const [few] = mineStrategies({ posts, exemplars, traces: new Map(), runId: 'r', minedAt: '2024-02-01T00:00:00.000Z' }, { ...options, minTimeSamples: 5 });
    expect(few?.best_times).toBeUndefined();
    const timed = winners.map((w, i) => ({ ...w, post: { ...w.post, created_at: `2024-01-0${1 + (i % 2) * 2}T${i < 2 ? '09' : '18'}:00:00.000Z` } }));
    const [s] = mineStrategies({ posts: [...timed, ...rest], exemplars, traces: new Map(), runId: 'r', minedAt: '2024-02-01T00:00:00.000Z' }, { ...options, minTimeSamples: 2 });
    expect(s?.best_times?.every((t) => t.n >= 2)).toBe(true);
    expect(s?.best_times?.[0]).toMatchObject({ hour: 18, n: 2 });
  });

  it('uses the best non-leaking REER plan and the queries of the cluster', () => {
    const trace = (post: ScoredPost, score: number, flagged = false): TraceData => ({
      post_key: postKey(post.post),
      platform: 'x',
      post_id: post.post.post_id,
      author: 'demo',
      metrics: {},
      engagement: post.engagement,
      query: `brief for ${post.post.post_id}`,
      query_source: 'lm',
      post_text: post.post.text,
      trajectory: 'x',
      segments: [`Plan step one of ${post.post.post_id}. More words.`, 'Step two.'],
      initial_score: 1,
      final_score: score,
      history: [],
      leak: { flagged, overlap: flagged ? 0.9 : 0 },
      models: { generator: 'g', scorer: 's' },
      mode: 'reer',
    });
    const traces = new Map<string, TraceData>(winners.map((w, i) => [postKey(w.post), trace(w, 0.5 + i / 10, i === 0)]));
    const [s] = mineStrategies({ posts, exemplars, traces, runId: 'r', minedAt: '2024-02-01T00:00:00.000Z' }, options);
    // w1 leaks (excluded); w2 has the lowest remaining score.
    expect(s?.mode).toBe('reer');
    expect(s?.plan).toEqual(['Plan step one of w2.', 'Step two.']);
    expect(s?.example_post_ids).not.toContain('w1');
    expect(s?.when_to_use).toContain('brief for w4');
  });
});

describe('selectExemplars', () => {
  const posts = [
    scored('a', 3),
    scored('b', 1),
    scored('c', 2),
    scored('d', 5, {}, { is_reply: true }),
    scored('e', 4, {}, { is_repost: true }),
    scored('f', 9, {}, { author: 'other' }),
  ];

  it('takes the top-k originals per author, best first', () => {
    const ids = selectExemplars(posts, { topK: 2 }).map((p) => `${p.post.author}/${p.post.post_id}`);
    expect(ids).toEqual(['demo/a', 'demo/c', 'other/f']);
  });

  it('takes a top quantile (at least one post)', () => {
    expect(selectExemplars(posts, { topQuantile: 0.5 }).map((p) => p.post.post_id)).toEqual(['a', 'c', 'f']);
    expect(selectExemplars(posts, { topQuantile: 0.01 }).map((p) => p.post.post_id)).toEqual(['a', 'f']);
  });

  it('rejects a bad selection', () => {
    expect(() => selectExemplars(posts, { topK: 0 })).toThrow(/top-k/);
    expect(() => selectExemplars(posts, { topQuantile: 1.5 })).toThrow(/top-quantile/);
  });
});

describe('postStructure', () => {
  it.each([
    ["We're excited to announce version 2.0! Read more: https://example.org", { format: 'announcement', tone: 'excited', link: true, cta: true }],
    ['How do you test your code?', { format: 'question', hook: 'question' }],
    ['Three tips:\n- one\n- two\n- three', { format: 'list' }],
    ['A thread 🧵 on caching (1/5)', { format: 'thread' }],
    ['Slides from the talk https://example.org/slides', { format: 'link_share', length: 'short' }],
  ])('%s', (text, expected) => {
    expect(postStructure(text)).toMatchObject(expected);
  });
});
