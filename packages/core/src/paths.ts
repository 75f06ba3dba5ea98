import { isAbsolute, join, resolve } from 'node:path';
import type { Env } from './env.ts';

/** Where each collection lives under the data dir. All are append-only JSONL. */
export const DATA_LAYOUT = {
  posts: 'social/normalized.jsonl',
  rejects: 'social/rejects.jsonl',
  traces: 'traces/traces.jsonl',
  strategies: 'traces/strategies.jsonl',
  candidates: 'runs/candidates.jsonl',
  evaluations: 'runs/evaluations.jsonl',
  models: 'models',
  checkpoints: 'models/checkpoints',
  engagementModel: 'models/engagement-model.json',
  tunedPipeline: 'models/tuned_pipeline.json',
  archives: 'archives',
  backups: 'backups',
} as const;

export type CollectionName = 'posts' | 'traces' | 'strategies' | 'candidates' | 'evaluations';

/** `--data-dir`, else `REER_DATA_DIR`, else `./data`, resolved against `cwd`. */
export function resolveDataDir(options: { dataDir?: string | undefined; env?: Env; cwd?: string } = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const chosen = options.dataDir ?? options.env?.REER_DATA_DIR ?? 'data';
  return isAbsolute(chosen) ? chosen : resolve(cwd, chosen);
}

export function dataPath(dataDir: string, relative: string): string {
  return join(dataDir, relative);
}
