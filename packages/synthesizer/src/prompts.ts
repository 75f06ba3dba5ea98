import type { ChatMessage } from '@reer/lm-registry';

/**
 * The generator's prompts. Ours, written for social posts; what the method fixes is what each call
 * is given (x and y; for a rewrite, the finalised segments before it and the original ones after)
 * and that a rewrite comes back in a tagged block.
 */

const PLANNER_SYSTEM =
  'You reconstruct the thinking of a social media writer. You write in the first person, as the writer before they wrote the post, looking forward, never as someone reviewing a finished post.';

/** Initial trajectory: a first-person plan that would lead to y, without copying it. */
export function initialTrajectoryMessages(query: string, post: string, platform: string): ChatMessage[] {
  return [
    { role: 'system', content: PLANNER_SYSTEM },
    {
      role: 'user',
      content: [
        `Brief: ${query}`,
        `Platform: ${platform}`,
        'The post the writer ended up publishing (for your eyes only):',
        '"""',
        post,
        '"""',
        '',
        'Write the plan the writer would have thought through before writing it, in several paragraphs separated by blank lines:',
        '1. Intent and reader: who this is for and what they should do or feel.',
        '2. Content: what to say, what to leave out, which detail makes it concrete.',
        '3. Structure: the opening hook, the order, the length, the ending or call to action.',
        'Question yourself as you go ("Hmm, maybe…", "Wait, …") and settle each question.',
        'End with a short outline of the post. Do NOT copy the post or quote more than three words of it in a row.',
        'Write only the plan.',
      ].join('\n'),
    },
  ];
}

export interface RewritePromptInput {
  query: string;
  post: string;
  platform: string;
  /** Segments before the one rewritten, as finalised so far. */
  before: readonly string[];
  segment: string;
  /** Segments after it, as they were. */
  after: readonly string[];
}

export const REWRITE_OPEN = '<rewrite>';
export const REWRITE_CLOSE = '</rewrite>';

/** One rewrite of one segment, returned between `<rewrite>` tags. */
export function rewriteMessages(input: RewritePromptInput): ChatMessage[] {
  const context = [...input.before, '[[SEGMENT TO REWRITE]]', ...input.after].join('\n\n');
  return [
    { role: 'system', content: PLANNER_SYSTEM },
    {
      role: 'user',
      content: [
        `Brief: ${input.query}`,
        `Platform: ${input.platform}`,
        'The post the writer published (for your eyes only):',
        '"""',
        input.post,
        '"""',
        '',
        "The writer's plan, with one paragraph marked:",
        '"""',
        context,
        '"""',
        '',
        'The marked paragraph currently reads:',
        '"""',
        input.segment,
        '"""',
        '',
        'Rewrite only that paragraph so the plan leads more naturally to the post: sharper reasoning about the reader, the content and the structure, in the same first-person voice. Keep it about as long. Do not copy the post.',
        `Answer with the new paragraph only, between ${REWRITE_OPEN} and ${REWRITE_CLOSE}.`,
      ].join('\n'),
    },
  ];
}

/** The rewrite inside the first complete tagged block, or null when there is none or it is empty. */
export function extractRewrite(raw: string): string | null {
  const open = raw.indexOf(REWRITE_OPEN);
  if (open < 0) return null;
  const close = raw.indexOf(REWRITE_CLOSE, open + REWRITE_OPEN.length);
  if (close < 0) return null;
  const body = raw.slice(open + REWRITE_OPEN.length, close).trim();
  return body.length > 0 ? body : null;
}

/** A plan as the generator wrote it, less any think/plan wrapper some models add. */
export function cleanTrajectory(raw: string): string {
  return raw
    .replace(/<\/?(think|plan)>/g, '')
    .replace(/\r\n/g, '\n')
    .trim();
}

/** The query x behind a post, written by the generator. */
export function queryMessages(post: string, platform: string): ChatMessage[] {
  return [
    { role: 'system', content: 'You write short briefs that a social media writer could be handed.' },
    {
      role: 'user',
      content: [
        `A ${platform} post:`,
        '"""',
        post,
        '"""',
        '',
        'Write the one- or two-sentence brief that could have produced this post: the goal, the audience and any link or call to action, e.g. "Announce the package release to R users, link to the blog." Do not quote the post.',
        'Answer with the brief only, between <brief> and </brief>.',
      ].join('\n'),
    },
  ];
}

/** The brief from a query answer: inside `<brief>` tags when present, else the whole answer. */
export function extractQuery(raw: string): string {
  const match = /<brief>([\s\S]*?)<\/brief>/.exec(raw);
  const body = (match?.[1] ?? raw.replace(/<\/?brief>/g, '')).trim();
  return body.replace(/\s+/g, ' ');
}
