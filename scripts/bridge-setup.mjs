#!/usr/bin/env node
// `pnpm bridge:setup`: creates mlx-bridge/.venv and installs the MLX bridge with the mlx backend for
// this platform. Idempotent: when the venv already matches pyproject.toml and the chosen backend and
// mlx imports, it returns in about a second.
//
//   pnpm bridge:setup                    # Linux: mlx[cpu]; Apple Silicon: plain mlx
//   pnpm bridge:setup --backend cuda13   # or REER_MLX_BACKEND=cuda12|cuda13|cpu|metal
//   pnpm bridge:setup --force            # recreate the venv from scratch
//
// Only PyPI is used. The Python interpreter is `python3` from PATH unless REER_PYTHON names another.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bridgeDir = join(root, 'mlx-bridge');
const venvDir = join(bridgeDir, '.venv');
const stampPath = join(venvDir, 'reer-setup.json');
const BACKENDS = ['cpu', 'cuda12', 'cuda13', 'metal'];

function fail(message, hint) {
  process.stderr.write(`bridge:setup: ${message}\n${hint ? `  hint: ${hint}\n` : ''}`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const res = spawnSync(cmd, args, { stdio: options.capture ? 'pipe' : 'inherit', encoding: 'utf8', ...options });
  if (res.error) fail(`could not run ${cmd}: ${res.error.message}`);
  return res;
}

const { values } = parseArgs({
  options: {
    backend: { type: 'string' },
    force: { type: 'boolean', default: false },
    python: { type: 'string' },
  },
});

const defaultBackend = process.platform === 'darwin' && process.arch === 'arm64' ? 'metal' : 'cpu';
const backend = values.backend ?? process.env.REER_MLX_BACKEND ?? defaultBackend;
if (!BACKENDS.includes(backend)) {
  fail(`unknown backend "${backend}"`, `use one of ${BACKENDS.join(', ')} (--backend or REER_MLX_BACKEND)`);
}
if (backend === 'metal' && process.platform !== 'darwin') fail('the metal backend needs macOS on Apple Silicon');
if (backend !== 'metal' && process.platform === 'darwin') {
  fail(`the ${backend} backend is for Linux`, 'on Apple Silicon run plain `pnpm bridge:setup`');
}

const python = values.python ?? process.env.REER_PYTHON ?? 'python3';
const versionCheck = run(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { capture: true });
if (versionCheck.status !== 0) fail(`${python} does not run`, 'install Python >= 3.10 or set REER_PYTHON');
const pyVersion = versionCheck.stdout.trim();
const [major, minor] = pyVersion.split('.').map(Number);
if (major !== 3 || minor < 10) fail(`Python ${pyVersion} is too old`, 'the bridge needs Python >= 3.10 (set REER_PYTHON)');

const venvPython = join(venvDir, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
const extras = backend === 'metal' ? ['test'] : [backend, 'test'];
const pyproject = readFileSync(join(bridgeDir, 'pyproject.toml'), 'utf8');
const fingerprint = createHash('sha256')
  .update(JSON.stringify({ pyproject, extras, pyVersion, python }))
  .digest('hex');

function importsWork() {
  const res = run(venvPython, ['-c', 'import mlx.core as mx, mlx_lm, mlx_bridge; mx.eval(mx.zeros(1))'], {
    capture: true,
    cwd: bridgeDir,
  });
  return res.status === 0 ? null : (res.stderr || res.stdout).trim().split('\n').slice(-3).join('\n');
}

if (!values.force && existsSync(stampPath) && existsSync(venvPython)) {
  let stamp = null;
  try {
    stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
  } catch (error) {
    process.stderr.write(`bridge:setup: ignoring unreadable ${stampPath}: ${error.message}\n`);
  }
  if (stamp?.fingerprint === fingerprint && importsWork() === null) {
    process.stderr.write(`bridge:setup: ${venvDir} is up to date (backend ${backend}, Python ${pyVersion})\n`);
    process.exit(0);
  }
}

if (values.force && existsSync(venvDir)) rmSync(venvDir, { recursive: true, force: true });
if (!existsSync(venvPython)) {
  process.stderr.write(`bridge:setup: creating ${venvDir} with ${python} (${pyVersion})\n`);
  if (run(python, ['-m', 'venv', venvDir]).status !== 0) {
    fail('python -m venv failed', 'on Debian/Ubuntu install the python3-venv package');
  }
}
rmSync(stampPath, { force: true });

const pip = (args) => run(venvPython, ['-m', 'pip', '--disable-pip-version-check', ...args], { cwd: bridgeDir });
process.stderr.write(`bridge:setup: installing mlx-bridge[${extras.join(',')}] (backend ${backend})\n`);
// Editable, so edits to mlx_bridge/ take effect without reinstalling.
if (pip(['install', '--quiet', '--editable', `.[${extras.join(',')}]`]).status !== 0) {
  fail('pip install failed (see above)', 'check network access to PyPI, then rerun `pnpm bridge:setup --force`');
}
const importError = importsWork();
if (importError !== null) {
  fail(
    `mlx does not import in ${venvDir}:\n${importError}`,
    backend === 'cpu'
      ? 'mlx[cpu] needs x86-64 or arm64 Linux with glibc >= 2.35'
      : 'check the NVIDIA driver (>= 550 for cuda12, >= 580 for cuda13)',
  );
}
writeFileSync(stampPath, `${JSON.stringify({ fingerprint, backend, python: pyVersion, at: new Date().toISOString() })}\n`);
process.stderr.write(`bridge:setup: ready: ${venvPython}\n`);
