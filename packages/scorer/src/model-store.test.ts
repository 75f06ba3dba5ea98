import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syntheticHistory } from '../test/synthetic.ts';
import { writePostsToStore } from '../test/shared-accounts.ts';
import { engagementModelPath, loadEngagementModel, loadOrFitEngagementModel, readStorePosts } from './model-store.ts';

describe('loadOrFitEngagementModel', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reer-scorer-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says there is too little history for an empty store, and saves nothing', async () => {
    const result = await loadOrFitEngagementModel(dir);
    expect(result).toMatchObject({ model: null, status: 'insufficient' });
    expect(existsSync(engagementModelPath(dir))).toBe(false);
  });

  it('fits and caches, reuses a fresh model, and refits when the store changes', async () => {
    const posts = syntheticHistory(200, 4);
    await writePostsToStore(dir, posts.slice(0, 150));
    expect(await readStorePosts(dir)).toHaveLength(150);

    const first = await loadOrFitEngagementModel(dir);
    expect(first.status).toBe('fitted');
    expect(existsSync(engagementModelPath(dir))).toBe(true);

    const second = await loadOrFitEngagementModel(dir);
    expect(second.status).toBe('loaded');
    expect(second.model).toEqual(first.model);

    await writePostsToStore(dir, posts.slice(150));
    const third = await loadOrFitEngagementModel(dir);
    expect(third.status).toBe('fitted');
    expect(third.model?.fit.posts).toBeGreaterThan(first.model?.fit.posts ?? 0);

    // Asking for another platform or author is not served by the cached model.
    expect((await loadOrFitEngagementModel(dir, { author: 'someone-else' })).status).toBe('insufficient');
    expect((await loadOrFitEngagementModel(dir, { refit: true })).status).toBe('fitted');
  });

  it('refits a model saved by an older method (nothing left unpenalized) even on the same posts', async () => {
    await writePostsToStore(dir, syntheticHistory(150, 4));
    const first = await loadOrFitEngagementModel(dir);
    if (!first.model) throw new Error('expected a model');
    // What an older version wrote: no `unpenalized` field at all.
    const { unpenalized: _dropped, ...olderFit } = first.model.fit;
    await writeFile(first.path, JSON.stringify({ ...first.model, fit: olderFit }));
    expect((await loadEngagementModel(first.path))?.fit.unpenalized).toEqual([]);
    const second = await loadOrFitEngagementModel(dir);
    expect(second.status).toBe('fitted');
    expect(second.model?.fit.unpenalized).toEqual(['log_length']);
    expect((await loadOrFitEngagementModel(dir)).status).toBe('loaded');
  });
});
