import type { Platform } from '@reer/core';
import {
  analyzeTextFingerprints,
  checkPlatformRules,
  FingerprintMap,
  pairH1,
  pairH2,
  tokenFingerprint,
  type PlatformRuleOptions,
  type RuleViolation,
  type TextFeatures,
} from '@reer/heuristics';
import { HEURISTIC_SIGNALS, parseScorerConfig, sweetSpotFor, weightsFor, type HeuristicSignal, type ScorerConfig } from './config.ts';
import { DENSE_COUNT, DENSE_FEATURES, denseFeatures } from './_vectorize.ts';
import { writeHeuristicSignals } from './heuristic-layer.ts';
import { squash, type EngagementModel } from './model.ts';

/** A post to score. */
export interface Candidate {
  text: string;
  platform: Platform;
  /** When it would be posted (ISO 8601); lets the model use time of day. */
  created_at?: string;
}

/**
 * One thing that moved the score. `effect` is its share of the distance between this score and a
 * typical post's 0.5 (effects of all features sum to about `score - 0.5` for a valid post).
 */
export interface Contribution {
  /** A heuristic signal (`hook`), a model feature (`log_length`) or a word (`word:webinar`). */
  feature: string;
  value: number;
  effect: number;
  /** The feature in words, as the explanation uses it ("no link", "the words \"webinar\""). */
  label: string;
}

export interface ScoreResult {
  /** In [0, 1]; 0 for an invalid candidate, so it ranks below every valid one. */
  score: number;
  valid: boolean;
  violations: RuleViolation[];
  features: TextFeatures;
  /** Largest effects first. */
  contributions: Contribution[];
  /** The contributions in words. */
  explanation: string;
  /** Each layer's own score in [0, 1]; `model` is null when no learned model applies. */
  layers: { heuristic: number; model: number | null; blend_weight: number };
}

export interface RankedCandidate<C extends Candidate = Candidate> {
  candidate: C;
  result: ScoreResult;
  /** 1 is best. */
  rank: number;
}

const SIGNAL_WORDS: Readonly<Record<HeuristicSignal, string>> = {
  length_fit: 'length for the platform',
  hook: 'an opening hook',
  question_hook: 'opening with a question',
  cta: 'a call to action',
  line_breaks: 'line breaks',
  emoji: 'emoji use',
  hashtags: 'hashtag use',
  links: 'a link',
  mentions: 'mentions',
  readability: 'readability',
  sentiment: 'tone',
  list: 'list structure',
  thread: 'thread structure',
  reply: 'reading as a reply',
  shouting: 'capital letters',
};
const TERMS_SHOWN = 4;
const MIN_EFFECT = 0.002;

interface CompiledModel {
  model: EngagementModel;
  /** Intercept minus the mean effect of every word (absent words then cost nothing). */
  base: number;
  denseWeight: Float64Array;
  denseMean: Float64Array;
  /**
   * Terms by the fingerprint of the word, or of the word pair (from its words' fingerprints): the
   * tokenizer's fingerprints look terms up without a string per token. A value is
   * `2 × (term index + 1) + (1 when the word starts a pair term)`; a word that only starts pairs
   * has term index -1.
   */
  termIndex: FingerprintMap;
  termWeight: Float64Array;
  /** Each term's `feature` and `label` in a contribution, built once. */
  termFeature: string[];
  termLabel: string[];
  /** The call that last counted each term: a term counts once per post without a Set. */
  termStamp: Int32Array;
  /** d(final score)/d(prediction) at the typical post, to express effects in score points. */
  slope: number;
}

