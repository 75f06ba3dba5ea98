#!/usr/bin/env node
// `pnpm test:bridge`: runs the MLX bridge's pytest suite with the venv's Python. Fails (never skips)
// when the venv is missing or mlx cannot be imported, so CI cannot pass without having run them.
// Extra arguments go to pytest: `pnpm test:bridge -k score`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bridgeDir = join(root, 'mlx-bridge');
const python = process.env.REER_MLX_PYTHON ?? join(bridgeDir, '.venv', 'bin', 'python');
const SETUP_HINT = 'run `pnpm bridge:setup` first (it creates mlx-bridge/.venv with mlx[cpu] on Linux)';

function fail(message, hint = SETUP_HINT) {
  process.stderr.write(`test:bridge: FAILED: ${message}\n  ${hint}\n`);
  process.exit(1);
}

if (!existsSync(python)) fail(`no Python at ${python}`);
const probe = spawnSync(python, ['-c', 'import mlx.core as mx, mlx_lm, mlx_bridge, pytest; mx.eval(mx.zeros(1))'], {
  cwd: bridgeDir,
  encoding: 'utf8',
});
if (probe.error) fail(`cannot run ${python}: ${probe.error.message}`);
if (probe.status !== 0) fail(`mlx, mlx_lm or pytest does not import:\n${(probe.stderr ?? '').trim()}`);

// The tiny random model is built offline here (and reused from mlx-bridge/.cache afterwards).
const fixture = spawnSync(python, ['-m', 'mlx_bridge.random_model', '--preset', 'tiny'], {
  cwd: bridgeDir,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (fixture.status !== 0) fail('building the tiny test model failed (see above)');

const res = spawnSync(python, ['-m', 'pytest', '-q', ...process.argv.slice(2)], { cwd: bridgeDir, stdio: 'inherit' });
if (res.error) fail(`cannot run pytest: ${res.error.message}`);
// pytest exit code 5 means it collected no tests: that is a broken suite, not a pass.
if (res.status === 5) fail('pytest collected no tests', 'check the -k/-m filter or mlx-bridge/tests');
process.exit(res.status ?? 1);
