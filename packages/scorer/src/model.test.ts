import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isReerError } from '@reer/core';
import { DEFAULT_SIGNAL, lengthOnlyHistory, syntheticHistory } from '../test/synthetic.ts';
import { CandidateScorer } from './candidate-scorer.ts';
import { parseScorerConfig } from './config.ts';
import { engagementOf } from './engagement.ts';
import { EngagementModelSchema, fitEngagementModel, type EngagementModel } from './model.ts';
import { spearman } from './stats.ts';
import { loadEngagementModel, saveEngagementModel } from './model-store.ts';

const NOW = () => new Date('2024-06-01T00:00:00.000Z');

function fitted(posts = syntheticHistory(600, 3)): EngagementModel {
  const fit = fitEngagementModel(posts, { now: NOW });
  if (fit.status !== 'fitted') throw new Error(`expected a fit, got: ${fit.reason}`);
  return fit.model;
}

describe('fitEngagementModel on a planted signal', () => {
  const model = fitted();
  const term = (t: string) => model.terms.find(([name]) => name === t)?.[1] ?? 0;
  const dense = (name: string) => model.dense.find((d) => d.name === name)?.weight ?? 0;

  it('recovers the planted word as the strongest positive word', () => {
    const positive = [...model.terms].sort((a, b) => b[1] - a[1]);
    expect(positive[0]?.[0]).toBe('webinar');
    expect(term('webinar')).toBeGreaterThan(0.3);
  });

  it('recovers the planted question bonus and link penalty with the right signs', () => {
    expect(dense('question')).toBeGreaterThan(0.05);
    expect(dense('links') + term('<url>') * 0.5).toBeLessThan(-0.05);
  });

  it('reports real cross-validated quality and trusts the model in the blend', () => {
    expect(model.cv.spearman).toBeGreaterThan(0.5);
    expect(model.cv.pairwise_accuracy).toBeGreaterThan(0.65);
    expect(model.cv.blend_weight).toBeGreaterThan(0.5);
    expect(model.cv.lambdas.map((l) => l.lambda)).toContain(model.cv.lambda);
  });

  it('fits originals only and records what it was fit on', () => {
    const posts = syntheticHistory(600, 3);
    expect(model.fit.posts).toBe(posts.filter((p) => !p.is_reply).length);
    expect(model.fitted_at).toBe('2024-06-01T00:00:00.000Z');
    expect(model.platform).toBe('x');
    expect(model.fit.first_created_at <= model.fit.last_created_at).toBe(true);
  });

  it('ranks unseen posts with the planted word above those without', () => {
    const scorer = new CandidateScorer({}, model);
    const base = 'Release notes for the new package version and the docs update today';
    const withWord = scorer.score({ text: `${base} webinar`, platform: 'x' });
    const without = scorer.score({ text: `${base} meeting`, platform: 'x' });
    expect(withWord.score).toBeGreaterThan(without.score);
    expect(withWord.contributions.some((c) => c.feature === 'word:webinar' && c.effect > 0)).toBe(true);
    expect(withWord.explanation).toContain('"webinar"');
  });

  it('finds nothing to learn in pure noise', () => {
    const noise = fitted(syntheticHistory(400, 9, { webinar: 0, question: 0, link: 0, noise: 0.5 }));
    expect(Math.abs(noise.cv.spearman)).toBeLessThan(0.2);
    expect(noise.cv.blend_weight).toBeLessThan(model.cv.blend_weight);
  });
});

describe('a history with no signal beyond length', () => {
  // Fresh posts of the same kind, to rank with each fitted model.
  const fresh = lengthOnlyHistory(300, 99);
  const lengths = fresh.map((p) => p.text.length);
  const truth = fresh.map((p) => engagementOf(p) ?? 0);
  const modelLayer = (model: EngagementModel) => {
    const scorer = new CandidateScorer({}, model);
    return fresh.map((p) => scorer.score({ text: p.text, platform: p.platform, created_at: p.created_at }).layers.model ?? Number.NaN);
  };

  it('keeps the length effect under the heaviest penalty: the model falls back to ranking by length', () => {
    const config = parseScorerConfig({ model: { lambdas: [100_000] } });
    for (const seed of [1, 2, 3]) {
      const fit = fitEngagementModel(lengthOnlyHistory(150, seed), { config });
      if (fit.status !== 'fitted') throw new Error(fit.reason);
      expect(fit.model.fit.unpenalized).toEqual(['log_length']);
      expect(fit.model.dense.find((d) => d.name === 'log_length')?.weight).toBeGreaterThan(0.3);
      expect(Math.max(...fit.model.terms.map(([, w]) => Math.abs(w)))).toBeLessThan(0.01);
      expect(spearman(modelLayer(fit.model), lengths)).toBeGreaterThan(0.99);
    }
  });

  it('with the default penalties, ranks fresh posts as well as length does, and by length', () => {
    const lengthRho = spearman(lengths, truth);
    for (const seed of [1, 2, 3, 4]) {
      const fit = fitEngagementModel(lengthOnlyHistory(200, seed));
      if (fit.status !== 'fitted') throw new Error(fit.reason);
      const scores = modelLayer(fit.model);
      expect(spearman(scores, lengths)).toBeGreaterThan(0.97);
      expect(spearman(scores, truth)).toBeGreaterThan(lengthRho - 0.02);
    }
  });
});

