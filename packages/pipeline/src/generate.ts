import type { AxAIService } from '@ax-llm/ax';
import { ReerError, errorMessage, type Platform, type PostData } from '@reer/core';
import type { TokenUsage } from '@reer/lm-registry';
import type { GenerationStrategy } from './builtin-strategies.ts';
import { collapseNearDuplicates, indexPastPosts } from './dedupe.ts';
import { selectExamples } from './examples.ts';
import { OFFLINE_LM, composeOffline } from './offline-composer.ts';
import { GenerationProgram, buildProgramInputs, shortenPost, type GenerationInputs, type SamplingSettings } from './program.ts';
import { assignStrategies } from './strategies.ts';
import { splitThread } from './thread-split.ts';

/** What the generator needs to know of a platform's rules for one text. */
export interface RuleVerdict {
  valid: boolean;
  /** Human-readable reasons, e.g. `too_long: 312/280 weighted`. */
  violations: string[];
  /** True when the only hard problem is length, which a repair round can fix. */
  tooLong: boolean;
  length: number;
  limit: number;
}

/** A scored candidate as the scorer sees it. */
export interface CandidateVerdict {
  score: number;
  valid: boolean;
  violations: string[];
  explanation: string;
}

/** One candidate's use of an LM: the Ax service its calls go through, and what they cost. */
export interface LmSession {
  ai: AxAIService;
  /** Calls, retries, tokens and cost of this session's calls; null when the LM keeps no account. */
  usage(): CandidateUsage | null;
}

/** An LM the generator can call: its URI for the record, and a fresh session per candidate. */
export interface GeneratorLm {
  uri: string;
  open(): LmSession;
}

/** A generator LM over a bare Ax service (mocks, tests): usage comes from Ax's token counts. */
export function axGeneratorLm(uri: string, ai: AxAIService): GeneratorLm {
  return { uri, open: () => ({ ai, usage: () => null }) };
}

