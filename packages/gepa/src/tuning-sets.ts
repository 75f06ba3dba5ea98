import { readFileSync } from 'node:fs';
import { type Platform, PlatformSchema, type PostData, ReerError, type TraceData, formatZodIssues, postKey } from '@reer/core';
import { z } from 'zod';

/** One tuning example: a brief and the author's post that performed for it. */
export const TuningExampleSchema = z
  .object({
    brief: z.string().min(1),
    post: z.string().min(1),
    platform: PlatformSchema,
    created_at: z.iso.datetime({ offset: false }).optional(),
    post_key: z.string().optional(),
    engagement: z.number().nullable().optional(),
    /** Where the brief came from: a REER trace's query, or derived from the post itself. */
    brief_source: z.enum(['trace', 'derived', 'file']).optional(),
  })
  .strict();
export type TuningExample = z.infer<typeof TuningExampleSchema>;

export interface TuningSets {
  train: TuningExample[];
  val: TuningExample[];
  /** Examples built from REER traces, and from posts with a derived brief. */
  fromTraces: number;
  derived: number;
}

export interface BuildTuningSetsOptions {
  posts: readonly PostData[];
  traces: readonly TraceData[];
  /** Reach-normalized engagement of a post (higher is better); null when unknown. */
  engagementOf(post: PostData): number | null;
  platform?: Platform;
  /** Share of examples, the latest, used for validation. @default 0.3 */
  valFraction?: number;
  /** @default 60 */
  maxTrain?: number;
  /** @default 30 */
  maxVal?: number;
}

const URL_RE = /https?:\/\/\S+/g;

/**
 * A brief for a post without a REER trace: its opening sentence, without links, mentions and
 * hashtags, as "what the post should be about". Short on purpose: the program must not be handed
 * the post to copy.
 */
export function deriveBrief(text: string): string {
  const clean = text.replace(URL_RE, '').replace(/[@#][\w-]+/g, '').replace(/\s+/g, ' ').trim();
  const first = /^(.{20,}?[.!?])(\s|$)/.exec(clean)?.[1] ?? clean;
  const words = first.split(' ').slice(0, 16).join(' ');
  return `Write a post about: ${words.replace(/[.!?:,;]+$/, '')}`;
}

/**
 * Train and validation sets from the author's history: every REER trace (its query is the brief),
 * plus the original posts that performed at least as well as the median post and have no trace
 * (brief derived from the post). Sorted by time; the latest `valFraction` is validation, so
 * validation is always later than train. Each set keeps its latest examples up to its cap.
 */
export function buildTuningSets(options: BuildTuningSetsOptions): TuningSets {
  const posts = options.posts.filter((p) => (!options.platform || p.platform === options.platform) && !p.is_reply && !p.is_repost && p.text.trim().length > 0);
  const byKey = new Map(posts.map((p) => [postKey(p), p]));
  const examples: TuningExample[] = [];
  const traced = new Set<string>();
  for (const t of options.traces) {
    if (options.platform && t.platform !== options.platform) continue;
    if (!t.query.trim() || !t.post_text.trim()) continue;
    traced.add(t.post_key);
    const created = t.created_at ?? byKey.get(t.post_key)?.created_at;
    examples.push({
      brief: t.query.trim(),
      post: t.post_text,
      platform: t.platform,
      post_key: t.post_key,
      engagement: t.engagement,
      brief_source: 'trace',
      ...(created ? { created_at: created } : {}),
    });
  }
  const fromTraces = examples.length;
  const scored = posts.map((p) => ({ p, e: options.engagementOf(p) })).filter((x): x is { p: PostData; e: number } => x.e !== null);
  const sorted = scored.map((x) => x.e).sort((a, b) => a - b);
  const median = sorted.length === 0 ? 0 : (sorted[Math.floor((sorted.length - 1) / 2)] as number);
  for (const { p, e } of scored) {
    const key = postKey(p);
    if (traced.has(key) || e < median) continue;
    examples.push({ brief: deriveBrief(p.text), post: p.text, platform: p.platform, created_at: p.created_at, post_key: key, engagement: e, brief_source: 'derived' });
  }
  return { ...splitByTime(examples, options), fromTraces, derived: examples.length - fromTraces };
}

/** Oldest first (undated examples count as oldest); the latest share is validation. */
export function splitByTime(
  examples: readonly TuningExample[],
  options: { valFraction?: number; maxTrain?: number; maxVal?: number } = {},
): { train: TuningExample[]; val: TuningExample[] } {
  if (examples.length < 2) {
    throw new ReerError('E_INSUFFICIENT_DATA', `only ${examples.length} tuning example(s) in the history; at least 2 are needed`, {
      hint: 'Ingest more posts (`social-collect ingest`), mine REER traces (`social-reer mine`), or pass --train and --val files.',
    });
  }
  const ordered = examples
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.created_at ?? '').localeCompare(b.e.created_at ?? '') || a.i - b.i)
    .map((x) => x.e);
  const valCount = Math.min(ordered.length - 1, Math.max(1, Math.ceil(ordered.length * (options.valFraction ?? 0.3))));
  const train = ordered.slice(0, ordered.length - valCount);
  const val = ordered.slice(ordered.length - valCount);
  return { train: train.slice(-(options.maxTrain ?? 60)), val: val.slice(-(options.maxVal ?? 30)) };
}

/** Read examples from a JSONL file; every bad line is reported with its number and field. */
export function readTuningExamples(file: string): TuningExample[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ReerError('E_INPUT_NOT_FOUND', `${file}: cannot read the examples file`, { hint: 'Check the path given to --train or --val.', cause });
  }
  const out: TuningExample[] = [];
  text.split('\n').forEach((line, n) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ReerError('E_INPUT_FORMAT', `${file}:${n + 1}: not valid JSON`, { hint: 'Each line must be one JSON object: {"brief": …, "post": …, "platform": …}.' });
    }
    const parsed = TuningExampleSchema.safeParse(value);
    if (!parsed.success) {
      throw new ReerError('E_INPUT_FORMAT', `${file}:${n + 1}: ${formatZodIssues(parsed.error).join('; ')}`, {
        hint: 'Each line needs "brief", "post" and "platform"; "created_at" is optional.',
      });
    }
    out.push({ brief_source: 'file', ...parsed.data });
  });
  if (out.length === 0) throw new ReerError('E_INPUT_FORMAT', `${file}: no examples`, { hint: 'Give at least one example per line.' });
  return out;
}
