import { configSection, type Platform } from '@reer/core';
import type { CliContext } from '@reer/cli-kit';
import type { CandidateScorer, ScoreResult } from '@reer/scorer';
import type { InputPost } from './input.ts';

/** Posts scored in input order, with the platform each was scored for. */
export interface ScoredPost {
  post: InputPost;
  platform: Platform;
  result: ScoreResult;
}

/** The most common platform named in the input, or undefined when no post names one. */
export function inputPlatform(posts: readonly InputPost[]): Platform | undefined {
  const counts = new Map<Platform, number>();
  for (const p of posts) if (p.platform) counts.set(p.platform, (counts.get(p.platform) ?? 0) + 1);
  let best: Platform | undefined;
  for (const [platform, n] of counts) if (best === undefined || n > (counts.get(best) ?? 0)) best = platform;
  return best;
}

/**
 * A scorer for the data dir: the scorer config section plus the learned model of the data dir for
 * `platform` (loaded, or fit and cached when missing or stale); heuristics alone when the history
 * is too short. Without a platform, the one the data dir has most posts for (else x) is used, and
 * returned as the platform for posts that name none.
 */
export async function createScorer(ctx: CliContext, platform: Platform | undefined): Promise<{ scorer: CandidateScorer; platform: Platform }> {
  const { CandidateScorer, ScorerConfigSchema, loadOrFitEngagementModel } = await import('@reer/scorer');
  const config = configSection(ctx.config, 'scorer', ScorerConfigSchema);
  const loaded = await loadOrFitEngagementModel(ctx.dataDir, { platform, config });
  if (loaded.model) {
    ctx.logger.info(
      { status: loaded.status, path: loaded.path, cv_spearman: loaded.model.cv.spearman, blend_weight: loaded.model.cv.blend_weight },
      `engagement model ${loaded.status} (${loaded.model.fit.posts} posts)`,
    );
  } else {
    ctx.logger.info({ reason: loaded.reason }, 'no engagement model: scoring with heuristics only');
  }
  return { scorer: new CandidateScorer(config, loaded.model), platform: platform ?? loaded.model?.platform ?? 'x' };
}

export function scorePosts(scorer: CandidateScorer, posts: readonly InputPost[], platform: Platform): ScoredPost[] {
  return posts.map((post) => {
    const p = post.platform ?? platform;
    return { post, platform: p, result: scorer.score({ text: post.text, platform: p, ...(post.created_at ? { created_at: post.created_at } : {}) }) };
  });
}

/** A one-line preview of a post for tables. */
export function preview(text: string, width = 48): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}
