import { postKey, type PostData, type StrategyData, type TraceData } from '@reer/core';
import { bootstrapLogLift, mean } from './_stats.ts';
import { topKeywords } from './keywords.ts';
import { STRUCTURE_LEVELS, structureKey, type PostStructure } from './structure.ts';

/** One of the author's original posts with what strategy mining needs to know about it. */
export interface ScoredPost {
  post: PostData;
  /** Reach-normalized engagement relative to its period, in log space (the exemplar ranking measure). */
  engagement: number;
  structure: PostStructure;
}

export interface StrategyOptions {
  /** @default 3 */
  minClusterSize: number;
  /** @default 8 */
  minTimeSamples: number;
  /** @default 2000 */
  bootstrapSamples: number;
  /** @default 0.95 */
  confidence: number;
  /** @default 0 */
  seed: number;
}

export interface StrategyInput {
  /** All original posts of the authors concerned; grouped by platform and author here. */
  posts: readonly ScoredPost[];
  /** Post keys of the exemplars (the author's best posts) strategies are clustered from. */
  exemplars: ReadonlySet<string>;
  /** Latest trace per post key; leak-flagged ones exclude their post. */
  traces: ReadonlyMap<string, TraceData>;
  runId: string;
  minedAt: string;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

const FORMAT_TEXT: Record<PostStructure['format'], [name: string, instruction: string]> = {
  thread: ['Thread', 'Write it as a thread: a first post that promises the payoff, then numbered follow-ups.'],
  list: ['List post', 'Lay it out as a short list, one item per line.'],
  question: ['Question post', 'Build it around a question to the reader.'],
  announcement: ['Announcement', 'Announce one concrete thing: what is new, who it is for, where to get it.'],
  link_share: ['Link share', 'Share one link with a sentence on why it is worth the click.'],
  statement: ['Statement', 'Make one clear point in plain sentences.'],
};
const HOOK_TEXT: Record<PostStructure['hook'], [name: string, instruction: string]> = {
  none: ['plain opening', 'Open by naming the subject directly.'],
  question: ['question hook', 'Open with a question.'],
  number: ['number hook', 'Open with a concrete number.'],
  you: ['"you" hook', 'Open by speaking to the reader ("you").'],
  bold_claim: ['bold-claim hook', 'Open with a confident claim.'],
  list_promise: ['list-promise hook', 'Open by promising a list ("3 ways…", "Here are…").'],
};
const LENGTH_TEXT: Record<PostStructure['length'], string> = {
  short: 'under 100 characters',
  medium: '100–200 characters',
  long: '200–500 characters',
  longform: 'over 500 characters',
};

/** FNV-1a, so each strategy's bootstrap seed depends on its id, not on the order of clusters. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Assigns exemplars to clusters of equal structure, backing off to coarser keys for small groups. */
export function clusterByStructure<T extends { structure: PostStructure }>(items: readonly T[], minSize: number): { dims: readonly (keyof PostStructure)[]; key: string; members: T[] }[] {
  const clusters: { dims: readonly (keyof PostStructure)[]; key: string; members: T[] }[] = [];
  let remaining = [...items];
  for (const dims of STRUCTURE_LEVELS) {
    const groups = new Map<string, T[]>();
    for (const item of remaining) {
      const key = structureKey(item.structure, dims);
      groups.set(key, [...(groups.get(key) ?? []), item]);
    }
    remaining = [];
    for (const [key, members] of groups) {
      if (members.length >= minSize) clusters.push({ dims, key, members });
      else remaining.push(...members);
    }
  }
  return clusters;
}

function matches(structure: PostStructure, reference: PostStructure, dims: readonly (keyof PostStructure)[]): boolean {
  return dims.every((d) => structure[d] === reference[d]);
}

/** Weekdays and hours (UTC) whose posts beat the strategy's own mean, each backed by `minSamples` posts. */
function bestTimes(posts: readonly ScoredPost[], minSamples: number): NonNullable<StrategyData['best_times']> {
  const overall = mean(posts.map((p) => p.engagement));
  const slots = new Map<string, { day?: string; hour?: number; values: number[] }>();
  for (const p of posts) {
    const date = new Date(p.post.created_at);
    const day = DAYS[date.getUTCDay()] as string;
    const hour = date.getUTCHours();
    for (const [id, slot] of [[`d:${day}`, { day }], [`h:${hour}`, { hour }]] as const) {
      const entry = slots.get(id) ?? { ...slot, values: [] };
      entry.values.push(p.engagement);
      slots.set(id, entry);
    }
  }
  return [...slots.values()]
    .filter((s) => s.values.length >= minSamples)
    .map((s) => ({ ...(s.day ? { day: s.day } : {}), ...(s.hour !== undefined ? { hour: s.hour } : {}), lift: Math.exp(mean(s.values) - overall), n: s.values.length }))
    .filter((s) => s.lift > 1)
    .sort((a, b) => b.lift - a.lift)
    .slice(0, 3);
}

/** The first sentence of each plan segment: a compact plan the generator can follow. */
function planSteps(trace: TraceData): string[] {
  return trace.segments.slice(0, 6).map((segment) => {
    const flat = segment.replace(/\s+/g, ' ').trim();
    const sentence = /^.*?[.!?](?=\s|$)/.exec(flat)?.[0] ?? flat;
    return sentence.length > 200 ? `${sentence.slice(0, 197)}…` : sentence;
  });
}

/**
 * Turns the author's best posts into strategies: clusters of exemplars with the same structure
 * (format, hook, length band, tone; coarser when a group is small), each with a brief, when to use
 * it, examples, its lift over the author's baseline with a bootstrap interval, and best posting
 * times where enough posts support them. Leak-flagged traces exclude their post; a cluster whose
 * whole lift interval lies below 1 is dropped.
 */
export function mineStrategies(input: StrategyInput, options: StrategyOptions): StrategyData[] {
  const groups = new Map<string, ScoredPost[]>();
  for (const p of input.posts) {
    const id = `${p.post.platform}:${p.post.author}`;
    groups.set(id, [...(groups.get(id) ?? []), p]);
  }
  const out: StrategyData[] = [];
  for (const posts of groups.values()) {
    const baseline = posts.map((p) => p.engagement);
    const exemplars = posts.filter((p) => {
      const key = postKey(p.post);
      return input.exemplars.has(key) && !input.traces.get(key)?.leak.flagged;
    });
    for (const cluster of clusterByStructure(exemplars, options.minClusterSize)) {
      const reference = (cluster.members[0] as ScoredPost).structure;
      const matching = posts.filter((p) => matches(p.structure, reference, cluster.dims));
      const first = (cluster.members[0] as ScoredPost).post;
      const strategyId = `${first.platform}:${slug(first.author) || 'author'}:${slug(cluster.key)}`;
      const lift = bootstrapLogLift(
        matching.map((p) => p.engagement),
        baseline,
        { samples: options.bootstrapSamples, confidence: options.confidence, seed: (options.seed + hash(strategyId)) >>> 0 },
      );
      // What the best posts share but the author's other such posts do worse with is no strategy.
      if (lift.high < 1) continue;
      const members = [...cluster.members].sort((a, b) => b.engagement - a.engagement);
      const traces = members.map((m) => input.traces.get(postKey(m.post))).filter((t): t is TraceData => t !== undefined);
      const reerTraces = traces.filter((t) => t.mode === 'reer' && t.final_score !== null && t.segments.length > 0);
      const bestTrace = [...reerTraces].sort((a, b) => (a.final_score as number) - (b.final_score as number))[0];
      const features: Record<string, string | boolean> = {};
      for (const d of cluster.dims) features[d] = reference[d];
      const ctaShare = mean(members.map((m) => (m.structure.cta ? 1 : 0)));
      const linkShare = mean(members.map((m) => (m.structure.link ? 1 : 0)));
      features.cta = ctaShare >= 0.5;
      features.link = linkShare >= 0.5;

      const instructions = [FORMAT_TEXT[reference.format][1]];
      if (cluster.dims.includes('hook')) instructions.push(HOOK_TEXT[reference.hook][1]);
      if (cluster.dims.includes('length')) instructions.push(`Keep it ${LENGTH_TEXT[reference.length]}.`);
      if (cluster.dims.includes('tone')) instructions.push(`Tone: ${reference.tone}.`);
      if (features.cta) instructions.push('End with a clear call to action.');
      if (features.link) instructions.push('Include the link, near the end.');
      const plan = bestTrace ? planSteps(bestTrace) : undefined;
      const brief = plan ? `${instructions.join(' ')}\nPlan the way the author did:\n${plan.map((s) => `- ${s}`).join('\n')}` : instructions.join(' ');

      const queries = traces.map((t) => t.query).filter((q) => q.length > 0);
      const whenToUse = queries.length > 0 ? `For briefs like: ${queries.slice(0, 3).map((q) => `"${q}"`).join('; ')}.` : `When the message fits a ${FORMAT_TEXT[reference.format][0].toLowerCase()}.`;
      const name = [
        FORMAT_TEXT[reference.format][0],
        cluster.dims.includes('hook') ? `with ${HOOK_TEXT[reference.hook][0]}` : '',
        cluster.dims.includes('length') ? `, ${reference.length}` : '',
        cluster.dims.includes('tone') ? `, ${reference.tone}` : '',
      ].join(' ').replace(/ ,/g, ',').replace(/\s+/g, ' ').trim();
      const times = bestTimes(matching, options.minTimeSamples);
      out.push({
        strategy_id: strategyId,
        name,
        brief,
        when_to_use: whenToUse,
        platform: first.platform,
        author: first.author,
        example_post_ids: members.slice(0, 5).map((m) => m.post.post_id),
        lift,
        features,
        ...(times.length > 0 ? { best_times: times } : {}),
        keywords: topKeywords(members.map((m) => m.post.text), 8),
        mode: reerTraces.length > 0 ? 'reer' : 'heuristic',
        ...(plan ? { plan } : {}),
        exemplar_count: members.length,
        run_id: input.runId,
        mined_at: input.minedAt,
      });
    }
  }
  return out.sort((a, b) => b.lift.estimate - a.lift.estimate);
}
