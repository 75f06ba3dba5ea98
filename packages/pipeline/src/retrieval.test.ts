import type { PostData } from '@reer/core';
import { describe, expect, it } from 'vitest';
import { BUILTIN_STRATEGIES, type GenerationStrategy, strategyFromRecord } from './builtin-strategies.ts';
import { collapseNearDuplicates, indexPastPosts } from './dedupe.ts';
import { bm25Scores, selectExamples } from './examples.ts';
import { composeOffline } from './offline-composer.ts';
import { assignStrategies, rankStrategies } from './strategies.ts';

function post(id: string, text: string, likes: number, extra: Partial<PostData> = {}): PostData {
  return {
    platform: 'x',
    post_id: id,
    author: 'me',
    text,
    created_at: '2024-01-01T00:00:00.000Z',
    is_reply: false,
    is_repost: false,
    metrics: { likes },
    ...extra,
  };
}

describe('example retrieval', () => {
  it('ranks documents that share rare query terms first', () => {
    const scores = bm25Scores('package release', ['our new package release is out', 'coffee time', 'package manager tips']);
    expect(scores[0]).toBeGreaterThan(scores[2] ?? 0);
    expect(scores[1]).toBe(0);
  });

  it('picks related, well-performing originals and never replies or reposts', () => {
    const posts = [
      post('1', 'New release of the tidyverse package is on CRAN', 5),
      post('2', 'New release of our data package, with docs', 50),
      post('3', '@someone New release of the package? yes!', 500, { is_reply: true }),
      post('4', 'RT New release package', 900, { is_repost: true }),
      post('5', 'Community call next week about mentoring', 80),
    ];
    const examples = selectExamples(posts, 'package release', { count: 2, engagementOf: (p) => p.metrics.likes ?? null });
    expect(examples.map((e) => e.post.post_id)).toEqual(['2', '1']);
  });

  it('falls back to the best performers when nothing is related', () => {
    const posts = [post('1', 'alpha beta', 1), post('2', 'gamma delta', 10)];
    const examples = selectExamples(posts, 'zebra', { count: 1, engagementOf: (p) => p.metrics.likes ?? null });
    expect(examples[0]?.post.post_id).toBe('2');
  });
});

describe('strategy choice', () => {
  it('prefers the strategy that fits the topic', () => {
    const ranked = rankStrategies(BUILTIN_STRATEGIES, 'announce the new version release');
    expect(ranked[0]?.strategy.id).toBe('builtin:announcement');
  });

  it('lets well-supported lift outrank fit, but not a lift seen on a handful of posts', () => {
    const base: GenerationStrategy = { ...(BUILTIN_STRATEGIES[0] as GenerationStrategy), keywords: [], brief: 'x', name: 'a', whenToUse: '' };
    const lucky = { ...base, id: 'lucky', lift: 5, sampleSize: 2 };
    const proven = { ...base, id: 'proven', lift: 2, sampleSize: 200 };
    expect(rankStrategies([lucky, proven], 'anything')[0]?.strategy.id).toBe('proven');
  });

  it('spreads candidates over several strategies, or uses the override for all', () => {
    const spread = assignStrategies(BUILTIN_STRATEGIES, 'tips on how to learn R', 6);
    expect(new Set(spread.map((s) => s.id)).size).toBeGreaterThan(1);
    const forced = assignStrategies(BUILTIN_STRATEGIES, 'x', 3, 'builtin:story');
    expect(forced.map((s) => s.id)).toEqual(['builtin:story', 'builtin:story', 'builtin:story']);
    expect(() => assignStrategies(BUILTIN_STRATEGIES, 'x', 1, 'nope')).toThrow(/unknown strategy "nope"/);
  });
});

describe('dedupe and copy check', () => {
  it('collapses near-duplicates onto the first of each group', () => {
    const { keep, duplicateOf } = collapseNearDuplicates([
      'We released version 2 of the package today, with faster imports and better docs',
      'Something else entirely about community calls',
      'We released version 2 of the package today, with faster imports and better docs!',
    ]);
    expect(keep).toEqual([0, 1]);
    expect(duplicateOf.get(2)).toBe(0);
  });

  it('finds the past post a candidate copies', () => {
    const index = indexPastPosts([
      { post_id: 'a', text: 'Join us for the community call on reproducible research next Tuesday' },
      { post_id: 'b', text: 'Unrelated text here' },
    ]);
    const copied = index.overlap('Join us for the community call on reproducible research next week');
    expect(copied.postId).toBe('a');
    expect(copied.share).toBeGreaterThan(0.7);
    expect(index.overlap('A fresh post about something new entirely').share).toBe(0);
  });
});

describe('mined strategies', () => {
  it('compose offline from a template of their shape, never from the brief', () => {
    const mined = strategyFromRecord({
      strategy_id: 'x:me:list',
      name: 'List post',
      brief: 'Lay it out as a short list, one item per line.',
      when_to_use: '',
      example_post_ids: [],
      lift: { estimate: 1.3, low: 1.1, high: 1.6, n: 13 },
      features: { format: 'list', hook: 'list_promise' },
    });
    const text = composeOffline('the docs site', mined, []);
    expect(text).not.toContain('Lay it out');
    expect(text).toContain('the docs site');
    expect(text).toMatch(/^1\. /m);
  });
});

describe('offline composer', () => {
  it('fills the template from the topic and the author hashtags', () => {
    const text = composeOffline('our new docs site!', BUILTIN_STRATEGIES[0] as GenerationStrategy, [
      post('1', 'Hello #rstats', 1),
      post('2', 'More #rstats and #opensci', 1),
    ]);
    expect(text).toContain('our new docs site');
    expect(text).toContain('#rstats #opensci');
    expect(text).not.toMatch(/\{\w+\}/);
  });
});
