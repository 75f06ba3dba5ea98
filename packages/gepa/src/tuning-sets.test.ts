import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostData, TraceData } from '@reer/core';
import { describe, expect, it } from 'vitest';
import { buildTuningSets, deriveBrief, readTuningExamples, splitByTime } from './tuning-sets.ts';

const post = (id: number, text: string, likes: number): PostData => ({
  platform: 'x',
  post_id: String(id),
  author: 'ada',
  text,
  created_at: new Date(Date.UTC(2025, 0, id)).toISOString(),
  is_reply: false,
  is_repost: false,
  metrics: { likes, impressions: 1000 },
});

describe('buildTuningSets', () => {
  const posts = Array.from({ length: 10 }, (_, i) => post(i + 1, `Post number ${i + 1} is about testing R packages well. https://x.y #rstats`, i * 10));
  const trace = {
    post_key: 'x:2',
    platform: 'x',
    post_id: '2',
    author: 'ada',
    query: 'announce the testthat release to R users',
    post_text: posts[1]!.text,
    engagement: 0.01,
  } as TraceData;

  it('uses trace queries as briefs, adds the better half of the other posts, validation latest', () => {
    const sets = buildTuningSets({ posts, traces: [trace], engagementOf: (p) => p.metrics.likes ?? null, valFraction: 0.3 });
    expect(sets.fromTraces).toBe(1);
    // Posts 5..10 reach the median (likes 40); post 2 comes from its trace.
    expect(sets.derived).toBe(6);
    const all = [...sets.train, ...sets.val];
    expect(all.find((e) => e.post_key === 'x:2')?.brief).toBe('announce the testthat release to R users');
    expect(all.find((e) => e.post_key === 'x:2')?.created_at).toBe(posts[1]!.created_at);
    const lastTrain = sets.train.at(-1)!.created_at!;
    for (const v of sets.val) expect(v.created_at! > lastTrain).toBe(true);
    expect(sets.val).toHaveLength(3);
  });

  it('caps each set at its latest examples', () => {
    const sets = buildTuningSets({ posts, traces: [], engagementOf: () => 1, valFraction: 0.5, maxTrain: 2, maxVal: 1 });
    expect(sets.train.map((e) => e.post_key)).toEqual(['x:4', 'x:5']);
    expect(sets.val.map((e) => e.post_key)).toEqual(['x:10']);
  });

  it('needs at least two examples', () => {
    expect(() => splitByTime([{ brief: 'b', post: 'p', platform: 'x' }])).toThrow(/at least 2/);
  });
});

describe('deriveBrief', () => {
  it('keeps the opening sentence without links, mentions or hashtags', () => {
    expect(deriveBrief('New release of testthat is out today! Details: https://a.b #rstats @hadley')).toBe(
      'Write a post about: New release of testthat is out today',
    );
  });
});

describe('readTuningExamples', () => {
  it('reads JSONL and names the line and field of a bad example', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gepa-sets-'));
    try {
      const file = join(dir, 'train.jsonl');
      writeFileSync(file, '{"brief":"b","post":"p","platform":"x"}\n\n{"brief":"b","platform":"x"}\n');
      expect(() => readTuningExamples(file)).toThrow(/train\.jsonl:3: post/);
      writeFileSync(file, '{"brief":"b","post":"p","platform":"x"}\n');
      expect(readTuningExamples(file)).toEqual([{ brief: 'b', post: 'p', platform: 'x', brief_source: 'file' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