function compile(model: EngagementModel): CompiledModel {
  let base = model.intercept;
  const termIndex = new FingerprintMap(2 * model.terms.length);
  const termWeight: number[] = [];
  const termFeature: string[] = [];
  const termLabel: string[] = [];
  for (const [term, weight, mean] of model.terms) {
    base -= weight * mean;
    if (weight === 0) continue;
    const index = termWeight.length;
    termWeight.push(weight);
    termFeature.push(`word:${term}`);
    termLabel.push(`${term.includes(' ') ? 'the words' : 'the word'} "${term}"`);
    // Tokens never contain spaces, so a space separates the words of a pair.
    const space = term.indexOf(' ');
    if (space === -1) {
      const [h1, h2] = tokenFingerprint(term);
      termIndex.set(h1, h2, 2 * (index + 1) + (termIndex.get(h1, h2, 0) & 1));
      continue;
    }
    const [a1, a2] = tokenFingerprint(term.slice(0, space));
    const [b1, b2] = tokenFingerprint(term.slice(space + 1));
    termIndex.set(pairH1(a1, b1), pairH2(a2, b2), 2 * (index + 1));
    termIndex.set(a1, a2, termIndex.get(a1, a2, 0) | 1);
  }
  const denseWeight = new Float64Array(DENSE_COUNT);
  const denseMean = new Float64Array(DENSE_COUNT);
  for (let c = 0; c < DENSE_COUNT; c++) {
    const d = model.dense[c];
    if (!d) continue;
    denseWeight[c] = d.weight * d.inv_std;
    denseMean[c] = d.mean;
  }
  return {
    model,
    base,
    denseWeight,
    denseMean,
    termIndex,
    termWeight: Float64Array.from(termWeight),
    termFeature,
    termLabel,
    termStamp: new Int32Array(termWeight.length),
    slope: model.prediction.std === 0 ? 0 : 1.7 / model.prediction.std };
}

/**
 * `x.toFixed(2)` for 0 ≤ x < 1e6, without its cost (a few of these per candidate showed in profiles).
 * x·100 is within 1e-8 of the exact product there, so rounding it gives toFixed's digits unless the
 * product lies within that of a half, where toFixed itself decides.
 */
export function fixed2(x: number): string {
  if (!(x >= 0 && x < 1e6)) return x.toFixed(2);
  const scaled = x * 100;
  const floor = Math.floor(scaled);
  const fraction = scaled - floor;
  if (fraction > 0.4999999 && fraction < 0.5000001) return x.toFixed(2);
  const n = fraction >= 0.5 ? floor + 1 : floor;
  const cents = n % 100;
  return `${(n - cents) / 100}.${cents < 10 ? '0' : ''}${cents}`;
}

function signed(effect: number): string {
  return `${effect >= 0 ? '+' : '−'}${fixed2(Math.abs(effect))}`;
}

/**
 * Scores candidate posts for a platform. The transparent heuristic layer always runs; an
 * engagement model fit on the author's history (see `fitEngagementModel`) joins it for its own
 * platform, weighted by how well it ranked held-out posts in cross-validation.
 */
export class CandidateScorer {
  readonly config: ScorerConfig;
  private readonly compiled: CompiledModel | null;
  private readonly weightCache = new Map<Platform, Float64Array>();
  private readonly signals = new Float64Array(HEURISTIC_SIGNALS.length);
  private stamp = 0;
  private readonly rules: PlatformRuleOptions;
  private readonly dense = new Float64Array(DENSE_COUNT);
  private readonly deltas = new Float64Array(DENSE_COUNT);
  private readonly topTerms = new Int32Array(TERMS_SHOWN);

  /**
   * @param config the `scorer:` config section (parsed or raw); defaults when omitted.
   * @param model a fitted engagement model, or null for the heuristic layer alone.
   * @param rules platform rule options, e.g. `{ limit: 25_000 }` for X long posts.
   */
  constructor(config?: ScorerConfig | unknown, model?: EngagementModel | null, rules: PlatformRuleOptions = {}) {
    this.config = parseScorerConfig(config ?? {});
    this.compiled = model ? compile(model) : null;
    // Bulk scoring needs the verdict, not the exact count, for posts far below the limit.
    this.rules = { exactLength: false, ...rules };
  }

  /** The learned model in use, if any. */
  get model(): EngagementModel | null {
    return this.compiled?.model ?? null;
  }

  private weights(platform: Platform): Float64Array {
    let w = this.weightCache.get(platform);
    if (!w) {
      const named = weightsFor(this.config, platform);
      w = Float64Array.from(HEURISTIC_SIGNALS, (s) => named[s]);
      this.weightCache.set(platform, w);
    }
    return w;
  }

