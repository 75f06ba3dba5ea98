import { type Platform, errorMessage } from '@reer/core';
import type { LanguageModel } from '@reer/lm-registry';
import type { Metric, MetricResult } from './program-adapter.ts';

/**
 * What the metric needs from `@reer/scorer`'s `CandidateScorer` (structurally, so this package
 * does not depend on the scorer's internals).
 */
export interface PostScorer {
  score(candidate: { text: string; platform: Platform }): {
    score: number;
    valid: boolean;
    violations: readonly { rule: string; reason: string; hard: boolean }[];
    contributions: readonly { feature: string; value: number; effect: number }[];
    explanation: string;
  };
}

export interface VoiceJudge<Example> {
  lm: LanguageModel;
  /** Share of the score given to the voice rating; the scorer gets the rest. */
  weight: number;
  /** The author's own posts the judge compares against. */
  samplesOf(example: Example): readonly string[];
}

export interface PostMetricOptions<Example> {
  scorer: PostScorer;
  platformOf(example: Example): Platform;
  /** The author's post that performed for this example's brief, quoted in the feedback. */
  referenceOf?(example: Example): string | undefined;
  judge?: VoiceJudge<Example>;
}

const MAX_REFERENCE_CHARS = 600;

/**
 * A GEPA metric for generated posts: the score is the scorer's (0 for a post that breaks a hard
 * platform rule), optionally blended with an LLM judge's rating of the author's voice; the
 * feedback spells out the broken rules ("too_long: 312/280 weighted"), what raised and lowered the
 * score, and the post that actually performed for the brief. Objectives: engagement, validity and,
 * with a judge, voice.
 */
export function createPostMetric<Example>(options: PostMetricOptions<Example>): Metric<Example, string> {
  return async (example, post): Promise<MetricResult> => {
    const platform = options.platformOf(example);
    const text = post.trim();
    if (text.length === 0) {
      return { score: 0, feedback: 'The program produced an empty post.', objectives: { engagement: 0, validity: 0, ...(options.judge ? { voice: 0 } : {}) } };
    }
    const scored = options.scorer.score({ text, platform });
    const lines: string[] = [];
    const hard = scored.violations.filter((v) => v.hard);
    const soft = scored.violations.filter((v) => !v.hard);
    if (hard.length > 0) lines.push(`Breaks ${platform} rules, so it scores 0: ${hard.map((v) => v.reason).join('; ')}.`);
    if (soft.length > 0) lines.push(`Advice: ${soft.map((v) => v.reason).join('; ')}.`);
    lines.push(scored.explanation);
    const reference = options.referenceOf?.(example);
    if (reference) {
      const quoted = reference.length > MAX_REFERENCE_CHARS ? `${reference.slice(0, MAX_REFERENCE_CHARS)}…` : reference;
      const refScore = options.scorer.score({ text: reference, platform });
      lines.push(`The author's own post for this brief, which performed well (scores ${refScore.score.toFixed(2)}): «${quoted}»`);
    }
    const objectives: Record<string, number> = { engagement: scored.score, validity: scored.valid ? 1 : 0 };
    let score = scored.score;
    if (options.judge) {
      const voice = await judgeVoice(options.judge, text, options.judge.samplesOf(example));
      objectives.voice = voice.rating;
      lines.push(`Voice: ${voice.note}`);
      score = scored.valid ? (1 - options.judge.weight) * scored.score + options.judge.weight * voice.rating : 0;
    }
    return { score, feedback: lines.join('\n'), objectives };
  };
}

/** Ask the judge how close the post is to the author's voice: a rating in [0, 1] and one reason. */
export async function judgeVoice(judge: { lm: LanguageModel }, post: string, samples: readonly string[]): Promise<{ rating: number; note: string }> {
  const reply = await judge.lm.chat({
    messages: [
      {
        role: 'system',
        content:
          "You compare a draft social media post with an author's own posts and judge only whether it sounds like them: " +
          'tone, sentence length, vocabulary, emoji and hashtag habits, how they address readers. Ignore the topic.',
      },
      {
        role: 'user',
        content:
          `The author's posts:\n${samples.map((s, i) => `${i + 1}. ${s}`).join('\n')}\n\nThe draft:\n${post}\n\n` +
          'Answer on two lines: `rating: N` with N from 0 (not their voice) to 10 (indistinguishable), then `why: ` and one sentence.',
      },
    ],
    temperature: 0,
    maxTokens: 120,
  });
  const rating = /rating\s*[:=]\s*(\d+(?:\.\d+)?)/i.exec(reply.text);
  const why = /why\s*:\s*(.+)/i.exec(reply.text)?.[1]?.trim();
  if (!rating) return { rating: 0, note: `the voice judge gave no rating (${errorMessage(reply.text.slice(0, 80))})` };
  const value = Math.min(10, Math.max(0, Number(rating[1]))) / 10;
  return { rating: value, note: `${(value * 10).toFixed(0)}/10${why ? ` — ${why}` : ''}` };
}