export interface CandidateUsage {
  calls: number;
  retries: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export interface GenerateCandidatesOptions {
  topic: string;
  platform: Platform;
  /** The LMs to spread candidates over; empty → the offline composer. */
  lms: readonly GeneratorLm[];
  /** @default 8 */
  candidates?: number;
  strategies: readonly GenerationStrategy[];
  strategyOverride?: string;
  thread?: boolean;
  numbering?: boolean;
  seed?: number;
  program?: GenerationProgram;
  /** The author's history (all versions resolved, latest wins). */
  posts: readonly PostData[];
  engagementOf: (post: PostData) => number | null;
  checkRules: (text: string) => RuleVerdict;
  measure: (text: string) => number;
  scoreCandidate: (text: string) => CandidateVerdict;
  /** Platform rules in words, as the program's input. */
  rulesText: string;
  /** Repair rounds for a too-long post before it is dropped. @default 2 */
  maxRepairs?: number;
  /** Share of a candidate's word 4-grams found in one past post that counts as copying. @default 0.5 */
  copyThreshold?: number;
  /** Called as each candidate finishes (for progress displays). */
  onProgress?: (done: number, total: number) => void;
}

export interface GeneratedCandidate {
  rank: number | null;
  text: string;
  parts?: string[];
  score: number | null;
  valid: boolean;
  violations: string[];
  /** Strategy id (as stored) and its name (for people). */
  strategy: string;
  strategyName: string;
  lm: string;
  explanation: string;
  temperature: number;
  repairs: number;
  /** Why the candidate was dropped from the ranking (still stored for audit). */
  dropped?: string;
  promptInputs: GenerationInputs;
  usage: CandidateUsage;
}

export interface GenerateCandidatesResult {
  topic: string;
  platform: Platform;
  instruction: string;
  examples: string[];
  /** Ranked: valid first by score, then invalid ones. */
  candidates: GeneratedCandidate[];
  dropped: GeneratedCandidate[];
  usage: CandidateUsage;
  /** Every model candidate was dropped, so the list holds labelled offline-composer candidates. */
  offlineFallback: boolean;
}

/** Sampling temperatures candidates cycle through, for variety without incoherence. */
const TEMPERATURE_LADDER = [0.7, 0.9, 0.8, 1.0, 0.75, 0.95];

const emptyUsage = (): CandidateUsage => ({ calls: 0, retries: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 });

function addUsage(into: CandidateUsage, from: CandidateUsage): void {
  into.calls += from.calls;
  into.retries += from.retries;
  into.input_tokens += from.input_tokens;
  into.output_tokens += from.output_tokens;
  into.cost_usd += from.cost_usd;
}

function fromTokens(tokens: TokenUsage, calls: number): CandidateUsage {
  return { calls, retries: 0, input_tokens: tokens.inputTokens, output_tokens: tokens.outputTokens, cost_usd: 0 };
}

/**
 * Generates, repairs, de-duplicates, scores and ranks candidate posts. Pure over its inputs: the
 * caller loads history and strategies and stores the result (see `runGeneration`).
 */
export async function generateCandidates(options: GenerateCandidatesOptions): Promise<GenerateCandidatesResult> {
  const total = options.candidates ?? 8;
  if (!Number.isInteger(total) || total < 1) {
    throw new ReerError('E_USAGE', `--candidates must be a whole number of at least 1 (got ${total})`);
  }
  const program = options.program ?? new GenerationProgram();
  const examples = selectExamples(options.posts, options.topic, { count: 3, engagementOf: options.engagementOf });
  const assigned = assignStrategies(options.strategies, options.topic, total, options.strategyOverride);
  const offline = options.lms.length === 0;
  const maxRepairs = options.maxRepairs ?? 2;
  let done = 0;

  const makeOne = async (index: number): Promise<GeneratedCandidate> => {
    const strategy = assigned[index] as GenerationStrategy;
    const temperature = TEMPERATURE_LADDER[index % TEMPERATURE_LADDER.length] as number;
    const promptInputs: GenerationInputs = buildProgramInputs({
      topic: options.topic,
      rulesText: options.rulesText,
      strategy,
      examples: examples.map((e) => e.post.text),
      thread: Boolean(options.thread),
    });
    const base = { strategy: strategy.id, strategyName: strategy.name, temperature, promptInputs, repairs: 0 };
    if (offline) {
      const text = composeOffline(options.topic, strategy, examples.map((e) => e.post));
      return finishCandidate({ ...base, text, lm: OFFLINE_LM, usage: emptyUsage() }, options);
    }
    const lm = options.lms[index % options.lms.length] as GeneratorLm;
    const session = lm.open();
    const usage = emptyUsage();
    const settle = () => {
      const accounted = session.usage();
      if (accounted) Object.assign(usage, accounted);
    };
    const sampling: SamplingSettings = {
      temperature,
      maxTokens: tokenBudget(options.checkRules('').limit, Boolean(options.thread)),
      ...(options.seed === undefined ? {} : { seed: options.seed + index }),
    };
    try {
      const out = await program.run(session.ai, promptInputs, sampling, { thread: Boolean(options.thread) });
      addUsage(usage, fromTokens(out.usage, 1));
      let text = out.postText;
      let truncated = out.truncated;
      let parts: string[] | undefined;
      let repairs = 0;
      if (options.thread) {
        // Keep the model's own parts, re-splitting any that break the limit; one part is split whole.
        const limit = options.checkRules('').limit;
        const split = (t: string) => splitThread(t, { limit, measure: options.measure, numbering: false });
        const pieces = (out.threadParts ?? []).length > 1 ? (out.threadParts ?? []).flatMap(split) : split(text);
        parts = options.numbering ? numberParts(pieces, limit, options.measure) : pieces;
      } else {
        let verdict = options.checkRules(text);
        // A draft cut off at the token limit is repaired like a too-long one: ask for a shorter post.
        while (((!verdict.valid && verdict.tooLong) || truncated) && repairs < maxRepairs) {
          repairs++;
          const rule = truncated
            ? `At most ${verdict.limit} (${options.platform} counting); the draft was cut off mid-sentence. Write a complete, shorter version.`
            : `At most ${verdict.limit} (${options.platform} counting); the draft is ${verdict.length}. Cut at least ${verdict.length - verdict.limit}.`;
          const repaired = await shortenPost(session.ai, text, rule, sampling);
          addUsage(usage, fromTokens(repaired.usage, 1));
          text = repaired.text;
          truncated = repaired.truncated;
          verdict = options.checkRules(text);
        }
      }
      settle();
      const candidate = finishCandidate({ ...base, text: parts ? parts.join('\n\n') : text, parts, lm: lm.uri, usage, repairs }, options);
      if (truncated) {
        candidate.valid = false;
        candidate.violations.unshift(`truncated: the model stopped at the ${sampling.maxTokens}-token limit mid-post`);
      }
      return candidate;
    } catch (error: unknown) {
      settle();
      return {
        ...base,
        rank: null,
        text: '',
        score: null,
        valid: false,
        violations: [],
        lm: lm.uri,
        explanation: '',
        dropped: `generation failed: ${errorMessage(error)}`,
        usage,
      };
    } finally {
      options.onProgress?.(++done, total);
    }
  };

  const generated = await Promise.all(Array.from({ length: total }, (_, i) => makeOne(i)));
  if (offline) options.onProgress?.(total, total);
  if (!offline && generated.every((c) => c.dropped?.startsWith('generation failed'))) {
    throw new ReerError('E_PROVIDER', `every candidate failed: ${generated[0]?.dropped ?? 'unknown error'}`, {
      hint: 'Check the LM with `social-run ask --lm <uri> "hello"` and `social-run providers --check`.',
    });
  }

  const kept: GeneratedCandidate[] = [];
  const dropped: GeneratedCandidate[] = generated.filter((c) => c.dropped);
  const pastIndex = indexPastPosts(options.posts);
  const copyThreshold = options.copyThreshold ?? 0.5;
  for (const c of generated) {
    if (c.dropped) continue;
    const copy = pastIndex.overlap(c.text);
    if (copy.share >= copyThreshold) c.dropped = `copies past post ${copy.postId} (${Math.round(copy.share * 100)}% of its 4-grams)`;
    else if (!c.valid) c.dropped = `still invalid after ${c.repairs} repair round(s): ${c.violations.join('; ')}`;
    (c.dropped ? dropped : kept).push(c);
  }

  kept.sort(compareCandidates);
  const { keep, duplicateOf } = collapseNearDuplicates(kept.map((c) => c.text));
  for (const [i, of] of duplicateOf) {
    const c = kept[i] as GeneratedCandidate;
    c.dropped = `near-duplicate of a better candidate (${(kept[of] as GeneratedCandidate).strategyName})`;
    dropped.push(c);
  }
  let ranked = keep.map((i) => kept[i] as GeneratedCandidate);
  // A weak model (a tiny local one) can fail every check. Rather than return nothing, offer the
  // offline composer's posts, labelled as such, next to the model's dropped candidates.
  const offlineFallback = !offline && ranked.length === 0;
  if (offlineFallback) {
    const seen = new Set<string>();
    const composed = assigned
      .filter((strategy) => !seen.has(strategy.id) && seen.add(strategy.id))
      .map((strategy) =>
        finishCandidate(
          {
            strategy: strategy.id,
            strategyName: strategy.name,
            temperature: 0,
            repairs: 0,
            promptInputs: buildProgramInputs({ topic: options.topic, rulesText: options.rulesText, strategy, examples: examples.map((e) => e.post.text) }),
            text: composeOffline(options.topic, strategy, examples.map((e) => e.post)),
            lm: OFFLINE_LM,
            usage: emptyUsage(),
          },
          options,
        ),
      )
      .filter((c) => c.valid)
      .sort(compareCandidates);
    const distinct = collapseNearDuplicates(composed.map((c) => c.text)).keep;
    ranked = distinct.map((i) => composed[i] as GeneratedCandidate);
  }
  ranked.forEach((c, i) => {
    c.rank = i + 1;
  });

  const usage = emptyUsage();
  for (const c of generated) addUsage(usage, c.usage);
  return {
    topic: options.topic,
    platform: options.platform,
    instruction: program.instruction,
    examples: examples.map((e) => e.post.post_id),
    candidates: ranked,
    dropped,
    usage,
    offlineFallback,
  };
}

/**
 * Output tokens for one post: room for the platform's limit (about 2.5 characters a token in the
 * worst case) plus a margin, so a model that rambles is stopped early instead of writing pages
 * that a repair round must cut. A thread gets room for several parts.
 */
export function tokenBudget(limit: number, thread: boolean): number {
  const single = Math.ceil(limit / 2.5) + 32;
  return Math.min(1024, Math.max(96, thread ? single * 4 : single));
}

// Prompt scaffolding a small model sometimes copies into its answer instead of writing a post.
const PROMPT_ECHO = /<\/?(?:identity|input_fields|output_fields|task_definition|formatting_rules)>|wire key|^\s*(?:Post Topic|Platform Rules|Strategy Brief|Author Examples|Draft Post|Length Rule):/im;

/**
 * Numbers thread parts `1/N`, keeping the parts as they are and re-splitting only those the suffix
 * would push over the limit. The suffix width depends on N, so repeat until N is stable.
 */
function numberParts(parts: readonly string[], limit: number, measure: (text: string) => number): string[] {
  let pieces = [...parts];
  for (let round = 0; round < 5; round++) {
    const room = limit - measure(` ${pieces.length}/${pieces.length}`);
    const next = parts.flatMap((p) => (measure(p) <= room ? [p] : splitThread(p, { limit: room, measure })));
    const stable = next.length === pieces.length;
    pieces = next;
    if (stable) break;
  }
  return pieces.map((p, i) => `${p} ${i + 1}/${pieces.length}`);
}

/** Valid before invalid, then by score, then by text for a stable order. */
function compareCandidates(a: GeneratedCandidate, b: GeneratedCandidate): number {
  if (a.valid !== b.valid) return a.valid ? -1 : 1;
  return (b.score ?? 0) - (a.score ?? 0) || a.text.localeCompare(b.text);
}

function finishCandidate(
  partial: Omit<GeneratedCandidate, 'rank' | 'score' | 'valid' | 'violations' | 'explanation' | 'parts'> & { parts?: string[] | undefined },
  options: GenerateCandidatesOptions,
): GeneratedCandidate {
  const { parts, ...rest } = partial;
  const texts = parts ?? [partial.text];
  const verdicts = texts.map((t) => options.checkRules(t));
  const scored = options.scoreCandidate(parts ? (parts[0] ?? '') : partial.text);
  const echoes = PROMPT_ECHO.test(partial.text);
  const violations = [
    ...new Set([
      ...(echoes ? ['echoes_prompt: the model repeated its instructions instead of writing a post'] : []),
      ...verdicts.flatMap((v, i) => v.violations.map((r) => (parts ? `part ${i + 1}: ${r}` : r))),
      ...(parts ? [] : scored.violations),
    ]),
  ];
  const valid = !echoes && verdicts.every((v) => v.valid) && (parts ? true : scored.valid) && partial.text.trim().length > 0;
  return {
    ...rest,
    ...(parts ? { parts } : {}),
    rank: null,
    score: scored.score,
    valid,
    violations: partial.text.trim().length > 0 ? violations : ['empty: the model returned no text'],
    explanation: scored.explanation,
  };
}