  score(candidate: Candidate): ScoreResult {
    const { text, platform } = candidate;
    // Analysis first: the rule check then reuses its counts of the same text.
    const { features, fingerprints } = analyzeTextFingerprints(text);
    const check = checkPlatformRules(text, platform, this.rules);
    const signals = this.signals;
    writeHeuristicSignals(features, check.length, sweetSpotFor(this.config, platform), signals);
    const weights = this.weights(platform);
    let logit = 0;
    for (let s = 0; s < signals.length; s++) logit += signals[s]! * weights[s]!;
    const h = 1 / (1 + Math.exp(-logit));
    const contributions: Contribution[] = [];

    const compiled = this.compiled && this.compiled.model.platform === platform ? this.compiled : null;
    let m: number | null = null;
    let beta = 0;
    if (compiled) {
      beta = compiled.model.cv.blend_weight;
      const dense = this.dense;
      denseFeatures(features, candidate.created_at, dense);
      const deltas = this.deltas;
      let prediction = compiled.base;
      for (let c = 0; c < DENSE_COUNT; c++) {
        const x = dense[c]!;
        // No date: the time features sit at their mean and have no effect.
        const delta = Number.isNaN(x) ? 0 : (x - compiled.denseMean[c]!) * compiled.denseWeight[c]!;
        deltas[c] = delta;
        prediction += delta;
      }
      // Terms count once per post, as in training.
      this.stamp = (this.stamp % 0x7ffffffe) + 1;
      const stamp = this.stamp;
      const { termWeight, termStamp, termIndex } = compiled;
      const { count, h1, h2 } = fingerprints;
      // The strongest terms, largest |weight| first, earlier first among equals (a stable top-k).
      const top = this.topTerms;
      let shown = 0;
      for (let i = 0; i < count; i++) {
        const a1 = h1[i]!;
        const a2 = h2[i]!;
        const word = termIndex.get(a1, a2, 0);
        for (let pair = 0; pair < 2; pair++) {
          let entry = word;
          if (pair === 1) {
            // Only words that start a pair term can start one.
            if ((word & 1) === 0 || i + 1 === count) break;
            entry = termIndex.get(pairH1(a1, h1[i + 1]!), pairH2(a2, h2[i + 1]!), 0);
          }
          const index = (entry >> 1) - 1;
          if (index === -1 || termStamp[index] === stamp) continue;
          termStamp[index] = stamp;
          const weight = termWeight[index]!;
          prediction += weight;
          const size = Math.abs(weight);
          let at = shown < TERMS_SHOWN ? shown++ : TERMS_SHOWN;
          while (at > 0 && Math.abs(termWeight[top[at - 1]!]!) < size) {
            if (at < TERMS_SHOWN) top[at] = top[at - 1]!;
            at--;
          }
          if (at < TERMS_SHOWN) top[at] = index;
        }
      }
      const terms: Contribution[] = [];
      for (let k = 0; k < shown; k++) {
        const index = top[k]!;
        terms.push({ feature: compiled.termFeature[index]!, value: 1, effect: termWeight[index]!, label: compiled.termLabel[index]! });
      }
      // The model learned from originals only; a reply gets the author's own reply offset.
      const replyOffset = features.is_reply ? (compiled.model.reply_offset ?? 0) : 0;
      if (replyOffset !== 0) {
        prediction += replyOffset;
        terms.push({ feature: 'reply', value: 1, effect: replyOffset, label: 'reading as a reply' });
      }
      m = squash(prediction, compiled.model.prediction);
      // Secant slope from the typical post: effects add up to this layer's share of score − 0.5.
      const change = prediction - compiled.model.prediction.mean;
      const slope = Math.abs(change) > 1e-9 ? (beta * (m - 0.5)) / change : beta * compiled.slope * 0.25;
      for (let c = 0; c < DENSE_COUNT; c++) {
        const effect = deltas[c]! * slope;
        if (Math.abs(effect) < MIN_EFFECT) continue;
        const [feature, more, less] = DENSE_FEATURES[c]!;
        const x = dense[c]!;
        contributions.push({ feature, value: x, effect, label: x >= compiled.denseMean[c]! ? more : less });
      }
      for (const t of terms) {
        t.effect *= slope;
        if (Math.abs(t.effect) >= MIN_EFFECT) contributions.push(t);
      }
    }
    const heuristicSlope = Math.abs(logit) > 1e-9 ? ((1 - beta) * (h - 0.5)) / logit : (1 - beta) * 0.25;
    for (let s = 0; s < signals.length; s++) {
      const effect = signals[s]! * weights[s]! * heuristicSlope;
      if (Math.abs(effect) < MIN_EFFECT) continue;
      const feature = HEURISTIC_SIGNALS[s]!;
      contributions.push({ feature, value: signals[s]!, effect, label: SIGNAL_WORDS[feature] });
    }
    sortByEffect(contributions);
    const blended = m === null ? h : (1 - beta) * h + beta * m;
    const score = check.valid ? blended : 0;
    return {
      score,
      valid: check.valid,
      violations: check.violations,
      features,
      contributions,
      explanation: explain(score, blended, check.valid, check.violations, contributions, m !== null),
      layers: { heuristic: h, model: m, blend_weight: beta },
    };
  }