describe('too little history', () => {
  it.each([
    ['few posts', syntheticHistory(30, 1), /28 original x posts with engagement metrics; the model needs at least 40/],
    ['replies only', syntheticHistory(200, 1).map((p) => ({ ...p, is_reply: true })), /no original posts/],
    ['no metrics', syntheticHistory(200, 1).map((p) => ({ ...p, metrics: {} })), /no original posts/],
  ])('%s', (_name, posts, reason) => {
    const fit = fitEngagementModel(posts);
    expect(fit.status).toBe('insufficient');
    if (fit.status === 'insufficient') expect(fit.reason).toMatch(reason);
  });

  it('honours min_posts from the config', () => {
    const config = parseScorerConfig({ model: { min_posts: 20 } });
    expect(fitEngagementModel(syntheticHistory(30, 1), { config }).status).toBe('fitted');
  });
});

describe('serialization', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('round-trips through engagement-model.json with identical scores', async () => {
    dir = await mkdtemp(join(tmpdir(), 'reer-model-'));
    const file = join(dir, 'models', 'engagement-model.json');
    const model = fitted();
    await saveEngagementModel(file, model);
    const loaded = await loadEngagementModel(file);
    expect(loaded).toEqual(model);
    expect(EngagementModelSchema.parse(JSON.parse(await readFile(file, 'utf8')))).toEqual(model);
    const a = new CandidateScorer({}, model);
    const b = new CandidateScorer({}, loaded);
    for (const text of ['Join our webinar? https://example.org', 'Weekly notes.', '@bob thanks']) {
      expect(b.score({ text, platform: 'x' })).toEqual(a.score({ text, platform: 'x' }));
    }
  });

  it('returns null for a missing file and rejects a damaged one with a hint', async () => {
    dir = await mkdtemp(join(tmpdir(), 'reer-model-'));
    expect(await loadEngagementModel(join(dir, 'none.json'))).toBeNull();
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ format: 'reer-engagement-model', version: 1 }));
    const error = await loadEngagementModel(bad).catch((e: unknown) => e);
    expect(isReerError(error, 'E_SCHEMA')).toBe(true);
    if (isReerError(error)) {
      expect(error.message).toContain('bad.json');
      expect(error.hint).toMatch(/social-eval fit/);
    }
    await writeFile(bad, '{not json');
    await expect(loadEngagementModel(bad)).rejects.toThrow(/not JSON/);
  });
});

it('the planted signal defaults are what the tests assume', () => {
  expect(DEFAULT_SIGNAL.webinar).toBeGreaterThan(0);
  expect(DEFAULT_SIGNAL.link).toBeLessThan(0);
});

describe('reply offset', () => {
  it('learns how the author’s replies do and applies it to candidates that read as replies', () => {
    const posts = syntheticHistory(500, 6).map((p) =>
      p.is_reply ? { ...p, metrics: { ...p.metrics, likes: (p.metrics.likes ?? 0) * 4, replies: (p.metrics.replies ?? 0) * 4, reposts: (p.metrics.reposts ?? 0) * 4 } } : p,
    );
    const fit = fitEngagementModel(posts);
    if (fit.status !== 'fitted') throw new Error(fit.reason);
    expect(fit.model.reply_offset).toBeGreaterThan(0.8);
    const scorer = new CandidateScorer({}, fit.model);
    const text = 'Release notes for the new package version are out today';
    const reply = scorer.score({ text: `@bob ${text}`, platform: 'x' });
    expect(reply.layers.model).toBeGreaterThan(scorer.score({ text, platform: 'x' }).layers.model ?? 1);
    expect(reply.contributions.some((c) => c.feature === 'reply' && c.label === 'reading as a reply')).toBe(true);
  });

  it('is null without enough replies', () => {
    const fit = fitEngagementModel(syntheticHistory(300, 6).filter((p) => !p.is_reply));
    expect(fit.status === 'fitted' && fit.model.reply_offset).toBeNull();
  });
});
