import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceStore } from '@reer/trace-store';
import { ingestPaths } from '../src/ingest.ts';
import { computeStats } from '../src/stats.ts';

// data/samples is the quick start's input: it must ingest cleanly, in every format, as one author.
const SAMPLES = fileURLToPath(new URL('../../../data/samples', import.meta.url));

describe('data/samples (the quick start data)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reer-samples-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ingests with nothing rejected, every format represented, one author per platform', async () => {
    const summary = await ingestPaths([SAMPLES], { dataDir: dir });
    expect(summary.rejected).toBe(0);
    expect(summary.warnings).toEqual([]);
    expect(summary.notes).toEqual([expect.stringMatching(/^LinkedIn: joined \d+ posts with their analytics by id and \d+ by publish day$/)]);
    expect(Object.keys(summary.by_format).sort()).toEqual(['generic', 'linkedin-shares', 'meta-facebook', 'meta-instagram', 'x-archive', 'x-current', 'x-legacy']);
    expect(summary.by_format['x-legacy']?.posts_ingested).toBeGreaterThanOrEqual(100);
    const store = await TraceStore.open(dir);
    try {
      const stats = await computeStats(store);
      const authors = new Map<string, Set<string>>();
      for (const a of stats.by_author) authors.set(a.platform, (authors.get(a.platform) ?? new Set()).add(a.author));
      for (const [platform, names] of authors) expect([...names], platform).toHaveLength(1);
      const x = stats.by_author.find((a) => a.platform === 'x');
      expect(x?.author).toBe('mayabuilds');
      expect(x?.replies).toBeGreaterThan(10);
    } finally {
      await store.close();
    }
  });
});
