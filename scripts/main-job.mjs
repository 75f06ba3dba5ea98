#!/usr/bin/env node
// The quick start's main job on the shipped sample data: ingest → mine strategies → generate →
// score, printing the ranked posts. It uses the best LM available: a configured API provider when
// its key is set, else a cached local GGUF model (`pnpm models:fixture`), else the labelled offline
// composer. Each step is a real CLI call, exactly what a user would type.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = process.env.REER_DATA_DIR ?? join(root, 'data');
const topic = process.env.REER_TOPIC ?? 'a new release of our open-source data package, with better docs';

function step(title, cli, args, okCodes = [0]) {
  process.stderr.write(`\n▶ ${title}\n  $ pnpm ${cli} ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'packages', cli, 'src', 'main.ts'), ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, REER_DATA_DIR: dataDir },
  });
  if (result.status === null || !okCodes.includes(result.status)) {
    process.stderr.write(`\n✗ ${title} failed (exit ${result.status ?? result.signal}).\n`);
    process.exit(result.status ?? 1);
  }
}

// Exit 1 from ingest means some rows were rejected and quarantined (the samples include such rows
// on purpose); the valid posts are in the store, so the job goes on.
step('Ingest the sample exports', 'social-collect', ['ingest', join(root, 'data', 'samples')], [0, 1]);
step('Store summary', 'social-collect', ['stats']);
step('Mine strategies from the best posts', 'social-reer', ['mine', '--no-lm', '--top-quantile', '0.2']);
step('Generate and rank posts', 'social-run', ['generate', '--topic', topic, '--platform', 'x', '--candidates', '6']);
