import { SHARED_ACCOUNTS, loadSharedAccount } from './shared-accounts.ts';
import { backtest } from '../src/backtest.ts';
for (const a of SHARED_ACCOUNTS) {
  const p = loadSharedAccount(a);
  const t0 = performance.now();
  const r = backtest(p);
  const f = (q: {spearman:number}) => q.spearman.toFixed(3);
  console.log(a.padEnd(18), (performance.now()-t0).toFixed(0).padStart(5)+'ms', r.train_posts, r.test_posts, r.test_nonzero, r.model.status, r.model.cv_spearman?.toFixed(3), r.model.blend_weight, 'scorer', f(r.scorer), 'len', f(r.baselines.length), 'link', f(r.baselines.has_link), 'heur', f(r.baselines.heuristic), r.beats_baselines);
}
