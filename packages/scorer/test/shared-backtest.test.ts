// The quality bar on real exports in ../shared/data (present on the project machine, absent in
// a fresh clone): fit on the earlier 70% of original posts, score the rest.
import { describe, expect, it } from 'vitest';
import { backtest } from '../src/backtest.ts';
import { SHARED_ACCOUNTS, SHARED_DATA_DIR, SHARED_DATA_PRESENT, loadSharedAccount } from './shared-accounts.ts';

if (!SHARED_DATA_PRESENT) console.warn(`skipping the shared-data backtests: ${SHARED_DATA_DIR} is absent`);

describe.skipIf(!SHARED_DATA_PRESENT)('backtest on ../shared/data (skipped when absent)', () => {
  it('x-legacy-ropensci: Spearman >= 0.35 on the later 30% and above every baseline', () => {
    const posts = loadSharedAccount('x-legacy-ropensci');
    const result = backtest(posts, { split: 0.7 });
    expect(result.train_posts + result.test_posts).toBeGreaterThan(1250);
    expect(result.model.status).toBe('fitted');
    expect(result.scorer.spearman).toBeGreaterThanOrEqual(0.35);
    expect(result.beats_baselines).toBe(true);
  });

  // "Enough" history: a fitted model and at least 20 held-out posts with any engagement. Below
  // that (x-content-en: 7) every figure is noise and the scorer is the heuristic layer anyway.
  it.each(SHARED_ACCOUNTS.filter((a) => a !== 'x-legacy-ropensci'))('%s: reports every figure and, with enough history, beats every baseline', (account) => {
    const result = backtest(loadSharedAccount(account), { split: 0.7 });
    const figures = [result.scorer, ...Object.values(result.baselines)].map((q) => q.spearman);
    for (const f of figures) expect(Number.isFinite(f)).toBe(true);
    console.info(
      `${account}: train ${result.train_posts}, test ${result.test_posts} (${result.test_nonzero} non-zero), model ${result.model.status}, scorer ${result.scorer.spearman.toFixed(3)}, length ${result.baselines.length.spearman.toFixed(3)}, has_link ${result.baselines.has_link.spearman.toFixed(3)}, heuristic ${result.baselines.heuristic.spearman.toFixed(3)}`,
    );
    const enough = result.model.status === 'fitted' && result.test_nonzero >= 20;
    if (enough) expect(result.beats_baselines).toBe(true);
  });
});
