import { describe, expect, it } from 'vitest';
import { configSection, isReerError, loadConfig } from '@reer/core';
import { extractFeatures, platformLength } from '@reer/heuristics';
import { seededRandom, syntheticHistory } from '../test/synthetic.ts';
import { CandidateScorer, fixed2 } from './candidate-scorer.ts';
import { DEFAULT_PLATFORM_WEIGHTS, DEFAULT_WEIGHTS, HEURISTIC_SIGNALS, ScorerConfigSchema, parseScorerConfig, sweetSpotFor, weightsFor } from './config.ts';
import { heuristicSignals, lengthFit } from './heuristic-layer.ts';
import { fitEngagementModel } from './model.ts';

const GOOD = 'How do you keep CI fast as a project grows?\n\nWe cut our build from 20 to 6 minutes. Read how: https://example.org/ci';

describe('the weighted heuristic score', () => {
  it('is sigmoid of the weighted signals, with weights from the config', () => {
    const weights = { ...DEFAULT_WEIGHTS, ...DEFAULT_PLATFORM_WEIGHTS.x, hook: 2, cta: -1 };
    const config = parseScorerConfig({ weights: { x: { hook: 2, cta: -1 } } });
    const result = new CandidateScorer(config).score({ text: GOOD, platform: 'x' });
    const signals = heuristicSignals(extractFeatures(GOOD), platformLength(GOOD, 'x'), sweetSpotFor(config, 'x'));
    const logit = HEURISTIC_SIGNALS.reduce((sum, s) => sum + weights[s] * signals[s], 0);
    expect(weightsFor(config, 'x')).toMatchObject({ hook: 2, cta: -1 });
    expect(result.score).toBeCloseTo(1 / (1 + Math.exp(-logit)), 12);
    expect(result.layers).toEqual({ heuristic: result.score, model: null, blend_weight: 0 });
  });

  it('platform overrides beat the default section, which beats the built-ins', () => {
    const config = parseScorerConfig({ weights: { default: { hook: 1 }, linkedin: { hook: 3 } } });
    expect(weightsFor(config, 'x').hook).toBe(1);
    expect(weightsFor(config, 'linkedin').hook).toBe(3);
    expect(weightsFor(parseScorerConfig({}), 'x').hook).toBe(DEFAULT_WEIGHTS.hook);
  });

  it.each([
    [0, -1],
    [35, 0],
    [70, 1],
    [150, 1],
    [240, 1],
    [360, 0],
    [480, -1],
    [900, -1],
  ])('length fit of %i on x is %d', (length, expected) => {
    expect(lengthFit(length, [70, 240])).toBeCloseTo(expected, 12);
  });

  it('rewards hooks and calls to action and punishes replies and shouting', () => {
    const scorer = new CandidateScorer();
    const score = (text: string) => scorer.score({ text, platform: 'x' }).score;
    expect(score(GOOD)).toBeGreaterThan(score('build times update for the project and some notes about it are here'));
    expect(score(`@someone ${GOOD}`)).toBeLessThan(score(GOOD));
    expect(score(GOOD.toUpperCase())).toBeLessThan(score(GOOD));
  });

  it('explains in words, and effects add up to the distance from a typical post', () => {
    const result = new CandidateScorer().score({ text: GOOD, platform: 'x' });
    const total = result.contributions.reduce((sum, c) => sum + c.effect, 0);
    expect(total).toBeCloseTo(result.score - 0.5, 2);
    expect(result.explanation).toMatch(/^Score 0\.\d\d \(0\.5 is a typical post; heuristics only\)\. Raised by /);
    expect(result.explanation).toContain('opening with a question');
    expect(result.contributions[0]!.label).not.toMatch(/_/);
  });
});

describe('validity and ranking', () => {
  const scorer = new CandidateScorer();

  it('an invalid candidate scores 0, says why, and ranks below every valid one', () => {
    const tooLong = `${GOOD} ${'more words '.repeat(30)}`;
    const result = scorer.score({ text: tooLong, platform: 'x' });
    expect(result.valid).toBe(false);
    expect(result.score).toBe(0);
    expect(result.violations[0]?.reason).toMatch(/^too_long: \d+\/280 weighted$/);
    expect(result.explanation).toMatch(/^Invalid \(too_long: .*would score 0\.\d\d once fixed/);
    const ranked = scorer.rank([
      { text: tooLong, platform: 'x' },
      { text: '@a ok', platform: 'x' },
      { text: GOOD, platform: 'x' },
    ]);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 3]);
    expect(ranked.map((r) => r.candidate.text)).toEqual([GOOD, '@a ok', tooLong]);
  });

  it('keeps input order for equal scores', () => {
    const ranked = scorer.rank([
      { text: 'same text', platform: 'x', id: 'a' },
      { text: 'same text', platform: 'x', id: 'b' },
    ]);
    expect(ranked.map((r) => r.candidate.id)).toEqual(['a', 'b']);
  });

  it('uses a learned model only for its own platform', () => {
    const fit = fitEngagementModel(syntheticHistory(300, 2));
    if (fit.status !== 'fitted') throw new Error(fit.reason);
    const withModel = new CandidateScorer({}, fit.model);
    expect(withModel.score({ text: 'Join the webinar', platform: 'x' }).layers.model).not.toBeNull();
    expect(withModel.score({ text: 'Join the webinar', platform: 'linkedin' }).layers.model).toBeNull();
    const blended = withModel.score({ text: 'Join the webinar', platform: 'x' });
    const { heuristic, model, blend_weight } = blended.layers;
    expect(blended.score).toBeCloseTo((1 - blend_weight) * heuristic + blend_weight * (model ?? 0), 12);
  });
});

describe('config validation', () => {
  it.each([
    [{ weights: { x: { hook: 'high' } } }, /weights\.x\.hook/],
    [{ weights: { myspace: { hook: 1 } } }, /unknown platform/],
    [{ sweet_spot: { x: [300, 100] } }, /first bound/],
    [{ model: { folds: 1 } }, /model\.folds/],
    [{ wieghts: {} }, /wieghts/],
  ])('rejects %j', (section, message) => {
    const config = { raw: { scorer: section }, files: ['test.yaml'] };
    const error = (() => {
      try {
        configSection(config, 'scorer', ScorerConfigSchema);
      } catch (e) {
        return e;
      }
    })();
    expect(isReerError(error, 'E_CONFIG')).toBe(true);
    expect(String((error as Error).message)).toMatch(message);
  });

  it('the shipped config/default.yaml section is valid', () => {
    const config = configSection(loadConfig(), 'scorer', ScorerConfigSchema);
    expect(config.model.min_posts).toBeGreaterThanOrEqual(10);
    expect(weightsFor(config, 'x').reply).toBeLessThan(0);
  });
});

describe('fixed2', () => {
  it('formats as toFixed(2) does, halves and large values included', () => {
    const rand = seededRandom(17);
    const values = [0, -0, 0.005, 0.015, 1.005, 2.675, 0.125, 999_999.995, 1e6, 1e7, Number.NaN, Number.POSITIVE_INFINITY, 5e-324];
    for (let i = 0; i < 20_000; i++) values.push(rand() * 2, rand() * 1e6, (Math.floor(rand() * 1e5) + 0.5) / 100);
    for (const x of values) expect(fixed2(x), String(x)).toBe(x.toFixed(2));
  });
});
