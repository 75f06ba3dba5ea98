import type { StrategyData } from '@reer/core';

/** A strategy the generator can follow, mined or built in, plus a template for the offline composer. */
export interface GenerationStrategy {
  id: string;
  name: string;
  brief: string;
  whenToUse: string;
  keywords: string[];
  /** Multiplicative lift over the author's baseline (1 = no evidence either way). */
  lift: number;
  /** Lift sample size; 0 for built-ins. */
  sampleSize: number;
  source: 'mined' | 'builtin';
  /** Offline composer template: `{topic}`, `{example_hook}`, `{hashtags}` are filled in. */
  template: string;
}

/**
 * Used when the author has no mined strategies yet. Deliberately few and generic: mined strategies
 * replace them as soon as `social-reer mine` has run.
 */
export const BUILTIN_STRATEGIES: readonly GenerationStrategy[] = [
  {
    id: 'builtin:announcement',
    name: 'Announcement',
    brief: 'Lead with the news in the first line, say who it is for and why it matters now, end with where to find it.',
    whenToUse: 'Releases, launches, events, publications.',
    keywords: ['release', 'launch', 'new', 'announce', 'available', 'version', 'event', 'published'],
    lift: 1,
    sampleSize: 0,
    source: 'builtin',
    template: 'New: {topic}.\n\nWhy it matters: it saves you time and it is ready today. {hashtags}',
  },
  {
    id: 'builtin:how-to-list',
    name: 'How-to list',
    brief: 'Promise a number of concrete tips in the first line, then give them as a short numbered list, one line each.',
    whenToUse: 'Practical advice, tutorials, lessons learned.',
    keywords: ['how', 'tips', 'guide', 'tutorial', 'learn', 'steps', 'ways', 'lessons'],
    lift: 1,
    sampleSize: 0,
    source: 'builtin',
    template: '3 things to know about {topic}:\n\n1. Start small.\n2. Share what you learn.\n3. Ask for feedback early.\n\n{hashtags}',
  },
  {
    id: 'builtin:question-hook',
    name: 'Question hook',
    brief: 'Open with a question the reader has asked themselves, answer it in two sentences, invite replies.',
    whenToUse: 'Opinions, community topics, anything that invites discussion.',
    keywords: ['why', 'question', 'opinion', 'community', 'think', 'favorite'],
    lift: 1,
    sampleSize: 0,
    source: 'builtin',
    template: 'Have you ever wondered about {topic}?\n\nHere is what we found: it is simpler than it looks. What is your experience? {hashtags}',
  },
  {
    id: 'builtin:bold-claim',
    name: 'Bold claim',
    brief: 'State one confident, specific claim in the first line, back it with one concrete fact or example, no hedging.',
    whenToUse: 'Insights, results, data points worth arguing about.',
    keywords: ['results', 'data', 'insight', 'best', 'faster', 'better', 'study', 'research'],
    lift: 1,
    sampleSize: 0,
    source: 'builtin',
    template: '{topic} is worth your attention this week.\n\nOne concrete reason: people who tried it kept using it. {hashtags}',
  },
  {
    id: 'builtin:story',
    name: 'Short story',
    brief: 'Tell a two- or three-sentence story with a person in it, then the one-line lesson.',
    whenToUse: 'Behind the scenes, community spotlights, thank-yous.',
    keywords: ['story', 'thanks', 'community', 'team', 'behind', 'spotlight', 'journey'],
    lift: 1,
    sampleSize: 0,
    source: 'builtin',
    template: 'A year ago we started on {topic}. Today it is something people rely on.\n\nThe lesson: ship, listen, repeat. {hashtags}',
  },
];

const NUMBER_HOOK_TEMPLATE = '3 things about {topic}:\n\n1. What changed.\n2. Why it matters.\n3. How to try it today.\n\n{hashtags}';

/**
 * The offline template closest to a mined strategy's structure. A mined brief tells a model how to
 * write; it is not itself a post, so the offline composer needs a built-in template of that shape.
 */
function templateFor(features: StrategyData['features']): string {
  const byId = (id: string) => (BUILTIN_STRATEGIES.find((s) => s.id === id) as GenerationStrategy).template;
  const format = String(features.format ?? '');
  const hook = String(features.hook ?? '');
  if (format === 'question' || hook === 'question') return byId('builtin:question-hook');
  if (format === 'list' || hook === 'list_promise') return byId('builtin:how-to-list');
  if (hook === 'number') return NUMBER_HOOK_TEMPLATE;
  if (format === 'announcement') return byId('builtin:announcement');
  if (format === 'thread' || format === 'story') return byId('builtin:story');
  return byId('builtin:bold-claim');
}

/** Adapts a mined `strategy` record's data to what the generator needs. */
export function strategyFromRecord(data: StrategyData): GenerationStrategy {
  return {
    id: data.strategy_id,
    name: data.name,
    brief: data.brief,
    whenToUse: data.when_to_use,
    keywords: data.keywords ?? [],
    lift: data.lift.estimate,
    sampleSize: data.lift.n,
    source: 'mined',
    template: typeof data.features.template === 'string' ? data.features.template : templateFor(data.features),
  };
}
