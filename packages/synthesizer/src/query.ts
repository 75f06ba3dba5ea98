import type { PostData } from '@reer/core';
import { contentWords } from './keywords.ts';
import { extractQuery, queryMessages } from './prompts.ts';
import type { PostStructure } from './structure.ts';
import type { GeneratorLm } from './synthesize.ts';

const FORMAT_VERB: Record<PostStructure['format'], string> = {
  thread: 'Write a thread',
  list: 'Write a list post',
  question: 'Ask your audience a question',
  announcement: 'Announce news',
  link_share: 'Share a link',
  statement: 'Write a post',
};

/**
 * The query x behind a post without any LM: what it does (from its structure), what it is about
 * (its top content words and hashtags), who it mentions and where it links.
 */
export function extractQueryFromPost(post: Pick<PostData, 'text' | 'platform'>, structure: PostStructure): string {
  const words = contentWords(post.text);
  const seen = new Set<string>();
  const topics: string[] = [];
  for (const w of words) {
    if (seen.has(w)) continue;
    seen.add(w);
    topics.push(w);
    if (topics.length === 6) break;
  }
  const mentions = [...new Set(post.text.match(/(?<![\w])@[A-Za-z0-9_]{1,30}/g) ?? [])].slice(0, 3);
  const domains = [...new Set([...post.text.matchAll(/https?:\/\/(?:www\.)?([^/\s]+)/g)].map((m) => m[1] as string))].slice(0, 2);
  const parts = [`${FORMAT_VERB[structure.format]} on ${post.platform}${topics.length > 0 ? ` about ${topics.join(', ')}` : ''}`];
  if (mentions.length > 0) parts.push(`mention ${mentions.join(' ')}`);
  if (domains.length > 0) parts.push(`link to ${domains.join(' and ')}`);
  if (structure.cta) parts.push('end with a call to action');
  return `${parts.join('; ')}.`;
}

/** The query x behind a post, written by the generator LM (deterministic: temperature 0). */
export async function writeQuery(lm: GeneratorLm, post: Pick<PostData, 'text' | 'platform'>, signal?: AbortSignal): Promise<{ query: string; inputTokens: number; outputTokens: number; costUsd: number }> {
  const result = await lm.chat({ messages: queryMessages(post.text, post.platform), temperature: 0, maxTokens: 200, ...(signal ? { signal } : {}) });
  return { query: extractQuery(result.text), inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens, costUsd: result.costUsd };
}
