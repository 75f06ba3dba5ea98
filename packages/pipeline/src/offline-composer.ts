import type { PostData } from '@reer/core';
import type { GenerationStrategy } from './builtin-strategies.ts';

/** The label every offline candidate carries in place of an LM URI. */
export const OFFLINE_LM = 'offline::template';

/** The author's most used hashtags across the examples (at most two), so the post sounds like them. */
function authorHashtags(examples: readonly PostData[]): string {
  const counts = new Map<string, number>();
  for (const post of examples) for (const tag of post.text.match(/#[\p{L}\p{N}_]+/gu) ?? []) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 2)
    .map(([tag]) => tag)
    .join(' ');
}

/**
 * Fills the strategy's template from the topic and the author's examples. It keeps the quick start
 * working on a machine with no model at all; it is no substitute for one, and its output is always
 * labelled `offline::template`.
 */
export function composeOffline(topic: string, strategy: GenerationStrategy, examples: readonly PostData[]): string {
  const cleanTopic = topic.trim().replace(/[.!?]+$/, '');
  return strategy.template
    .replaceAll('{topic}', cleanTopic)
    .replaceAll('{hashtags}', authorHashtags(examples))
    .replace(/[ \t]+$/gm, '')
    .trim();
}