  /** Score every candidate and order them: valid before invalid, then by score; ties keep input order. */
  rank<C extends Candidate>(candidates: readonly C[]): RankedCandidate<C>[] {
    const scored = candidates.map((candidate, index) => ({ candidate, result: this.score(candidate), index }));
    scored.sort((a, b) => Number(b.result.valid) - Number(a.result.valid) || b.result.score - a.result.score || a.index - b.index);
    return scored.map(({ candidate, result }, i) => ({ candidate, result, rank: i + 1 }));
  }
}


function byEffect(a: Contribution, b: Contribution): number {
  return Math.abs(b.effect) - Math.abs(a.effect);
}

/**
 * `contributions.sort(byEffect)` for a few finite effects: an insertion sort, stable like
 * Array.prototype.sort, so the order is the same (and it costs far less on ~15 items). Any
 * non-finite effect makes byEffect inconsistent, and then Array.prototype.sort decides.
 */
function sortByEffect(contributions: Contribution[]): void {
  for (const c of contributions) {
    if (!Number.isFinite(c.effect)) {
      contributions.sort(byEffect);
      return;
    }
  }
  for (let i = 1; i < contributions.length; i++) {
    const item = contributions[i]!;
    const size = Math.abs(item.effect);
    let at = i;
    while (at > 0 && Math.abs(contributions[at - 1]!.effect) < size) {
      contributions[at] = contributions[at - 1]!;
      at--;
    }
    contributions[at] = item;
  }
}

/** Up to three contributions in one direction, in words: `a link (+0.04), emoji use (+0.01)`. */
function listed(contributions: readonly Contribution[], sign: 1 | -1): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < contributions.length && n < 3; i++) {
    const c = contributions[i]!;
    if (sign > 0 ? c.effect > 0 : c.effect < 0) {
      out += `${n === 0 ? '' : ', '}${c.label} (${signed(c.effect)})`;
      n++;
    }
  }
  return out;
}

function reasons(violations: readonly RuleViolation[], hard: boolean): string {
  let out = '';
  for (const v of violations) if (v.hard === hard) out += `${out === '' ? '' : '; '}${v.reason}`;
  return out;
}

function explain(score: number, blended: number, valid: boolean, violations: readonly RuleViolation[], contributions: readonly Contribution[], learned: boolean): string {
  let out = valid
    ? `Score ${fixed2(score)} (0.5 is a typical post${learned ? ' for you' : ''}; ${learned ? 'heuristics and the model learned from your history' : 'heuristics only'}).`
    : `Invalid (${reasons(violations, true)}): ranked below every valid post; it would score ${fixed2(blended)} once fixed.`;
  const up = listed(contributions, 1);
  if (up !== '') out += ` Raised by ${up}.`;
  const down = listed(contributions, -1);
  if (down !== '') out += ` Lowered by ${down}.`;
  const soft = reasons(violations, false);
  if (soft !== '') out += ` Advice: ${soft}.`;
  return out;
}
