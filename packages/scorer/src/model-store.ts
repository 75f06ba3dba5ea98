import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DATA_LAYOUT, ReerError, dataPath, errorMessage, formatZodIssues, type Platform, type PostData } from '@reer/core';
import { TraceStore, isPostRecord } from '@reer/trace-store';
import { parseScorerConfig, type ScorerConfig } from './config.ts';
import { UNPENALIZED_FEATURES } from './_vectorize.ts';
import { EngagementModelSchema, dominantPlatform, fitEngagementModel, postsFingerprint, usablePosts, type EngagementFit, type EngagementModel } from './model.ts';

/** Where the engagement model of a data dir lives. */
export function engagementModelPath(dataDir: string): string {
  return dataPath(dataDir, DATA_LAYOUT.engagementModel);
}

/** Write the model atomically (temp file, then rename), so a reader never sees half a file. */
export async function saveEngagementModel(file: string, model: EngagementModel): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(model, null, 2)}\n`, 'utf8');
  await rename(tmp, file);
}

/** Read and validate a saved model; null when the file does not exist. */
export async function loadEngagementModel(file: string): Promise<EngagementModel | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if (cause instanceof Error && 'code' in cause && cause.code === 'ENOENT') return null;
    throw new ReerError('E_INPUT_NOT_FOUND', `${file}: cannot read the engagement model (${errorMessage(cause)})`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ReerError('E_SCHEMA', `${file}: not JSON (${errorMessage(cause)})`, {
      hint: 'Delete the file and run `social-eval fit` to fit the model again.',
      cause,
    });
  }
  const parsed = EngagementModelSchema.safeParse(json);
  if (!parsed.success) {
    throw new ReerError('E_SCHEMA', `${file}: not an engagement model (${formatZodIssues(parsed.error).slice(0, 3).join('; ')})`, {
      hint: 'Delete the file and run `social-eval fit` to fit the model again.',
    });
  }
  return parsed.data;
}

/** The latest version of every post in the data dir's store, optionally of one platform. */
export async function readStorePosts(dataDir: string, filter: { platform?: Platform } = {}): Promise<PostData[]> {
  const store = await TraceStore.open(dataDir);
  try {
    const posts: PostData[] = [];
    const where = filter.platform === undefined ? undefined : { platform: filter.platform };
    for await (const record of store.latest('posts', { where })) if (isPostRecord(record)) posts.push(record.data);
    return posts;
  } finally {
    await store.close();
  }
}

export interface LoadOrFitOptions {
  /** The platform the model must serve; by default the platform with the most posts. */
  platform?: Platform;
  author?: string;
  config?: ScorerConfig;
  /** Fit even when the saved model is fresh. */
  refit?: boolean;
  now?: () => Date;
}

export interface LoadOrFitResult {
  /** The model to use, or null when the history is too short (use the heuristic layer alone). */
  model: EngagementModel | null;
  /** `loaded`: the saved model is fresh; `fitted`: fit (and saved) now; `insufficient`: no model. */
  status: 'loaded' | 'fitted' | 'insufficient';
  /** Why there is no model, when `status` is `insufficient`. */
  reason?: string;
  path: string;
  /** The fit result when a fit ran. */
  fit?: EngagementFit;
}

/**
 * The engagement model for a data dir: the saved one when it serves the platform and author asked
 * for and was fit on exactly the posts now in the store; otherwise fit on the store's posts and
 * saved to `models/engagement-model.json`. With too little history, no model (and nothing saved).
 */
export async function loadOrFitEngagementModel(dataDir: string, options: LoadOrFitOptions = {}): Promise<LoadOrFitResult> {
  const config = options.config ?? parseScorerConfig({});
  const path = engagementModelPath(dataDir);
  const posts = await readStorePosts(dataDir, options.platform === undefined ? {} : { platform: options.platform });
  const scoped = options.author === undefined ? posts : posts.filter((p) => p.author === options.author);
  const platform = options.platform ?? dominantPlatform(scoped);
  if (platform === null) return { model: null, status: 'insufficient', reason: 'the store has no original posts with engagement metrics', path };
  const saved = options.refit ? null : await loadEngagementModel(path);
  if (
    saved &&
    saved.platform === platform &&
    saved.author === (options.author ?? null) &&
    saved.fit.fingerprint === postsFingerprint(usablePosts(scoped, platform, options.author)) &&
    // A model fit by an older method is refit, even on the same posts.
    saved.fit.unpenalized.join(',') === UNPENALIZED_FEATURES.join(',')
  ) {
    return { model: saved, status: 'loaded', path };
  }
  const fit = fitEngagementModel(scoped, { platform, author: options.author, config, now: options.now });
  if (fit.status === 'insufficient') return { model: null, status: 'insufficient', reason: fit.reason, path, fit };
  await saveEngagementModel(path, fit.model);
  return { model: fit.model, status: 'fitted', path, fit };
}
